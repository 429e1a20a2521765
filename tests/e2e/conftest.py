"""End-to-end fixtures: a real server (gunicorn) on a free port over a fresh SQLite database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{var / 'e2e.sqlite3'}",
        AFTERSALES_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="aftersales.settings",
        DEBUG="1",
        AFTERSALES_LOGIN_RATE="1000/m",
        TRUSTED_PROXIES="1",  # as behind the README's nginx: tests may speak for several clients
    )
    subprocess.run([BIN / "aftersales", "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    # The demo shop with its staff logins (owner / agent / warehouse) and one known order for the buyer.
    subprocess.run([sys.executable, "-m", "tests.e2e.seed"], env=env, check=True, cwd=ROOT)
    return env


@pytest.fixture(scope="session")
def live_server_url(server_env) -> str:
    port = _free_port()
    proc = subprocess.Popen(
        [BIN / "gunicorn", "aftersales.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "60"],
        env=server_env, cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Without Chromium the browser tests cannot run: stop with the one command to run, not N errors."""
    e2e = Path(__file__).resolve().parent
    if any(e2e in Path(item.path).parents for item in items) and not os.access(CHROMIUM, os.X_OK):
        pytest.exit(f"The end-to-end tests need Debian's Chromium at {CHROMIUM}: run `sudo tools/system-deps` "
                    "(`make test` run as root installs it itself)", returncode=pytest.ExitCode.USAGE_ERROR)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
