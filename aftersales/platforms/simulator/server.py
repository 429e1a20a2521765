"""The simulator over HTTP (`aftersales platform-sim PLATFORM --port N`), with a small control API.

Platform calls go to the same paths as on the platform's gateway. Control (for the demo, the
end-to-end test and a curious newcomer), all under /_sim/:

    GET  /_sim/              the store's cases, as a page
    GET  /_sim/credentials   app key, app secret, access and refresh token to connect the store with
    GET  /_sim/cases         every case as JSON (status in canonical words, history of changes)
    POST /_sim/cases         a buyer asks for an after-sale: JSON {kind, amount_fen, title, reason, …}
    POST /_sim/cases/ID/ship-return   the buyer ships the return
    POST /_sim/receiver      JSON {"url": …}: where push messages (抖店, 京东, 拼多多) are POSTed
"""

from __future__ import annotations

import html
import json
import logging
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aftersales.platforms.connectors.base import Request
from aftersales.platforms.simulator.core import Simulator

logger = logging.getLogger("aftersales.platforms.simulator")
CASE_FIELDS = {"kind", "amount_fen", "paid_fen", "quantity", "title", "sku_code", "reason", "note", "no_reason_7day",
               "shipped"}


def make_handler(simulator: Simulator):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # through logging, not stderr
            logger.debug("%s " + fmt, self.address_string(), *args)

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, data, status: int = 200) -> None:
            self._send(status, json.dumps(data, ensure_ascii=False).encode())

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):  # noqa: N802 - the http.server API
            path = urllib.parse.urlsplit(self.path).path
            if path == "/_sim/credentials":
                access, refresh = simulator.token
                return self._json({"platform": simulator.platform, "app_key": simulator.app_key,
                                   "app_secret": simulator.app_secret, "access_token": access,
                                   "refresh_token": refresh, "return_address_id": sorted(simulator.return_address_ids)[0]})
            if path == "/_sim/cases":
                return self._json(simulator.snapshot())
            if path in ("/_sim", "/_sim/"):
                return self._send(200, page(simulator).encode(), "text/html; charset=utf-8")
            return self._platform("GET", b"")

        def do_POST(self):  # noqa: N802
            path = urllib.parse.urlsplit(self.path).path
            body = self._body()
            if path == "/_sim/cases":
                values = {k: v for k, v in json.loads(body or b"{}").items() if k in CASE_FIELDS}
                case = simulator.add_case(**values)
                return self._json({"case_id": case.case_id, "order_id": case.order_id}, 201)
            if path.startswith("/_sim/cases/") and path.endswith("/ship-return"):
                simulator.buyer_ships_return(path.split("/")[3])
                return self._json({"ok": True})
            if path == "/_sim/receiver":
                url = json.loads(body or b"{}").get("url", "")
                simulator.receiver = http_receiver(url) if url else None
                return self._json({"ok": True})
            return self._platform("POST", body)

        def _platform(self, method: str, body: bytes) -> None:
            parts = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
            request = Request(method, f"http://{self.headers.get('Host', 'sim')}{parts.path}", params, body,
                              dict(self.headers))
            answer = simulator.handle(request)
            self._send(answer.status, answer.body)

    return Handler


def http_receiver(url: str):
    """Send each push message to `url` from a thread (the platform does not wait for the answer)."""

    def send(headers: dict[str, str], body: bytes) -> None:
        def post():
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                urllib.request.urlopen(request, timeout=5).close()  # noqa: S310 - the owner's own receiver
            except OSError as exc:
                logger.warning("push to %s failed: %s", url, exc)

        threading.Thread(target=post, daemon=True).start()

    return send


def page(simulator: Simulator) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(c['case_id'])}</td><td>{html.escape(c['order_id'])}</td><td>{html.escape(c['kind'])}</td>"
        f"<td><strong>{html.escape(c['status'])}</strong></td><td>{c['amount_fen'] / 100:.2f}</td>"
        f"<td>{html.escape(c['updated_at'])}</td></tr>" for c in simulator.snapshot())
    return (f"<!doctype html><meta charset=utf-8><title>{simulator.platform} simulator</title>"
            f"<h1>{simulator.platform} contract simulator</h1><table border=1 cellpadding=4>"
            "<tr><th>case</th><th>order</th><th>kind</th><th>status</th><th>amount</th><th>updated</th></tr>"
            f"{rows}</table>")


def serve(simulator: Simulator, host: str = "127.0.0.1", port: int = 8701) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(simulator))
    server.daemon_threads = True
    return server
