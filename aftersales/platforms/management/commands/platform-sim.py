"""`aftersales platform-sim PLATFORM [--port N]`: a platform's open API, played by the contract simulator."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from aftersales.platforms.simulator import simulator_for
from aftersales.platforms.simulator.server import serve


class Command(BaseCommand):
    help = "Serve a contract simulator of 抖店 / 淘宝 / 京东 / 拼多多's open API on a local port."

    def add_arguments(self, parser):
        parser.add_argument("platform", choices=["douyin", "taobao", "tmall", "jd", "pdd"])
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8701)
        parser.add_argument("--app-key", default="sim-app")
        parser.add_argument("--app-secret", default="sim-secret")
        parser.add_argument("--cases", type=int, default=0, help="cases the buyers have already asked for")

    def handle(self, *args, **options):
        simulator = simulator_for(options["platform"], app_key=options["app_key"], app_secret=options["app_secret"])
        for _ in range(options["cases"]):
            simulator.add_case()
        server = serve(simulator, options["host"], options["port"])
        base = f"http://{options['host']}:{server.server_port}"
        self.stdout.write(f"{options['platform']} simulator at {base} (cases: {base}/_sim/, "
                          f"credentials: {base}/_sim/credentials)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
