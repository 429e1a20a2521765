"""The case kernel (lock, move, record) is private to the cases app: the layer contract in `.importlinter`
refuses any other importer, and no other app reaches the kernel's functions through the services."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import grimp
import pytest
from importlinter.contracts.protected import ProtectedContract

ROOT = Path(__file__).resolve().parents[2]
KERNEL_NAMES = {"lock_case", "locked", "move", "make_move", "record_event", "refresh_deadline", "check_move"}


def _contract() -> ProtectedContract:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    section = config["importlinter:contract:private-kernel"]
    options = {key: value for key, value in section.items() if key not in ("name", "type")}
    for key in ("protected_modules", "allowed_importers"):
        options[key] = [line.strip() for line in options[key].splitlines() if line.strip()]
    return ProtectedContract(name=section["name"], session_options={"root_packages": ["aftersales"]},
                             contract_options=options)


@pytest.fixture
def graph():
    return grimp.build_graph("aftersales", cache_dir=None)


def test_the_contract_holds_for_the_code_as_it_is(graph):
    assert _contract().check(graph, verbose=False).kept


@pytest.mark.parametrize("importer", [
    "aftersales.refunds.services", "aftersales.warehouse.services", "aftersales.care.services",
    "aftersales.platforms.sync.push", "aftersales.training.services", "aftersales.console.views",
])
def test_an_app_that_imports_the_kernel_breaks_the_contract(graph, importer):
    graph.add_import(importer=importer, imported="aftersales.cases.kernel", line_number=1,
                     line_contents="from aftersales.cases.kernel import lock_case")
    check = _contract().check(graph, verbose=False)
    assert not check.kept


def test_the_cases_app_itself_may_use_its_kernel(graph):
    graph.add_import(importer="aftersales.cases.timers", imported="aftersales.cases.kernel", line_number=1,
                     line_contents="from aftersales.cases import kernel")
    assert _contract().check(graph, verbose=False).kept


def _kernel_names_taken_from_services(path: Path) -> set[str]:
    """Kernel functions a module takes from `aftersales.cases.services` (which uses them itself)."""
    taken: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "aftersales.cases.services":
            taken |= {alias.name for alias in node.names} & KERNEL_NAMES
        elif isinstance(node, ast.Attribute) and node.attr in KERNEL_NAMES and isinstance(node.value, ast.Name):
            if node.value.id in {"services", "cases", "cs", "case_services"}:
                taken.add(node.attr)
    return taken


def test_no_app_reaches_the_kernel_through_the_services():
    found = {}
    for path in sorted((ROOT / "aftersales").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("aftersales/cases/"):
            continue
        taken = _kernel_names_taken_from_services(path)
        if taken:
            found[relative] = sorted(taken)
    assert found == {}
