"""tools/system-deps, which `make test` and `.ci/run` run first: install as root, else name the command.

dpkg-query, id and apt-get are replaced by stubs on PATH, so the machine's own packages never change.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "system-deps"
PACKAGES = ["chromium", "chromium-driver", "fonts-wqy-microhei", "gettext"]


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def _run(tmp_path: Path, *, installed: list[str], uid: int):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    present = " ".join(installed)
    # dpkg-query -W -f=... PACKAGE: the status line for installed packages, an error for the others.
    _stub(bin_dir, "dpkg-query", f'for p in {present}; do [ "$p" = "$3" ] && '
                                 'printf "install ok installed" && exit 0; done; exit 1')
    _stub(bin_dir, "id", f"echo {uid}")
    _stub(bin_dir, "apt-get", f'echo "$@" >> {log}')
    env = dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin")
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


def test_nothing_happens_when_everything_is_installed(tmp_path):
    result, calls = _run(tmp_path, installed=PACKAGES, uid=0)
    assert result.returncode == 0
    assert calls == []


def test_root_installs_exactly_the_missing_packages_with_apt(tmp_path):
    result, calls = _run(tmp_path, installed=["gettext"], uid=0)
    assert result.returncode == 0, result.stderr
    assert calls == ["update -qq", "install -y -qq --no-install-recommends chromium chromium-driver fonts-wqy-microhei"]


@pytest.mark.parametrize("installed", [[], ["chromium", "gettext"]])
def test_another_user_is_stopped_at_once_with_the_one_command_to_run(tmp_path, installed):
    result, calls = _run(tmp_path, installed=installed, uid=1000)
    missing = " ".join(p for p in PACKAGES if p not in installed)
    assert result.returncode == 1
    assert calls == []
    assert f"sudo apt-get install -y --no-install-recommends {missing}" in result.stderr
