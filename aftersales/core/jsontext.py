"""JSON stored as readable text: Chinese stays Chinese in the database (not `\\u50ac…`), so a substring
filter over a JSON column (tags) finds what a person typed, on SQLite as on PostgreSQL."""

from __future__ import annotations

import json


class TextJSONEncoder(json.JSONEncoder):
    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)
