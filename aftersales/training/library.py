"""The scenarios a shop trains on: the built-in library (files under `scenarios/`) and the scenarios the
owner made from the shop's own closed cases, grouped into courses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from aftersales.accounts.models import Shop
from aftersales.core.errors import NotFoundError
from aftersales.training.domain.scenarios import (
    COURSES_FILE,
    Scenario,
    Text,
    library,
    load_personas,
    parse_scenario,
)

SHOP_COURSE = "shop_cases"


@dataclass(frozen=True)
class Course:
    key: str
    position: int
    title: Text
    summary: Text
    scenarios: tuple[str, ...]


@lru_cache(maxsize=1)
def builtin() -> dict[str, Scenario]:
    return library()


@lru_cache(maxsize=1)
def _personas():
    return load_personas()


@lru_cache(maxsize=1)
def _course_texts() -> dict[str, dict]:
    with COURSES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def shop_scenarios(shop: Shop) -> dict[str, Scenario]:
    from aftersales.training.models import ShopScenario

    return {row.key: parse_scenario(row.source, _personas(), row.key)
            for row in ShopScenario.objects.filter(shop=shop)}


def scenarios_for(shop: Shop) -> dict[str, Scenario]:
    return {**builtin(), **shop_scenarios(shop)}


def scenario_for(shop: Shop, key: str) -> Scenario:
    found = builtin().get(key) or shop_scenarios(shop).get(key)
    if found is None:
        raise NotFoundError("training.scenario_not_found", key=key)
    return found


def courses(shop: Shop) -> dict[str, Course]:
    """The library's courses, then the shop's own (its scenarios made from closed cases)."""
    found: dict[str, Course] = {}
    for key, raw in sorted(_course_texts().items(), key=lambda kv: kv[1]["position"]):
        members = tuple(s.key for s in builtin().values() if s.course == key)
        found[key] = Course(key, raw["position"], Text(raw["title"]["zh-hans"], raw["title"]["en"]),
                            Text(raw["summary"]["zh-hans"], raw["summary"]["en"]), members)
    own = tuple(shop_scenarios(shop))
    if own:
        found[SHOP_COURSE] = Course(SHOP_COURSE, 99, Text("本店真实案例", "This shop's own cases"),
                                    Text("由店主从已结束的售后单生成，买家信息已隐藏。",
                                         "Made by the owner from closed cases, the buyer's data masked."), own)
    return found
