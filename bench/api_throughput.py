"""API throughput under gunicorn: cases created per second and case-detail reads per second, each as
a ratio to a bare endpoint that reads one row (/healthz), all measured in the same run.

    .venv/bin/python bench/api_throughput.py [--orders 600] [--workers 2] [--clients 4] [--database URL]
                                             [--seconds 5] [--client wrk|python]

Without --database it uses a fresh SQLite file; pass a postgres:// URL to measure PostgreSQL.

The load comes from `wrk` (Debian: `apt-get install wrk`) when it is installed: one C thread with
`--clients` connections costs far less CPU than the server it measures, so the figures are the
server's. Without it a Python thread pool does the same, and costs about as much as the server
(the ratios then understate the server). Every case is opened on its own order, as in real life.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, orders: int) -> tuple[str, list[tuple[int, int]]]:
    """Migrate, make a shop with `orders` delivered orders, return (token, [(order id, line id)])."""
    subprocess.run([BIN / "aftersales", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    script = f"""
import django, json
django.setup()
from datetime import timedelta
from aftersales.accounts.models import ApiToken, Shop
from aftersales.core import clock
from aftersales.orders.services import create_order
shop, _ = Shop.objects.get_or_create(slug="bench", defaults={{"name": "bench"}})
now = clock.now()
out = []
for n in range({orders}):
    o = create_order(shop, {{"platform": "douyin", "platform_order_id": f"BENCH{{n:07d}}-{{now.timestamp():.0f}}",
        "buyer": {{"nick": f"b{{n}}", "phone": "13800001111", "province": "浙江省"}},
        "paid_at": now - timedelta(days=3), "shipped_at": now - timedelta(days=3), "signed_at": now - timedelta(days=1),
        "freight_fen": 0, "lines": [{{"platform_line_id": "1", "title": "连衣裙", "quantity": 1, "unit_price_fen": 15900,
        "paid_fen": 15900}}], "payments": []}})
    out.append((o.pk, o.lines.first().pk))
print(json.dumps({{"token": ApiToken.issue(shop)[1], "orders": out}}))
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"preparing the shop failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["token"], [tuple(x) for x in data["orders"]]


