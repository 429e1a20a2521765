import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aftersales.cases.domain import (
    deadlines,
    events,
    inspection,
    policy,
    policy_facts,
    policy_law,
    policy_layers,
    policy_rules,
    states,
)
from aftersales.core.choices import LawCategory, Platform, Reason
from aftersales.core.messages import LABEL_GROUPS, MESSAGES, label, normalize_language, translate
from aftersales.refunds.domain import refundable

PACKAGE = Path(__file__).resolve().parents[2] / "aftersales"
CJK = re.compile(r"[\u4e00-\u9fff]")
DOMAIN_CODES = sorted(
    states.CODES
    | events.CODES
    | inspection.CODES
    | deadlines.CODES
    | policy.CODES
    | policy_facts.CODES
    | policy_law.CODES
    | policy_layers.CODES
    | policy_rules.CODES
    | refundable.CODES
)


def _fields(template: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _text, name, spec, _conv in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", DOMAIN_CODES)
def test_every_domain_code_has_both_languages(code):
    entry = MESSAGES[code]
    assert entry["zh-hans"].strip() and entry["en"].strip()


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_use_the_same_placeholders_and_their_own_script(code):
    entry = MESSAGES[code]
    assert set(entry) == {"zh-hans", "en"}
    assert _fields(entry["zh-hans"]) == _fields(entry["en"])
    for _name, spec in _fields(entry["zh-hans"]):
        assert spec in ("", "fen", "kinds", "days") or spec in LABEL_GROUPS, spec
    assert not CJK.search(entry["en"]), entry["en"]
    if "." in code and code.split(".")[0] not in LABEL_GROUPS or len(code.split(".")) > 2:
        assert CJK.search(entry["zh-hans"]), entry["zh-hans"]


def test_every_code_raised_anywhere_in_the_app_is_in_the_catalogue():
    raised = set()
    pattern = re.compile(
        r"(?:DomainError|ConflictError|PermissionDeniedError|NotFoundError)\(\s*\"([a-z_.]+)\""
    )
    for path in PACKAGE.rglob("*.py"):
        raised |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert raised, "the scan found nothing: the pattern is broken"
    missing = sorted(code for code in raised if code not in MESSAGES)
    assert not missing, missing


def test_every_code_string_in_the_domain_core_is_in_the_catalogue():
    literal = re.compile(
        r"\"((?:law|platform|shop|shop_rule|policy|case|refund|deadline|money|time)\.[a-z_.]+)\""
    )
    sources = [
        *(PACKAGE / "cases" / "domain").glob("*.py"),
        PACKAGE / "refunds" / "domain" / "refundable.py",
        PACKAGE / "core" / "money.py",
        PACKAGE / "core" / "clock.py",
    ]
    found = set()
    for path in sources:
        found |= set(literal.findall(path.read_text(encoding="utf-8")))
    # The outbox templates an event kind sends are the notifications' catalogue (test_event_kinds.py).
    found -= {spec.message for spec in events.EVENT_KINDS.values() if spec.message}
    missing = sorted(code for code in found if code not in MESSAGES)
    assert not missing, missing


@pytest.mark.parametrize(
    ("group", "values"),
    [
        ("kind", states.Kind),
        ("status", states.Status),
        ("action", states.Action),
        ("actor", states.Actor),
        ("platform", Platform),
        ("reason", Reason),
        ("category", LawCategory),
        ("stage", deadlines.Stage),
        ("default_action", deadlines.DefaultAction),
    ],
)
def test_every_vocabulary_value_has_a_label(group, values):
    for value in values:
        assert f"{group}.{value.value}" in MESSAGES


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("zh", "zh-hans"),
        ("zh-CN", "zh-hans"),
        ("zh-hans", "zh-hans"),
        ("zh-Hant", "zh-hans"),
        ("fr", "zh-hans"),
        ("", "zh-hans"),
        (None, "zh-hans"),
        ("english", "zh-hans"),
    ],
)
def test_language_normalisation(given, expected):
    assert normalize_language(given) == expected


def test_translate_formats_money_labels_and_times():
    assert translate("refund.exceeds_refundable", "zh", requested=12345, refundable=100) == (
        "退款 ¥123.45 超过了可退金额 ¥1.00。"
    )
    assert translate("refund.exceeds_refundable", "en-US", requested="12345", refundable=100) == (
        "The refund of 12345 is more than the ¥1.00 that can be refunded."
    )
    assert translate(
        "case.illegal_transition", "zh-CN", action="approve", status="closed", kind="exchange"
    ) == ("换货售后单在「已关闭」状态下不能执行「同意」。")
    assert translate(
        "policy.kind_not_offered", "en", kind="refund_only", remedies=["exchange", "repair"]
    ) == ("Not offered here: refund only. Available: exchange, repair.")
    assert translate(
        "policy.kind_not_offered", "zh-hans", kind="refund_only", remedies="exchange,repair"
    ) == ("当前情况不支持「仅退款」，可选：换货、维修。")
    ends = datetime(2026, 5, 10, 15, 59, 59, 999999, tzinfo=UTC)
    assert "2026-05-10 23:59" in translate("law.no_reason.within_window", "zh", days=7, ends_at=ends)


def test_translate_falls_back_gracefully():
    assert translate("no.such.code", "en") == "no.such.code"
    assert translate("case.unknown_value", "en") == "Unknown value “{value}” for {field}."
    assert translate("money.negative", "fr", value="-5") == "金额不能为负数（-5）。"
    assert translate("case.actor_not_allowed", "en", action="fly", actor="cat") == (
        "The cat is not allowed to “fly”."
    )


def test_label_helper():
    assert label("kind", states.Kind.EXCHANGE) == "换货"
    assert label("platform", "douyin", "en") == "Douyin"
    assert label("category", "spaceship", "en") == "spaceship"


def test_a_count_of_days_reads_in_the_singular_for_one():
    """The buyer's portal said "(1 days since signing)"."""
    from aftersales.core.messages import translate

    assert translate("law.quality.return_window", "en", days_since_signing=1).endswith("(1 day since signing).")
    assert translate("law.quality.return_window", "en", days_since_signing=0).endswith("(0 days since signing).")
    assert translate("law.quality.return_window", "zh-hans", days_since_signing=1).endswith("（已签收 1 天）。")
