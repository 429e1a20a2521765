"""The training centre's verbs: open a sandbox, start a scenario, let the simulated buyer and platform
answer what the trainee did, finish and score, assign courses, set the pass level.

The trainee works the training case in the real console. Nothing here hooks into the console's
actions: `sync` reads the training case's own events (whatever page the trainee used: case page,
warehouse desk) and turns the new ones into steps, lets `domain.simulation` answer them, and applies
the answers through the same services a real buyer, platform or timer uses. The case page calls it
before it renders a training case.
"""

from __future__ import annotations

import io
from dataclasses import asdict, replace
from datetime import datetime, timedelta

from django.db import transaction

from aftersales.accounts.models import Membership, Shop
from aftersales.care.models import ReplyTemplate
from aftersales.care.services import ensure_default_templates
from aftersales.cases import services as cases
from aftersales.cases.domain.states import TERMINAL, Actor, Status
from aftersales.cases.evidence import add_evidence
from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.services import SYSTEM, By
from aftersales.catalog.models import Category, Product, Sku
from aftersales.core import clock
from aftersales.core.choices import Role
from aftersales.core.errors import ConflictError, DomainError, NotFoundError
from aftersales.core.messages import normalize_language
from aftersales.intelligence.advice.selectors import advice_for_case
from aftersales.orders.services import create_order
from aftersales.training.domain.authoring import CaseFacts, scenario_source
from aftersales.training.domain.scenarios import Scenario, Step, parse_scenario
from aftersales.training.domain.scoring import score_case
from aftersales.training.domain.simulation import (
    SIM_MINUTES_PER_SECOND,
    SimCase,
    react,
    stage_deadline_minutes,
    tick,
)
from aftersales.training.library import courses, scenario_for
from aftersales.training.models import Attempt, CourseAssignment, Sandbox, ShopScenario, TrainingSettings

#: Enough goodwill budget that a trainee's compensation is never refused for money.
SANDBOX_BUDGET_FEN = 10_000_000
_ROUTE = {"taobao": "alipay", "tmall": "alipay", "jd": "wechat", "pdd": "wechat", "douyin": "platform",
          "own": "wechat"}


# ---------------------------------------------------------------------------------------------
# The sandbox


def sandbox_for(shop: Shop, user) -> Shop:
    """The trainee's training shop for `shop`, made on first use with the shop's reply templates. It bears the
    shop's name; the pages mark it as training in the reader's language (`shop_name`)."""
    if shop.is_training:
        raise DomainError("training.not_a_real_shop")
    found = Sandbox.objects.filter(shop=shop, user=user).select_related("training_shop").first()
    if found is not None:
        return found.training_shop
    training = Shop.objects.create(
        slug=f"t{user.pk}-{shop.slug}"[:50], name=shop.name, training_of=shop,
        compensation_budget_fen=SANDBOX_BUDGET_FEN)
    Membership.objects.create(user=user, shop=training, role=Role.OWNER.value)
    Sandbox.objects.create(shop=shop, user=user, training_shop=training)
    own = list(ReplyTemplate.objects.filter(shop=shop))
    if own:  # the trainee practises with the replies the shop really uses
        ReplyTemplate.objects.bulk_create([
            ReplyTemplate(shop=training, kind=t.kind, language=t.language, name=t.name, body=t.body,
                          position=t.position) for t in own])
    else:
        ensure_default_templates(training)
    return training


# ---------------------------------------------------------------------------------------------
# Starting a scenario


def _category(training: Shop, scenario: Scenario) -> Category:
    category, _ = Category.objects.get_or_create(
        shop=training, name=scenario.category, defaults={"law_category": scenario.category})
    return category


def _sku(training: Shop, scenario: Scenario, code: str, title: str, price_fen: int) -> Sku:
    category = _category(training, scenario)
    product, _ = Product.objects.get_or_create(shop=training, title=title, defaults={"category": category})
    sku, _ = Sku.objects.get_or_create(shop=training, code=code,
                                       defaults={"product": product, "price_fen": price_fen})
    return sku


#: The made-up buyer of every training order, in the trainee's language.
TRAINING_BUYER = {"zh-hans": "训练买家", "en": "Training buyer"}