def request(url: str, token: str, body: dict | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
        return resp.status


def run_load(jobs: list, clients: int) -> tuple[float, list[float]]:
    """Run the callables over `clients` threads; return (requests per second, latencies in ms)."""
    lock = threading.Lock()
    queue = list(jobs)
    latencies: list[float] = []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            t0 = time.perf_counter()
            job()
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(jobs) / (time.perf_counter() - start), latencies


def summary(name: str, rps: float, lat: list[float], baseline: float | None) -> dict:
    lat = sorted(lat)
    row = {
        "measure": name,
        "requests": len(lat),
        "per_second": round(rps, 1),
        "median_ms": round(statistics.median(lat), 2),
        "p95_ms": round(lat[int(len(lat) * 0.95) - 1], 2),
    }
    if baseline:
        row["ratio_to_bare"] = round(rps / baseline, 3)
    return row


WRK_SCRIPT = r"""
local items, sent = {}, 0
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
                 ["Content-Type"] = "application/json"}
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  local mode, file, nthreads = args[1], args[2], tonumber(args[3])
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then table.insert(items, line) end
    i = i + 1
  end
  wrk_mode = mode
end
function request()
  sent = sent + 1
  local item = items[((sent - 1) % #items) + 1]
  if wrk_mode == "create" then
    local order, line = item:match("(%d+) (%d+)")
    local body = '{"order_id":' .. order .. ',"lines":[{"order_line_id":' .. line ..
      ',"quantity":1}],"kind":"return_refund","reason":"size_fit","buyer_note":"size"}'
    return wrk.format("POST", "/api/v1/cases", headers, body)
  end
  return wrk.format("GET", item, headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "non_2xx": %d, "errors": %d, "seconds": %.3f, "median_ms": %.2f, "p95_ms": %.2f}\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def wrk_load(base: str, token: str, mode: str, items: list[str], clients: int, seconds: int) -> tuple[float, dict]:
    """Drive the server with wrk (one thread, `clients` connections) for `seconds`, cycling through the
    items. Only 2xx answers count: should `create` run out of orders, the repeats are refused (409) and
    are not counted. Returns (successful requests per second, raw figures)."""
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-wrk-"))
    (tmp / "load.lua").write_text(WRK_SCRIPT)
    (tmp / "items.txt").write_text("\n".join(items) + "\n")
    done = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s",
         "-s", str(tmp / "load.lua"), base + "/healthz", "--", mode, str(tmp / "items.txt"), "1"],
        env=dict(os.environ, BENCH_TOKEN=token), capture_output=True, text=True, check=True,
    )
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    ok = raw["requests"] - raw["non_2xx"] - raw["errors"]
    if mode == "create" and raw["non_2xx"] > clients:
        print(f"note: {raw['non_2xx']} requests found no free order (use more --orders)", file=sys.stderr)
    return ok / raw["seconds"], raw


def wrk_summary(name: str, rps: float, raw: dict, baseline: float | None) -> dict:
    row = {"measure": name, "requests": raw["requests"], "failed": raw["non_2xx"] + raw["errors"],
           "per_second": round(rps, 1), "median_ms": raw["median_ms"], "p95_ms": raw["p95_ms"]}
    if baseline:
        row["ratio_to_bare"] = round(rps / baseline, 3)
    return row


def created_case_urls(env: dict) -> list[str]:
    script = """
import django
django.setup()
from aftersales.cases.models import Case
print("\\n".join(f"/api/v1/cases/{pk}" for pk in Case.objects.filter(shop__slug="bench").values_list("pk", flat=True)))
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return [line for line in done.stdout.splitlines() if line.startswith("/api/")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database")
    parser.add_argument("--seconds", type=int, default=5, help="length of the bare and read runs (wrk)")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="aftersales.settings",
        AFTERSALES_VAR_DIR=str(tmp),
        DATABASE_URL=args.database or f"sqlite:///{tmp / 'bench.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    token, orders = prepare(env, args.orders)
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "aftersales.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        database = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
        if args.client == "wrk":
            bare_rps, bare = wrk_load(base, token, "read", ["/healthz"], args.clients, args.seconds)
            create_rps, made = wrk_load(base, token, "create", [f"{o} {line}" for o, line in orders], args.clients,
                                        args.seconds)
            read_rps, read = wrk_load(base, token, "read", created_case_urls(env), args.clients, args.seconds)
            print(json.dumps({"database": database, "workers": args.workers, "clients": args.clients,
                              "client": "wrk"}))
            print(json.dumps(wrk_summary("bare endpoint (one row)", bare_rps, bare, None)))
            print(json.dumps(wrk_summary("cases created", create_rps, made, bare_rps)))
            print(json.dumps(wrk_summary("case detail reads", read_rps, read, bare_rps)))
            return
        n = len(orders)
        bare_rps, bare_lat = run_load([lambda: request(base + "/healthz", token)] * n, args.clients)
        created: list[int] = []

        def create(order_id: int, line_id: int):
            def job():
                body = {
                    "order_id": order_id,
                    "lines": [{"order_line_id": line_id, "quantity": 1}],
                    "kind": "return_refund",
                    "reason": "size_fit",
                    "buyer_note": "尺码小了",
                }
                req = urllib.request.Request(
                    base + "/api/v1/cases",
                    data=json.dumps(body).encode(),
                    method="POST",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=30) as resp:
                    created.append(json.loads(resp.read())["id"])

            return job

        create_rps, create_lat = run_load([create(o, line) for o, line in orders], args.clients)
        read_jobs = [(lambda cid=cid: request(f"{base}/api/v1/cases/{cid}", token)) for cid in created * 2]
        read_rps, read_lat = run_load(read_jobs, args.clients)
        print(json.dumps({"database": database, "workers": args.workers, "clients": args.clients,
                          "client": "python"}))
        print(json.dumps(summary("bare endpoint (one row)", bare_rps, bare_lat, None)))
        print(json.dumps(summary("cases created", create_rps, create_lat, bare_rps)))
        print(json.dumps(summary("case detail reads", read_rps, read_lat, bare_rps)))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
