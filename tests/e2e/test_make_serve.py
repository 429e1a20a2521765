"""`make run` serves the pages and runs the worker beside them: one command, and one Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, _free_port

pytestmark = pytest.mark.e2e


def session_processes(sid: int) -> dict[int, str]:
    """Processes of session `sid` that are still alive (not zombies), with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != sid:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ProcessLookupError, IndexError):
            continue
        if state != "Z":
            found[int(entry.name)] = command
    return found


def test_make_serve_runs_server_and_worker_and_ctrl_c_stops_both(server_env):
    port = _free_port()
    env = {**server_env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    make = subprocess.Popen(["make", "-s", "serve", f"PORT={port}", "SIMULATORS=", f"VENV={Path(sys.executable).parents[1]}"],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline and make.poll() is None, "the server did not start"
                time.sleep(0.3)
        running = session_processes(make.pid)
        assert any("aftersales worker" in c for c in running.values()), running
        assert any("runserver" in c for c in running.values()), running
        # Ctrl-C in a terminal: SIGINT to the whole foreground group.
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=30)
        deadline = time.monotonic() + 15
        while session_processes(make.pid) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert session_processes(make.pid) == {}
    finally:
        if session_processes(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
