"""API throughput under gunicorn: cases created per second and case-detail reads per second, each as
a ratio to a bare endpoint that reads one row (/healthz), all measured in the same run.

    .venv/bin/python bench/api_throughput.py [--orders 600] [--workers 2] [--clients 4] [--database URL]

Without --database it uses a fresh SQLite file; pass a postgres:// URL to measure PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database")
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
        database = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
        print(json.dumps({"database": database, "workers": args.workers, "clients": args.clients}))
        print(json.dumps(summary("bare endpoint (one row)", bare_rps, bare_lat, None)))
        print(json.dumps(summary("cases created", create_rps, create_lat, bare_rps)))
        print(json.dumps(summary("case detail reads", read_rps, read_lat, bare_rps)))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
