"""The outbox: messages written with the change they report, delivered by log, e-mail or signed webhook,
retried with backoff, and never delivered twice for one event."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction

from aftersales.cases import services
from aftersales.cases.models import CaseEvent
from aftersales.notifications.delivery import deliver_due, webhook_body
from aftersales.notifications.models import Message
from aftersales.notifications.outbox import enqueue_follow_ups, enqueue_for_event
from aftersales.notifications.rendering import verify
from aftersales.refunds import services as refunds
from tests.integration.test_timers_support import (
    MERCHANT,
    T0,
    frozen_clock,  # noqa: F401 - a fixture
    make_order,
    make_shop,
    make_staff,
    open_case,
)
from tests.integration.webhook_support import Receiver

SECRET = "whsec-test-0123456789"


@pytest.fixture(autouse=True)
def _clock(frozen_clock):  # noqa: F811
    return frozen_clock


@pytest.fixture(autouse=True)
def _private_addresses(settings):
    """The receiver here listens on 127.0.0.1, where webhooks go only when private addresses are allowed."""
    settings.AFTERSALES_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def shop():
    shop = make_shop("hooks")
    make_staff(shop, "owner", "owner", email="owner@example.com")
    return shop


def approve(shop, platform="douyin", **kwargs):
    case = open_case(shop, make_order(shop, platform=platform, **kwargs))
    services.approve_case(shop, case.pk, MERCHANT, now=T0)
    return case


@pytest.mark.django_db
def test_the_message_is_written_in_the_same_transaction_as_the_change(shop):
    case = open_case(shop, make_order(shop))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_case(shop, case.pk, MERCHANT, now=T0)
        assert Message.objects.filter(case=case).count() == 1
        raise RuntimeError("the change is rolled back")
    assert not Message.objects.filter(case=case).exists()

    services.approve_case(shop, case.pk, MERCHANT, now=T0)
    [message] = Message.objects.filter(case=case)
    event = CaseEvent.objects.get(case=case, action="approve")
    assert message.event_id == event.pk and message.dedupe_key.startswith(f"ev{event.pk}:")
    assert (message.audience, message.channel, message.template, message.language) == (
        "buyer", "log", "case.approved_refund", "zh-hans")
    assert "已同意" in message.body and "¥123.00" in message.body


@pytest.mark.django_db
def test_one_event_never_makes_two_messages(shop):
    case = approve(shop)
    event = CaseEvent.objects.get(case=case, action="approve")
    enqueue_for_event(event)
    enqueue_for_event(event)
    assert Message.objects.filter(event_id=event.pk).count() == 1


@pytest.mark.django_db
def test_messages_for_each_change_that_matters_to_the_buyer(shop):
    order = make_order(shop, platform="douyin")
    case = open_case(shop, order)
    services.request_evidence(shop, case.pk, MERCHANT, note="请上传破损处照片", now=T0)
    services.reject_case(shop, case.pk, MERCHANT, reason_code="evidence_insufficient", note="照片看不清",
                         now=T0)
    services.resubmit_case(shop, case.pk, services.By(services.Actor.BUYER), now=T0)
    services.approve_case(shop, case.pk, MERCHANT, now=T0)
    refunds.grant_refund(shop, case.pk, MERCHANT, now=T0)
    refunds.execute_refund(shop, case.pk, MERCHANT, idempotency_key="test-key-0001", now=T0)
    templates = list(Message.objects.filter(case=case).order_by("id").values_list("template", flat=True))
    assert templates[:4] == ["evidence.requested", "case.rejected", "case.approved_refund", "refund.executed"]
    assert templates.count("refund.settled") <= 1  # settled once, not once more for the move to completed
    rejected = Message.objects.get(case=case, template="case.rejected")
    assert "凭证不足" in rejected.body and "照片看不清" in rejected.body


@pytest.mark.django_db
def test_webhook_is_signed_and_a_failing_endpoint_gets_it_exactly_once_after_retries(shop):
    with Receiver(statuses=[500, 503, 200]) as receiver:
        shop.webhook_url, shop.webhook_secret = receiver.url, SECRET
        shop.save()
        case = approve(shop)
        [message] = Message.objects.filter(case=case)
        assert message.channel == "webhook"

        with time_machine.travel(T0, tick=False):
            assert deliver_due().counts == {"failed": 1}
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("failed", 1)
        assert message.next_attempt_at == T0 + timedelta(minutes=1)
        assert message.last_error == "HTTP 500"

        with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
            assert deliver_due().attempted == 0  # not due yet
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
            assert deliver_due().counts == {"failed": 1}
        message.refresh_from_db()
        assert message.next_attempt_at == T0 + timedelta(minutes=6)
        with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
            assert deliver_due().counts == {"sent": 1}
        for later in (timedelta(minutes=7), timedelta(days=2)):
            with time_machine.travel(T0 + later, tick=False):
                assert deliver_due().attempted == 0

    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == ("sent", 3, T0 + timedelta(minutes=6))
    assert receiver.delivered() == {str(message.pk): 1}
    assert len(receiver.requests) == 3
    for request in receiver.requests:
        headers, body = request["headers"], request["body"]
        assert verify(body, SECRET, headers["X-Aftersales-Signature"])
        assert headers["X-Aftersales-Signature"].startswith("sha256=")
        assert headers["X-Aftersales-Event"] == "case.approved_refund"
        assert headers["X-Aftersales-Delivery"] == str(message.pk)
        assert body == receiver.requests[0]["body"]  # a retry sends the very same bytes
    document = json.loads(receiver.requests[0]["body"])
    assert document["delivery"] == str(message.pk) and document["shop"] == "hooks"
    assert document["data"]["case"]["number"] == case.number
    assert document["data"]["buyer"]["phone_masked"] == "138****5678"
    assert "13812345678" not in receiver.requests[0]["body"].decode()


@pytest.mark.django_db
def test_backoff_1m_5m_30m_2h_12h_then_dead(shop):
    with Receiver(statuses=[500]) as receiver:
        shop.webhook_url, shop.webhook_secret = receiver.url, SECRET
        shop.save()
        approve(shop)
        message = Message.objects.get()
        now = T0
        waits = []
        for _ in range(6):
            with time_machine.travel(now, tick=False):
                deliver_due()
            message.refresh_from_db()
            if message.next_attempt_at is None:
                break
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
        minutes = [wait / timedelta(minutes=1) for wait in waits]
        assert minutes == [1, 5, 30, 120, 720]
        assert (message.status, message.attempts) == ("dead", 6)
        with time_machine.travel(now + timedelta(days=7), tick=False):
            assert deliver_due().attempted == 0
    assert len(receiver.requests) == 6

    out = StringIO()
    with Receiver(statuses=[200]) as fixed:
        shop.webhook_url = fixed.url
        shop.save()
        call_command("send-outbox", "--once", "--retry", str(message.pk), stdout=out)
    assert "sent=1" in out.getvalue()
    assert fixed.delivered() == {str(message.pk): 1}


@pytest.mark.django_db
def test_the_webhook_body_is_what_is_signed(shop):
    shop.webhook_url, shop.webhook_secret = "http://127.0.0.1:9/", SECRET
    shop.save()
    approve(shop)
    message = Message.objects.get()
    body = webhook_body(message)
    assert body == webhook_body(Message.objects.get())  # stable across reads
    assert json.loads(body)["event"] == "case.approved_refund"


@pytest.mark.django_db
def test_no_secret_means_nothing_is_sent_unsigned(shop):
    shop.webhook_url = "http://127.0.0.1:9/"
    shop.save()
    approve(shop)
    report = deliver_due(T0 + timedelta(minutes=1))
    assert report.counts == {"skipped": 1}
    assert "secret" in Message.objects.get().last_error


@pytest.mark.django_db
def test_log_channel_masks_phone_numbers(shop, caplog):
    case = open_case(shop, make_order(shop, phone="13912345678", nick="李女士"))
    note = "请拍照后回电 13912345678 或 021-61234567"
    services.request_evidence(shop, case.pk, MERCHANT, note=note, now=T0)
    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        assert deliver_due(T0).counts == {"sent": 1}
    text = caplog.text
    assert "139****5678" in text and "021****4567" in text
    assert "13912345678" not in text and "61234567" not in text
    assert "李女士" in text


@pytest.mark.django_db
def test_email_goes_to_staff_and_is_skipped_clearly_for_a_buyer_without_address(shop):
    shop.notify_email = True
    shop.save()
    case = approve(shop)
    buyer_message = Message.objects.get(case=case, audience="buyer")
    assert buyer_message.status == "skipped" and "no e-mail address" in buyer_message.last_error

    agent = make_staff(shop, "agent", "agent", email="agent@example.com")
    case = open_case(shop, make_order(shop))
    services.assign_case(shop, case.pk, MERCHANT, assignee=agent, now=T0)
    from aftersales.cases import timers

    timers.sweep(case.deadline_at - timedelta(hours=3))
    report = deliver_due(case.deadline_at)
    assert report.counts["sent"] == 1
    [sent] = mail.outbox
    assert sent.to == ["agent@example.com"] and "提醒" in sent.subject and case.number in sent.body


@pytest.mark.django_db
def test_daily_follow_up_once_per_beijing_day(shop):
    case = open_case(shop, make_order(shop))
    services.set_follow_up(shop, case.pk, MERCHANT, follow_up=True, now=T0)
    nine = T0  # 09:00 Beijing
    assert enqueue_follow_ups(nine) == 0  # too early to message a buyer
    ten = T0 + timedelta(hours=1)
    assert enqueue_follow_ups(ten) == 1
    assert enqueue_follow_ups(ten + timedelta(hours=5)) == 0
    assert enqueue_follow_ups(ten + timedelta(days=1)) == 1
    messages = Message.objects.filter(case=case, template="case.progress")
    assert messages.count() == 2 and "待商家处理" in messages[0].body
    # Told today already (the case was approved): no progress message on top.
    with time_machine.travel(ten + timedelta(days=2), tick=False):
        services.approve_case(shop, case.pk, MERCHANT)
        assert enqueue_follow_ups() == 0


@pytest.mark.django_db
def test_send_outbox_once_prints_what_happened(shop):
    approve(shop)
    out = StringIO()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        call_command("send-outbox", "--once", stdout=out)
    assert "sent=1" in out.getvalue()
    assert Message.objects.get().status == "sent"


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_webhook_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's")
    shop = make_shop("race-hooks")
    with Receiver(statuses=[200]) as receiver:
        shop.webhook_url, shop.webhook_secret = receiver.url, SECRET
        shop.save()
        for _ in range(40):
            approve(shop)
        ids = set(Message.objects.values_list("pk", flat=True))
        barrier = threading.Barrier(2)

        def work():
            try:
                barrier.wait()
                deliver_due(T0 + timedelta(minutes=1))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert receiver.delivered() == {str(pk): 1 for pk in ids}
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
