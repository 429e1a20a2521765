"""Exit 0 when the PostgreSQL server in the given URL answers, 1 otherwise. Used by `make test`."""

import sys

import psycopg

url = sys.argv[1]
admin_url = url.rsplit("/", 1)[0] + "/postgres"
try:
    with psycopg.connect(admin_url, connect_timeout=3):
        pass
except psycopg.Error as exc:
    print(f"PostgreSQL at {admin_url} is not reachable: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