def _order_data(training: Shop, scenario: Scenario, number: int, now: datetime, lang: str = "zh-hans") -> dict:
    """The scenario's order placed in the sandbox, its times moved so that the buyer asks `now`; the goods
    are named in the trainee's language (the scenario library names them in both)."""
    shift = now - scenario.requested_at
    signed = scenario.signed_at + shift if scenario.signed_at else None
    paid = (signed or now) - timedelta(days=2)
    shipped = None
    if scenario.order_state != "not_shipped":
        shipped = paid + timedelta(hours=20)
    title = scenario.product.get(lang)
    code = f"TR-{scenario.key}"[:60]
    _sku(training, scenario, code, title, scenario.unit_price_fen)
    lines = [{"platform_line_id": "1", "title": title, "sku_code": code, "quantity": scenario.quantity,
              "unit_price_fen": scenario.unit_price_fen, "paid_fen": scenario.paid_fen}]
    if scenario.gift is not None:
        gift_code = f"TR-{scenario.key}-gift"[:60]
        _sku(training, scenario, gift_code, scenario.gift.get(lang), scenario.gift_price_fen)
        lines.append({"platform_line_id": "2", "title": scenario.gift.get(lang), "sku_code": gift_code, "quantity": 1,
                      "unit_price_fen": scenario.gift_price_fen, "paid_fen": 0, "is_gift": True})
    total = scenario.paid_fen + scenario.freight_fen
    return {
        "platform": scenario.platform,
        "platform_order_id": f"TR{now:%y%m%d%H%M%S}{number:04d}",
        # A made-up buyer: a training case never holds a real person's data.
        "buyer": {"nick": TRAINING_BUYER[lang], "name": "", "phone": "", "province": "浙江省", "city": "杭州市"},
        "paid_at": paid, "shipped_at": shipped, "signed_at": signed,
        "freight_fen": scenario.freight_fen, "free_shipping": scenario.freight_fen == 0,
        "lines": lines,
        "payments": [{"route": _ROUTE.get(scenario.platform, "platform"), "amount_fen": total}],
    }


@transaction.atomic
def start_attempt(shop: Shop, user, scenario_key: str, *, now: datetime | None = None,
                  lang: str = "zh-hans") -> Attempt:
    """Open the scenario's case in the trainee's sandbox, as the buyer would, and start the clock. `lang`:
    the trainee's language, which the goods and the buyer's name are given in."""
    now = now or clock.now()
    lang = normalize_language(lang)
    scenario = scenario_for(shop, scenario_key)
    training = sandbox_for(shop, user)
    number = Attempt.objects.filter(shop=shop, user=user).count() + 1
    order = create_order(training, _order_data(training, scenario, number, now, lang))
    main_line = order.lines.get(platform_line_id="1")
    case = cases.open_case(
        training, order_id=order.pk, lines=[(main_line.pk, scenario.quantity)], kind=scenario.kind,
        reason=scenario.reason, by=By(Actor.BUYER), buyer_note=scenario.note.zh,
        goods=asdict(scenario.goods), enforce_policy=False, now=now)
    return Attempt.objects.create(
        shop=shop, user=user, scenario_key=scenario.key, case=case, started_at=now,
        lawful_request=bool(case.policy_decision.get("eligible")), pass_level=pass_level(shop),
        advice=_advice_costs(case),
        last_event_id=case.events.order_by("-pk").values_list("pk", flat=True).first() or 0)


def _advice_costs(case: Case) -> dict[str, int]:
    """The advice engine on the training case: each remedy that gives the buyer what was asked (no
    agreement needed) with its expected cost to the shop."""
    found = advice_for_case(case)
    if found is None:
        return {}
    return {o.remedy: o.cost_fen for o in found.advice.options if not o.needs_agreement}


# ---------------------------------------------------------------------------------------------
# The simulated buyer and platform at work


def sim_minute(attempt: Attempt, at: datetime) -> int:
    """Simulated minutes since the buyer asked: the clock runs faster than life (see simulation)."""
    return max(0, int((at - attempt.started_at).total_seconds() * SIM_MINUTES_PER_SECOND))


