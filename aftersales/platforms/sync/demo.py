"""The demo shop's four simulated stores: one per platform, each on its `aftersales platform-sim`.

`make run` starts the simulators (ports 8701–8704) and the worker next to the web server, so a newcomer
can open 店铺设置 → 平台授权, watch a case created at http://127.0.0.1:8701/_sim/ arrive in the inbox,
approve it, and see the simulator show it approved. Loading the demo again resets the stores to the
simulators' first tokens (a freshly started simulator knows only those).
"""

from __future__ import annotations

from aftersales.accounts.models import Shop
from aftersales.core import clock
from aftersales.platforms.sync.connections import ASSUMED_TOKEN_LIFE
from aftersales.platforms.sync.models import StoreConnection
from aftersales.platforms.sync.secrets import seal

DEMO_STORES = (("douyin", "抖店模拟店", 8701), ("taobao", "淘宝模拟店", 8702), ("jd", "京东模拟店", 8703),
               ("pdd", "拼多多模拟店", 8704))
#: What `aftersales platform-sim` uses unless told otherwise (see the command's options).
SIM_APP_KEY, SIM_APP_SECRET = "sim-app", "sim-secret"


def connect_demo_stores(shop: Shop, host: str = "127.0.0.1") -> list[StoreConnection]:
    stores = []
    now = clock.now()
    for platform, name, port in DEMO_STORES:
        store, _ = StoreConnection.objects.update_or_create(shop=shop, platform=platform, name=name, defaults={
            "base_url": f"http://{host}:{port}", "app_key": SIM_APP_KEY, "app_secret_enc": seal(SIM_APP_SECRET),
            "access_token_enc": seal(f"at-{platform}-1"), "refresh_token_enc": seal(f"rt-{platform}-1"),
            "token_expires_at": now + ASSUMED_TOKEN_LIFE, "return_address_id": "1001",
            "state": StoreConnection.ACTIVE, "next_run_at": now, "lease_until": None, "stall_warned_at": None,
        })
        stores.append(store)
    return stores
