"""A shop with a store connected to an in-process contract simulator, for the live-sync tests."""

from __future__ import annotations

from aftersales.platforms.simulator import simulator_for
from aftersales.platforms.sync.clients import SIMULATORS
from aftersales.platforms.sync.connections import connect_store


def connected(shop, platform: str, name: str = "测试店", **sim_kwargs):
    """(simulator, connection): a fresh simulator registered as sim://<platform>-<shop>, the store connected."""
    simulator = simulator_for(platform, **sim_kwargs)
    key = f"{platform}-{shop.slug}-{name}"
    SIMULATORS[key] = simulator
    access, refresh = simulator.token
    connection = connect_store(shop, platform=platform, name=name, base_url=f"sim://{key}",
                               app_key=simulator.app_key, app_secret=simulator.app_secret,
                               access_token=access, refresh_token=refresh, return_address_id="1001")
    return simulator, connection


def no_sleep(_seconds: float) -> None:
    """Retries and pacing without waiting (the tests count the waits instead)."""