def _template_kind(training: Shop, template_id) -> str:
    if not template_id:
        return "other"
    return ReplyTemplate.objects.filter(shop=training, pk=template_id).values_list("kind", flat=True).first() \
        or "other"


def step_of_event(attempt: Attempt, event: CaseEvent) -> Step | None:
    """The trainee's step an event of the training case stands for; None for what the simulator ignores."""
    if event.actor not in (Actor.MERCHANT.value, Actor.WAREHOUSE.value):
        return None
    at, payload = sim_minute(attempt, event.created_at), event.payload or {}
    simple = {"approve", "request_evidence", "receive_return", "pass_inspection", "fail_inspection",
              "ship_replacement", "escalate", "note", "evidence"}
    if event.action in simple:
        return Step(event.action, at, reason=event.reason_code)
    if event.action in ("reject", "close"):
        return Step(event.action, at, reason=event.reason_code)
    if event.action == "refund_succeeded":
        return Step("execute_refund", at)
    if event.action == "grant_refund":
        return Step("grant_refund", at, amount_fen=payload.get("amount_fen"))
    if event.action == "reply":
        return Step("reply", at, template=_template_kind(event.shop, payload.get("template")))
    if event.action == "compensation":
        return Step("compensate", at, rung=payload.get("rung", ""), amount_fen=payload.get("cost_fen"))
    if event.action == "follow_up_on":
        return Step("follow_up", at)
    return None


