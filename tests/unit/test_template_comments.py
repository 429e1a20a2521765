"""Django's `{# … #}` comment ends at the line's end: one spanning lines is printed as text on the page.
Multi-line comments must be `{% comment %}` blocks — checked in every template of the project."""

from __future__ import annotations

import re
from pathlib import Path

import aftersales

TEMPLATES = sorted(Path(aftersales.__file__).parent.rglob("templates/**/*.html"))
ONE_LINE_COMMENT = re.compile(r"\{#.*?#\}")


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


def test_no_template_has_a_comment_that_spans_lines():
    shown = []
    for path in TEMPLATES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            rest = ONE_LINE_COMMENT.sub("", line)
            if "{#" in rest or "#}" in rest:
                shown.append(f"{path.name}:{number}")
    assert shown == []
