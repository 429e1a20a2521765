"""Apps reach each other only through services, selectors and models: an app's pages, API and forms are
its own (the `edges-<app>` contracts in `.importlinter`), and no edge module escapes the contracts."""

from __future__ import annotations

import configparser
from pathlib import Path

import grimp
import pytest
from importlinter.contracts.protected import ProtectedContract

ROOT = Path(__file__).resolve().parents[2]


def _config() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _edge_contract(app: str) -> ProtectedContract:
    section = _config()[f"importlinter:contract:edges-{app}"]
    return ProtectedContract(name=section["name"], session_options={"root_packages": ["aftersales"]},
                             contract_options={"protected_modules": _lines(section["protected_modules"]),
                                               "allowed_importers": _lines(section["allowed_importers"])})


def _is_edge(module: str) -> bool:
    last = module.split(".")[-1]
    return last in ("views", "api", "forms", "urls") or last.endswith(("_views", "_forms")) or last.startswith("api_")


@pytest.fixture
def graph():
    return grimp.build_graph("aftersales", cache_dir=None)


def test_every_page_api_and_form_module_of_an_app_is_protected(graph):
    protected = set()
    for name, section in _config().items():
        if name.startswith("importlinter:contract:edges-"):
            protected |= set(_lines(section["protected_modules"]))
    edges = {m for m in graph.modules if m.count(".") >= 2 and _is_edge(m) and not m.startswith("aftersales.core.")}
    assert edges - protected == set()
    assert {"aftersales.console.case_views", "aftersales.cases.api", "aftersales.warehouse.forms"} <= protected


@pytest.mark.parametrize(("importer", "imported", "app"), [
    ("aftersales.refunds.api", "aftersales.cases.api", "cases"),
    ("aftersales.warehouse.forms", "aftersales.console.forms", "console"),
    ("aftersales.analytics.views", "aftersales.console.views", "console"),
])
def test_an_app_importing_another_apps_pages_breaks_its_contract(graph, importer, imported, app):
    assert _edge_contract(app).check(graph, verbose=False).kept
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    assert not _edge_contract(app).check(graph, verbose=False).kept


def test_no_two_apps_import_each_other_except_through_a_pure_package():
    """The no-cycles contract ignores only an app's use of another app's pure package (the domain packages
    and the buyer-words model, which the pure-core contract keeps free of Django and apps): no cycle
    between two apps' own modules is left waiting to be untangled."""
    config = _config()
    pure = _lines(config["importlinter:contract:pure-core"]["source_modules"])
    ignored = [line for line in _lines(config["importlinter:contract:no-app-cycles"]["ignore_imports"])
               if not line.startswith("#")]
    assert ignored, "the contract's ignore list was not read"
    for line in ignored:
        _importer, _arrow, imported = line.partition(" -> ")
        assert any(imported == p or imported.startswith(p + ".") for p in pure), line
