"""Scenarios as data: one TOML file per scenario under `aftersales/training/scenarios/`.

A scenario says what was bought and what the buyer asks for (the facts the policy engine judges), who
the buyer is (a persona with a tone and a patience), what a good agent does (the ideal path) and which
mistakes it is built to catch (the named wrong paths, each with the criterion it must fail). Every text
a person reads is given in Simplified Chinese and English. `load_scenario` refuses anything malformed
with a `training.*` code, so a broken file is caught by the tests, not by a trainee.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from aftersales.care.domain.ladder import LADDER
from aftersales.cases.domain.policy import Decision, Facts, Goods, default_ruleset, evaluate
from aftersales.cases.domain.policy_facts import MERCHANT_FAULT_REASONS
from aftersales.cases.domain.states import Kind
from aftersales.core.choices import LawCategory, Platform, Reason
from aftersales.core.clock import SHANGHAI
from aftersales.core.errors import DomainError
from aftersales.intelligence.reasons.classify import urgency_of

ZH, EN = "zh-hans", "en"
LIBRARY_DIR = Path(__file__).resolve().parent.parent / "scenarios"
PERSONAS_FILE = LIBRARY_DIR / "personas.toml"
COURSES_FILE = LIBRARY_DIR / "courses.toml"

CRITERIA = ("lawful", "cost", "time", "care", "evidence")

#: What a trainee can do on the case page, in the simulator's words (the console's action keys).
TRAINEE_ACTIONS = frozenset({
    "reply", "request_evidence", "approve", "reject", "compensate", "grant_refund", "execute_refund",
    "receive_return", "pass_inspection", "fail_inspection", "ship_replacement", "follow_up", "escalate",
    "close", "evidence", "note",
})
ORDER_STATES = ("not_shipped", "in_transit", "signed")
PHOTOS = ("real", "none", "unconvincing")  # what the buyer sends when asked for photos
RETURNED = ("as_sold", "used")  # what comes back in the return parcel
TEMPLATE_KINDS = ("apology", "solution", "progress", "other")
#: Reasons where photos decide the case: the agent asks for them before deciding.
PHOTO_REASONS = frozenset({Reason.WRONG_ITEM, Reason.DAMAGED_IN_TRANSIT, Reason.QUALITY_DEFECT,
                           Reason.NOT_AS_DESCRIBED})

#: The day every scenario's order is placed (training cases are moved to "now" when they are opened).
EPOCH = datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == EN else self.zh


@dataclass(frozen=True)
class Step:
    """One action on the case: by the trainee, or by the simulated buyer or platform.

    `at` is simulated minutes since the buyer asked. Only the fields the action needs are set.
    """

    action: str
    at: int = 0
    actor: str = "trainee"  # trainee | buyer | platform
    template: str = ""  # reply: the template kind
    reason: str = ""  # reject / close: the reason code
    rung: str = ""  # compensate
    amount_fen: int | None = None  # compensate; grant_refund (None: what the refund rule allows)
    line: str = ""  # buyer / platform: the key of what they say (personas.toml)


@dataclass(frozen=True)
class WrongPath:
    name: str
    fails: str  # the criterion this mistake must fail
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Persona:
    key: str
    urgency: int  # 0 calm … 3 threatens a complaint (same scale as intelligence.reasons)
    patience_minutes: int  # how long the buyer waits for a first answer before it costs
    needs_step: int  # the ladder step (care.domain.ladder) that calms this buyer; -1: no compensation asked
    escalates_on_refusal: bool
    name: Text
    lines: dict[str, Text]


@dataclass(frozen=True)
class Scenario:
    key: str
    course: str
    position: int
    persona: Persona
    title: Text
    brief: Text
    platform: str
    product: Text
    category: str
    unit_price_fen: int
    quantity: int
    paid_fen: int
    freight_fen: int
    order_state: str
    signed_days_before: int  # days from signing to the request (signed orders only)
    gift: Text | None
    gift_price_fen: int
    kind: str
    reason: str
    note: Text
    goods: Goods
    photos: str
    returned: str
    keeps_gift: bool  # the buyer sends the goods back but keeps the gift (L7: its price is deducted)
    templates: tuple[str, ...]  # template kinds a good agent sends
    apology_first: bool
    needs_photos: bool
    follow_up: bool
    compensation: bool  # the buyer is only calmed with the ladder
    ideal: tuple[Step, ...]
    wrong: tuple[WrongPath, ...]
    lines: dict[str, Text] = field(default_factory=dict)  # persona lines this scenario overrides

    # -- the times of the story, relative to the request ------------------------------------------

    @property
    def requested_at(self) -> datetime:
        return EPOCH + timedelta(days=max(self.signed_days_before, 0) + 3)

    @property
    def signed_at(self) -> datetime | None:
        if self.order_state != "signed":
            return None
        return self.requested_at - timedelta(days=self.signed_days_before, hours=2)

    @property
    def shipped(self) -> bool:
        return self.order_state != "not_shipped"

    @property
    def urgency(self) -> int:
        """What the case page will read from the buyer's words, never below the persona's tone."""
        return max(urgency_of(self.note.zh), self.persona.urgency)

    def facts(self) -> Facts:
        policy_kind = Kind.REFUND_ONLY.value if self.kind == Kind.PARTIAL_REFUND.value else self.kind
        return Facts(platform=self.platform, case_kind=policy_kind, reason=self.reason, category=self.category,
                     signed_at=self.signed_at, requested_at=self.requested_at, goods=self.goods,
                     shipped=self.shipped, gift_included=self.gift is not None)

    def decision(self) -> Decision:
        """The policy engine's answer on this request (law and platform rules, no shop extras)."""
        return evaluate(self.facts(), default_ruleset(self.platform), self.requested_at)

    def line(self, key: str) -> Text:
        return self.lines.get(key) or self.persona.lines.get(key) or Text(key, key)


