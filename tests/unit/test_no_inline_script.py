"""The Content-Security-Policy allows scripts only from the server's own files: no template may carry an
inline script, an inline event handler, a javascript: URL or
code htmx would evaluate (they would silently stop working)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "aftersales"
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html"))
#: A <script> without src that is not a data island (json_script writes type="application/json").
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
#: What htmx would evaluate as code: trigger filters ([...]), hx-on handlers, js: values.
HTMX_EVAL = re.compile(r"""hx-trigger="[^"]*\[|hx-on|hx-(vals|headers)='?"?\s*(js|javascript):""", re.I)


def test_templates_are_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_runs_inline_script(template):
    source = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.findall(source)
    assert not HANDLER.findall(source)
    assert not JS_URL.findall(source)
    assert not HTMX_EVAL.findall(source)
