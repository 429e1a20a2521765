"""The secret key comes from the environment; only a source checkout falls back to a development key."""

import os
import subprocess
import sys


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "AFTERSALES_ALLOW_DEV_KEY")}
    return subprocess.run(
        [sys.executable, "-c", "import aftersales.settings as s; print(s.CHECKOUT, s.SECRET_KEY)"],
        env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_a_checkout_uses_the_development_key_unless_told_not_to():
    assert load_settings().stdout.split() == ["True", "dev-insecure-key-change-me"]
    refused = load_settings(AFTERSALES_ALLOW_DEV_KEY="0")
    assert refused.returncode != 0 and "SECRET_KEY must be set in the environment" in refused.stderr


def test_the_environment_key_always_wins():
    assert load_settings(SECRET_KEY="s3cret", AFTERSALES_ALLOW_DEV_KEY="0").stdout.split() == ["True", "s3cret"]