def _photo(scenario: Scenario, text: str) -> bytes:
    """The buyer's photo: a plain picture that says what it shows (the trainee judges from the words)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (236, 239, 244) if scenario.photos == "real" else (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(120, 120, 120), width=3)
    draw.text((40, 140), text, fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _apply(attempt: Attempt, scenario: Scenario, step: Step, lang_note: str, now: datetime) -> None:
    """Carry out the buyer's or platform's step on the training case through the real services."""
    training, case_id = attempt.case.shop, attempt.case_id
    buyer, platform = By(Actor.BUYER), By(Actor.PLATFORM)
    if step.action == "say":
        # The note is the record in Chinese; the line's code lets each reader see it in their own language.
        cases.add_note(training, case_id, platform if step.actor == "platform" else buyer, note=lang_note,
                       payload={"line": step.line}, now=now)
    elif step.action == "send_photos":
        label = "photo: damage as described" if scenario.photos == "real" else "photo: nothing wrong to be seen"
        add_evidence(training, case_id, buyer, data=_photo(scenario, f"{scenario.key} - {label}"))
    elif step.action == "ship_return":
        cases.record_return_shipment(training, case_id, buyer, carrier="SF",
                                     tracking_no=f"SF{attempt.pk:06d}{case_id:06d}", now=now)
    elif step.action == "escalate":
        cases.escalate_case(training, case_id, buyer, note=lang_note, now=now)
    elif step.action in ("rule_for_buyer", "rule_for_merchant"):
        cases.record_ruling(training, case_id, for_buyer=step.action == "rule_for_buyer", now=now)
    elif step.action == "auto_approve":
        cases.approve_case(training, case_id, SYSTEM, now=now)
    elif step.action == "confirm_receipt":
        cases.confirm_receipt(training, case_id, buyer, now=now)
    elif step.action == "withdraw":
        cases.withdraw_case(training, case_id, buyer, note=lang_note, now=now)


def _dump(step: Step) -> dict:
    return {k: v for k, v in asdict(step).items() if v not in ("", None, 0) or k in ("action", "at")}


def _load(raw: dict) -> Step:
    return Step(**raw)


def _simcase(attempt: Attempt, scenario: Scenario) -> SimCase:
    return SimCase(scenario, attempt.lawful_request, attempt.case.status, [_load(s) for s in attempt.history])


@transaction.atomic
def sync(training: Shop, case_id: int, *, now: datetime | None = None) -> Attempt | None:
    """Bring a training case up to date: the trainee's new actions, the buyer's and platform's answers,
    and what the simulated clock brought. Finishes the attempt when the case has ended."""
    now = now or clock.now()
    attempt = Attempt.objects.select_for_update().filter(case__shop=training, case_id=case_id).first()
    if attempt is None or not attempt.is_open:
        return attempt
    attempt.case = cases.hold_case(training, case_id)
    scenario = scenario_for(attempt.shop, attempt.scenario_key)
    new = list(CaseEvent.objects.filter(case_id=case_id, pk__gt=attempt.last_event_id).order_by("pk"))
    for event in new:
        attempt.last_event_id = event.pk
        step = step_of_event(attempt, event)
        if step is None:
            continue
        sim = _simcase(attempt, scenario)
        _run(attempt, scenario, tick(sim, step.at), now)
        attempt.history.append(_dump(step))
        sim = _simcase(attempt, scenario)
        _run(attempt, scenario, react(sim, step), now)
    _run(attempt, scenario, tick(_simcase(attempt, scenario), sim_minute(attempt, now)), now)
    attempt.last_event_id = CaseEvent.objects.filter(case_id=case_id).order_by("-pk").values_list(
        "pk", flat=True).first() or attempt.last_event_id
    attempt.save(update_fields=["history", "last_event_id"])
    if Status(attempt.case.status) in TERMINAL:
        return finish_attempt(attempt.shop, attempt.user, attempt.pk, now=now)
    return attempt


def _run(attempt: Attempt, scenario: Scenario, steps: list[Step], now: datetime) -> None:
    for step in steps:
        sim = _simcase(attempt, scenario)
        if not sim.can(step):
            continue  # the case has moved on (e.g. the trainee already acted): the answer no longer fits
        _apply(attempt, scenario, step, scenario.line(step.line).zh if step.line else "", now)
        attempt.history.append(_dump(step))
        attempt.case = Case.objects.get(pk=attempt.case_id)


# ---------------------------------------------------------------------------------------------
# Finishing and scoring


@transaction.atomic
def finish_attempt(shop: Shop, user, attempt_id: int, *, now: datetime | None = None) -> Attempt:
    """Score the attempt as it stands (the trainee may finish before the case has ended)."""
    now = now or clock.now()
    attempt = Attempt.objects.select_for_update().filter(shop=shop, user=user, pk=attempt_id).first()
    if attempt is None:
        raise NotFoundError("training.attempt_not_found", attempt_id=attempt_id)
    if not attempt.is_open:
        return attempt
    scenario = scenario_for(shop, attempt.scenario_key)
    card = score_case(_simcase(attempt, scenario), advice=attempt.advice or None)
    attempt.scores = card.as_dict()
    attempt.reasons = [[c.name, c.code, c.params, [[code, params] for code, params in c.reasons]]
                       for c in card.criteria]
    attempt.cost_fen, attempt.ideal_cost_fen = card.cost_fen, card.ideal_cost_fen
    attempt.passed = card.passed(attempt.pass_level)
    attempt.finished_at = now
    attempt.save()
    _update_courses(shop, user, now)
    return attempt


def _update_courses(shop: Shop, user, now: datetime) -> None:
    """A course is passed when the trainee's latest attempt at each of its scenarios passed."""
    latest: dict[str, bool] = {}
    for key, passed in (Attempt.objects.filter(shop=shop, user=user, finished_at__isnull=False)
                        .order_by("finished_at", "pk").values_list("scenario_key", "passed")):
        latest[key] = passed
    for assignment in CourseAssignment.objects.select_for_update().filter(shop=shop, user=user,
                                                                           passed_at__isnull=True):
        course = courses(shop).get(assignment.course)
        if course and course.scenarios and all(latest.get(k) for k in course.scenarios):
            assignment.passed_at = now
            assignment.save(update_fields=["passed_at"])


# ---------------------------------------------------------------------------------------------
# The owner's side


def pass_level(shop: Shop) -> int:
    found = TrainingSettings.objects.filter(shop=shop).values_list("pass_level", flat=True).first()
    return found if found is not None else 80


@transaction.atomic
def set_pass_level(shop: Shop, level: int) -> TrainingSettings:
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 100:
        raise DomainError("training.invalid_pass_level")
    settings, _ = TrainingSettings.objects.select_for_update().get_or_create(shop=shop)
    settings.pass_level = level
    settings.save(update_fields=["pass_level"])
    return settings