# ---------------------------------------------------------------------------------------------
# Loading


def _fail(code: str, **params) -> DomainError:
    return DomainError(code, **params)


def _text(value: object, where: str) -> Text:
    if isinstance(value, dict) and isinstance(value.get(ZH), str) and isinstance(value.get(EN), str):
        if value[ZH].strip() and value[EN].strip():
            return Text(value[ZH].strip(), value[EN].strip())
    raise _fail("training.text_missing", where=where)


def _choice(value: object, allowed, where: str) -> str:
    allowed_values = {str(v) for v in allowed}
    if not isinstance(value, str) or value not in allowed_values:
        raise _fail("training.invalid_value", where=where, value=str(value))
    return value


def _int(value: object, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail("training.invalid_value", where=where, value=str(value))
    return value


def _steps(raw: object, where: str) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail("training.invalid_value", where=where, value="[]")
    steps, at = [], 0
    for index, item in enumerate(raw):
        here = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise _fail("training.invalid_value", where=here, value=str(item))
        unknown = set(item) - {"action", "at", "template", "reason", "rung", "amount_fen"}
        if unknown:
            raise _fail("training.unknown_key", where=here, key=", ".join(sorted(unknown)))
        action = _choice(item.get("action"), TRAINEE_ACTIONS, f"{here}.action")
        at = _int(item.get("at", at + 5), f"{here}.at")
        template = item.get("template", "")
        if action == "reply":
            template = _choice(template, TEMPLATE_KINDS, f"{here}.template")
        amount = item.get("amount_fen")
        if amount is not None:
            amount = _int(amount, f"{here}.amount_fen", 1)
        if action == "compensate":
            _choice(item.get("rung"), {r for rungs in LADDER for r in rungs}, f"{here}.rung")
            if amount is None:
                raise _fail("training.invalid_value", where=f"{here}.amount_fen", value="")
        steps.append(Step(action=action, at=at, template=template, reason=str(item.get("reason", "")),
                          rung=str(item.get("rung", "")), amount_fen=amount))
    return tuple(steps)


def load_personas(path: Path = PERSONAS_FILE) -> dict[str, Persona]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    personas = {}
    for key, raw in data.items():
        lines = {name: _text(text, f"{key}.lines.{name}") for name, text in raw.get("lines", {}).items()}
        personas[key] = Persona(
            key=key, urgency=_int(raw.get("urgency"), f"{key}.urgency"),
            patience_minutes=_int(raw.get("patience_minutes"), f"{key}.patience_minutes", 1),
            needs_step=int(raw.get("needs_step", -1)),
            escalates_on_refusal=bool(raw.get("escalates_on_refusal", True)),
            name=_text(raw.get("name"), f"{key}.name"), lines=lines)
    return personas


_TOP_KEYS = {"key", "course", "position", "persona", "title", "brief", "order", "request", "buyer", "expect",
             "ideal", "wrong", "lines"}


_TABLE_KEYS = {
    "order": {"platform", "product", "category", "unit_price_fen", "quantity", "paid_fen", "freight_fen", "state",
              "signed_days_before", "gift"},
    "request": {"kind", "reason", "note", "goods"},
    "buyer": {"photos", "returned", "keeps_gift"},
    "expect": {"templates", "apology_first", "photos", "follow_up", "compensation"},
    "wrong": {"name", "fails", "steps"},
}


def load_scenario(data: dict, personas: dict[str, Persona], where: str = "scenario") -> Scenario:
    """Build a scenario from parsed TOML; raises `training.*` on anything missing or malformed."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail("training.unknown_key", where=where, key=", ".join(sorted(unknown)))
    key = data.get("key")
    if not isinstance(key, str) or not key.replace("-", "").isalnum():
        raise _fail("training.invalid_value", where=f"{where}.key", value=str(key))
    persona_key = data.get("persona")
    if persona_key not in personas:
        raise _fail("training.invalid_value", where=f"{key}.persona", value=str(persona_key))
    order, request = data.get("order") or {}, data.get("request") or {}
    buyer, expect = data.get("buyer") or {}, data.get("expect") or {}
    for name, table in (("order", order), ("request", request), ("buyer", buyer), ("expect", expect),
                        *((f"wrong[{i}]", w) for i, w in enumerate(data.get("wrong") or []))):
        extra = set(table) - _TABLE_KEYS[name.split("[")[0]]
        if extra:
            raise _fail("training.unknown_key", where=f"{key}.{name}", key=", ".join(sorted(extra)))
    reason = _choice(request.get("reason"), Reason, f"{key}.request.reason")
    quantity = _int(order.get("quantity", 1), f"{key}.order.quantity", 1)
    unit = _int(order.get("unit_price_fen"), f"{key}.order.unit_price_fen", 1)
    gift = order.get("gift")
    templates = tuple(_choice(t, TEMPLATE_KINDS, f"{key}.expect.templates") for t in expect.get("templates", []))
    wrong = []
    for index, raw in enumerate(data.get("wrong") or []):
        here = f"{key}.wrong[{index}]"
        wrong.append(WrongPath(name=str(raw.get("name") or here), fails=_choice(raw.get("fails"), CRITERIA,
                                                                                 f"{here}.fails"),
                               steps=_steps(raw.get("steps"), f"{here}.steps")))
    if not wrong:
        raise _fail("training.invalid_value", where=f"{key}.wrong", value="[]")
    try:
        goods = Goods(**(request.get("goods") or {}))
    except TypeError:
        raise _fail("training.invalid_value", where=f"{key}.request.goods", value=str(request.get("goods"))) \
            from None
    scenario = Scenario(
        key=key, course=str(data.get("course") or "basics"), position=_int(data.get("position", 0), "position"),
        persona=personas[persona_key], title=_text(data.get("title"), f"{key}.title"),
        brief=_text(data.get("brief"), f"{key}.brief"),
        platform=_choice(order.get("platform", "taobao"), Platform, f"{key}.order.platform"),
        product=_text(order.get("product"), f"{key}.order.product"),
        category=_choice(order.get("category"), LawCategory, f"{key}.order.category"),
        unit_price_fen=unit, quantity=quantity,
        paid_fen=_int(order.get("paid_fen", unit * quantity), f"{key}.order.paid_fen", 1),
        freight_fen=_int(order.get("freight_fen", 0), f"{key}.order.freight_fen"),
        order_state=_choice(order.get("state", "signed"), ORDER_STATES, f"{key}.order.state"),
        signed_days_before=_int(order.get("signed_days_before", 2), f"{key}.order.signed_days_before"),
        gift=_text(gift.get("title"), f"{key}.order.gift.title") if gift else None,
        gift_price_fen=_int(gift.get("unit_price_fen", 0), f"{key}.order.gift") if gift else 0,
        kind=_choice(request.get("kind"), Kind, f"{key}.request.kind"), reason=reason,
        note=_text(request.get("note"), f"{key}.request.note"), goods=goods,
        photos=_choice(buyer.get("photos", "real"), PHOTOS, f"{key}.buyer.photos"),
        returned=_choice(buyer.get("returned", "as_sold"), RETURNED, f"{key}.buyer.returned"),
        keeps_gift=bool(buyer.get("keeps_gift", False)), templates=templates,
        apology_first=bool(expect.get("apology_first", reason in MERCHANT_FAULT_REASONS)),
        needs_photos=bool(expect.get("photos", reason in PHOTO_REASONS)),
        follow_up=bool(expect.get("follow_up", False)),
        compensation=bool(expect.get("compensation", False)),
        ideal=_steps(data.get("ideal"), f"{key}.ideal"), wrong=tuple(wrong),
        lines={name: _text(text, f"{key}.lines.{name}") for name, text in (data.get("lines") or {}).items()},
    )
    if unit * quantity < scenario.paid_fen:
        raise _fail("training.invalid_value", where=f"{key}.order.paid_fen", value=str(scenario.paid_fen))
    return scenario


def parse_scenario(text: str, personas: dict[str, Persona] | None = None, where: str = "scenario") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail("training.invalid_file", where=where, error=str(exc)) from None
    return load_scenario(data, personas or load_personas(), where)


def library(directory: Path = LIBRARY_DIR) -> dict[str, Scenario]:
    """Every scenario of the built-in library, by key, in course order."""
    personas = load_personas()
    found: dict[str, Scenario] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name in (PERSONAS_FILE.name, COURSES_FILE.name):
            continue
        scenario = parse_scenario(path.read_text(encoding="utf-8"), personas, path.name)
        if scenario.key in found:
            raise _fail("training.duplicate_key", key=scenario.key)
        found[scenario.key] = scenario
    return dict(sorted(found.items(), key=lambda kv: (kv[1].course, kv[1].position, kv[0])))


CODES = frozenset({"training.text_missing", "training.invalid_value", "training.unknown_key",
                   "training.invalid_file", "training.duplicate_key"})
