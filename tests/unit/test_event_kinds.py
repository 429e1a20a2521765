"""The case event kinds: one declared list, each with an audience, labels in both languages and a message
the outbox really has."""

import pytest

from aftersales.cases.domain import events
from aftersales.cases.domain.events import BUYER_VISIBLE, EVENT_KINDS, Audience, EventKind, event_spec
from aftersales.cases.domain.states import Action
from aftersales.core.errors import DomainError
from aftersales.core.messages import MESSAGES, label
from aftersales.notifications.rendering import TEMPLATES


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_kind_is_declared_with_labels_in_chinese_and_english(kind):
    spec = EVENT_KINDS[kind]
    entry = MESSAGES[spec.label_key]
    assert entry["zh-hans"].strip() and entry["en"].strip()
    assert label("event", kind.value, "zh-hans") != kind.value
    assert label("event", kind.value, "en") != kind.value


def test_every_move_of_the_state_machine_is_an_event_kind():
    assert {a.value for a in Action} <= set(EVENT_KINDS)


@pytest.mark.parametrize("spec", list(EVENT_KINDS.values()), ids=lambda s: s.kind.value)
def test_every_message_an_event_sends_is_a_template_of_the_outbox(spec):
    if spec.message is not None:
        assert spec.message in TEMPLATES
        assert spec.message.startswith("staff.") == (spec.audience != Audience.BUYER)


def test_deadline_notices_and_bookkeeping_are_not_for_the_buyer():
    # Finding 4: the sweeper's notices reached the buyer's timeline ("overdue, needs manual handling").
    for kind in ("deadline_reminder", "deadline_escalation", "deadline_passed", "note", "tags", "assign",
                 "follow_up_on", "follow_up_off", "ready_to_refund", "compensation", "refund_failed",
                 "platform_sync", "order_line_replaced"):
        assert kind not in BUYER_VISIBLE
    assert {"open", "approve", "reject", "grant_refund", "refund_settled", "reply", "close"} <= BUYER_VISIBLE


def test_an_undeclared_kind_is_refused_with_a_code():
    with pytest.raises(DomainError) as raised:
        event_spec("remind")
    assert raised.value.code == "case.unknown_event_kind"
    assert event_spec("approve").kind == EventKind.APPROVE
    assert events.event_spec("deadline_passed").audience == Audience.STAFF