@transaction.atomic
def assign_course(shop: Shop, user_id: int, course: str, *, now: datetime | None = None) -> CourseAssignment:
    if course not in courses(shop):
        raise DomainError("input.invalid_choice", field="course", value=course)
    member = Membership.objects.filter(shop=shop, user_id=user_id).select_related("user").first()
    if member is None:
        raise NotFoundError("staff.not_member")
    found, created = CourseAssignment.objects.get_or_create(
        shop=shop, user_id=user_id, course=course, defaults={"assigned_at": now or clock.now()})
    if not created:
        raise ConflictError("training.already_assigned", course=course)
    _update_courses(shop, member.user, now or clock.now())
    return found


def case_banner(training: Shop, case_id: int) -> dict | None:
    """What the case page shows on a training case, after the simulator has caught up with it."""
    attempt = sync(training, case_id)
    if attempt is None:
        return None
    scenario = scenario_for(attempt.shop, attempt.scenario_key)
    end = attempt.finished_at or clock.now()
    return {"attempt": attempt, "scenario": scenario, "minute": sim_minute(attempt, end),
            "deadline_hours": stage_deadline_minutes(scenario) // 60}


def scripted_lines(scenario: Scenario, events, lang: str) -> dict[int, str]:
    """What the simulated buyer and platform said on a training case, in the reader's language, by event:
    the request's words and each scripted line (kept by its code, its words in the scenario library)."""
    lang = normalize_language(lang)
    shown = {}
    for event in events:
        if event.action == "open" and event.actor == Actor.BUYER.value and event.note:
            shown[event.pk] = scenario.note.get(lang)
        elif event.action == "note" and (event.payload or {}).get("line"):
            shown[event.pk] = scenario.line(event.payload["line"]).get(lang)
    return shown


# ---------------------------------------------------------------------------------------------
# The shop's own cases as scenarios


@transaction.atomic
def scenario_from_case(shop: Shop, case_id: int, *, now: datetime | None = None) -> ShopScenario:
    """Turn a finished case of the shop into a training scenario of the shop, the buyer's data masked."""
    now = now or clock.now()
    case = Case.objects.filter(shop=shop, pk=case_id).select_related("order", "buyer").first()
    if case is None:
        raise NotFoundError("case.not_found", case_id=case_id)
    if Status(case.status) not in TERMINAL:
        raise ConflictError("training.case_not_closed")
    key = f"case-{case.number.lower()}"
    existing = ShopScenario.objects.filter(shop=shop, key=key).first()
    if existing is not None:
        return existing
    line = case.lines.select_related("order_line__product__category").first().order_line
    category = line.product.category.law_category if line.product_id else "other"
    order = case.order
    goods = "not_shipped" if order.shipped_at is None else ("in_transit" if order.signed_at is None else "signed")
    signed_days = max(0, (case.created_at - order.signed_at).days) if order.signed_at else 0
    kind = case.kind if case.kind != "price_protection" else "refund_only"
    facts = CaseFacts(
        number=case.number, platform=case.platform, product=line.title, category=category,
        unit_price_fen=line.unit_price_fen, quantity=line.quantity, paid_fen=line.paid_fen,
        freight_fen=order.freight_fen, order_state=goods, signed_days_before=signed_days, kind=kind,
        reason=case.reason, note=case.buyer_note, buyer_names=(case.buyer.nick, case.buyer.name),
        eligible=True, reason_codes=())
    position = ShopScenario.objects.filter(shop=shop).count() + 1
    # The sandbox judges by the law and the platform alone: draw the ideal path from that decision.
    decision = parse_scenario(scenario_source(facts, key=key, position=position)).decision()
    facts = replace(facts, eligible=decision.eligible, reason_codes=tuple(decision.reason_codes))
    source = scenario_source(facts, key=key, position=position)
    parse_scenario(source)  # the library's own checks
    return ShopScenario.objects.create(shop=shop, key=key, source=source, source_case_number=case.number,
                                       created_at=now)
