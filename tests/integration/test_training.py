"""The training centre end to end through the real pages: a trainee works scenarios in the real console
case page, the simulated buyer and platform answer through the real services, the score sheet shows
the reasons; and nothing of it reaches the real shop's inbox, figures, outbox or ledger."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import Shop
from aftersales.analytics.models import Rollup
from aftersales.care.models import ReplyTemplate
from aftersales.cases.models import Case, CaseEvent
from aftersales.console.queries import inbox_cases
from aftersales.notifications.models import Message
from aftersales.platforms.sync.models import PlatformCommand
from aftersales.refunds.models import RefundPayment
from aftersales.training import services
from aftersales.training.models import Attempt, CourseAssignment
from aftersales.warehouse.inspection import inspect_with_photos
from aftersales.warehouse.services import CHECKLIST_ITEMS
from tests.integration.console_support import MERCHANT, member, open_case, recent_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(shop):
    return member(shop, "boss", "owner")


@pytest.fixture
def trainee(shop):
    return member(shop, "xiaoli", "trainee")


def _act(client, case, action, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    response = client.post(reverse("console:case_action", args=[case.pk, action]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("console:case", args=[case.pk]))  # the simulator answers here
    assert page.status_code == 200
    case.refresh_from_db()
    return page


def _template(case, kind):
    return ReplyTemplate.objects.filter(shop=case.shop, kind=kind, language="zh-hans").first()


def _start(client, key):
    response = client.post(reverse("training:start", args=[key]))
    assert response.status_code == 302
    attempt = Attempt.objects.get(scenario_key=key)
    assert response["Location"] == reverse("console:case", args=[attempt.case_id])
    return attempt, attempt.case


def test_a_trainee_may_only_train(client, shop, trainee):
    client.force_login(trainee)
    assert client.get(reverse("console:inbox"))["Location"] == reverse("training:home")
    assert client.get(reverse("training:home")).status_code == 200
    assert client.get(reverse("training:progress")).status_code == 403  # the owner's page
    real = open_case(shop, recent_order(shop, "DY9001"))
    assert client.get(reverse("console:case", args=[real.pk])).status_code == 403
    assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_a_lawful_return_approved_and_refunded_scores_100(client, shop, trainee):
    client.force_login(trainee)
    attempt, case = _start(client, "no-reason-tags-intact")
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "training-case" in page and "topbar training" in page
    assert case.shop.is_training and case.shop.training_of == shop
    solution = _template(case, "solution")
    _act(client, case, "reply", body="您好，可以退货，请寄回。", template=solution.pk)
    _act(client, case, "approve", note="")
    # The buyer sends it back at once (the simulator enters the tracking number as the buyer).
    assert case.status == "return_in_transit"
    assert case.return_tracking_no.startswith("SF")
    _act(client, case, "receive_return", note="")
    inspect_with_photos(case.shop, case.pk, MERCHANT, photos=[], grade="A",
                        checklist=dict.fromkeys(CHECKLIST_ITEMS, True))
    client.get(reverse("console:case", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "refunding"
    _act(client, case, "grant_refund", amount="199.00", reason_code="approved_request", note="")
    _act(client, case, "execute_refund", idempotency_key=f"{case.number}-trainingkey1")
    assert case.status == "completed"
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert attempt.scores == {"lawful": 100, "cost": 100, "time": 100, "care": 100, "evidence": 100}
    assert attempt.passed
    sheet = client.get(reverse("training:attempt", args=[attempt.pk])).content.decode()
    assert "依法处理了买家的合法申请" in sheet
    client.cookies["django_language"] = "en"
    sheet = client.get(reverse("training:attempt", args=[attempt.pk])).content.decode()
    assert "The lawful request was handled as the law requires." in sheet
    assert "Seven-day no-reason return, tags intact" in sheet and "The ideal path" in sheet
    del client.cookies["django_language"]
    # The buyer's words were written on the case as the buyer, never sent anywhere.
    said = CaseEvent.objects.filter(case=case, actor="buyer", action="note").values_list("note", flat=True)
    assert "已经寄回了，单号填好了。" in list(said)
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "留言" in page  # the buyer's words show as a message, not as an internal note


def test_a_wrong_refusal_leads_to_arbitration_and_fails_lawful(client, shop, trainee):
    client.force_login(trainee)
    attempt, case = _start(client, "no-reason-tags-intact")
    _act(client, case, "reject", reason_code="other", note="不想退", confirm="on")
    assert case.status == "arbitration"  # the buyer asked the platform to step in
    _act(client, case, "note", note="证据：商品页面说明")
    assert case.status == "refunding"  # the platform ruled for the buyer
    client.post(reverse("training:finish", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.scores["lawful"] == 0
    assert not attempt.passed
    sheet = client.get(reverse("training:attempt", args=[attempt.pk])).content.decode()
    assert "拒绝了一个依法应当支持的退货退款申请" in sheet


def test_an_angry_buyer_calmed_with_the_ladder(client, shop, trainee):
    client.force_login(trainee)
    attempt, case = _start(client, "angry-ladder")
    assert case.urgency == 2
    _act(client, case, "reply", body="非常抱歉！", template=_template(case, "apology").pk)
    _act(client, case, "compensate", rung="member_discount", amount="10", note="")
    said = list(CaseEvent.objects.filter(case=case, actor="buyer").values_list("note", flat=True))
    assert said[-1] == "嗯，这还差不多，谢谢。"
    _act(client, case, "approve", note="")
    _act(client, case, "grant_refund", amount="299.00", reason_code="approved_request", note="")
    _act(client, case, "execute_refund", idempotency_key=f"{case.number}-trainingkey2")
    attempt.refresh_from_db()
    assert attempt.scores == {"lawful": 100, "cost": 100, "time": 100, "care": 100, "evidence": 100}


def test_the_platform_approves_a_request_left_too_long(client, shop, trainee):
    import time_machine

    client.force_login(trainee)
    attempt, case = _start(client, "not-shipped-refund")
    with time_machine.travel(attempt.started_at + (case.deadline_at - case.created_at) / 60 + __import__(
            "datetime").timedelta(seconds=2), tick=False):
        # 24 simulated hours pass in 24 real minutes: the platform approves by itself.
        client.get(reverse("console:case", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "refunding"
    assert CaseEvent.objects.filter(case=case, action="approve", actor="system").exists()


def test_training_rows_stay_out_of_the_real_shop(client, shop, owner, trainee):
    real_case = open_case(shop, recent_order(shop, "DY9002"))
    rollups_before = list(Rollup.objects.filter(shop=shop).values_list("pk", flat=True))
    messages_before = Message.objects.count()
    client.force_login(trainee)
    attempt, case = _start(client, "not-shipped-refund")
    _act(client, case, "approve", note="")
    _act(client, case, "grant_refund", amount="65.00", reason_code="approved_request", note="")
    _act(client, case, "execute_refund", idempotency_key=f"{case.number}-trainingkey3")
    assert case.status == "completed"
    training = case.shop
    # Every query of the real shop: its inbox, its cases, its ledger, its figures.
    assert [c.pk for c in inbox_cases(shop, {"scope": "all"}, owner)] == [real_case.pk]
    assert list(Case.objects.filter(shop=shop)) == [real_case]
    assert not RefundPayment.objects.filter(shop=shop).exists()
    assert list(Rollup.objects.filter(shop=shop).values_list("pk", flat=True)) == rollups_before
    # The training shop itself: no figure, no message, money only through the simulated gateway.
    assert not Rollup.objects.filter(shop=training).exists()
    assert Message.objects.count() == messages_before
    assert not Message.objects.filter(case__shop=training).exists()
    assert RefundPayment.objects.get(shop=training).external_ref.startswith("SIM")
    assert not PlatformCommand.objects.filter(case__shop=training).exists()  # no platform is called
    # The owner's inbox page does not list it either.
    client.force_login(owner)
    client.post(reverse("accounts:switch_shop"), {"shop": shop.pk})
    inbox = client.get(reverse("console:inbox") + "?scope=all").content.decode()
    assert case.number not in inbox and real_case.number in inbox
    # And the owner cannot open the trainee's sandbox.
    assert client.get(reverse("console:case", args=[case.pk])).status_code == 404


def test_the_owner_sees_progress_assigns_courses_and_sets_the_pass_level(client, shop, owner, trainee):
    client.force_login(trainee)
    attempt, case = _start(client, "exempt-fresh")
    _act(client, case, "reply", body="生鲜不支持七天无理由", template=_template(case, "solution").pk)
    _act(client, case, "reject", reason_code="exempt_category", note="生鲜商品不适用七天无理由退货", confirm="on")
    attempt.refresh_from_db()
    assert attempt.passed  # the calm buyer accepts a grounded refusal, the case ended
    client.force_login(owner)
    assert client.post(reverse("training:pass_level"), {"pass_level": "90"}).status_code == 302
    assert services.pass_level(shop) == 90
    response = client.post(reverse("training:assign"), {"user": trainee.pk, "course": "basics"})
    assert response.status_code == 302
    assert CourseAssignment.objects.get(shop=shop, user=trainee).passed_at is None
    page = client.get(reverse("training:progress")).content.decode()
    assert "xiaoli" in page and "生鲜不适用七天无理由" in page
    assert client.get(reverse("training:attempt", args=[attempt.pk])).status_code == 200
    assert not Shop.objects.get(pk=case.shop_id).memberships.filter(user=owner).exists()


def test_the_owner_turns_a_closed_case_into_a_scenario_with_the_buyer_masked(client, shop, owner, trainee):
    from aftersales.cases import services as cases
    from aftersales.training.domain.scoring import score_path
    from aftersales.training.library import scenario_for
    from aftersales.training.models import ShopScenario

    order = recent_order(shop, "DY9003", days_ago=3)
    case = open_case(shop, order, kind="return_refund", reason="no_reason",
                     note="买家003说：太差了，我的电话 13812345678，不退就给差评！")
    client.force_login(owner)
    # An open case cannot become a scenario yet.
    response = client.post(reverse("training:from_case", args=[case.pk]))
    assert response["Location"] == reverse("console:case", args=[case.pk])
    assert not ShopScenario.objects.exists()
    cases.close_case(shop, case.pk, MERCHANT, reason_code="resolved_offline")
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'id="scenario-from-case"' in page
    assert client.post(reverse("training:from_case", args=[case.pk]))["Location"] == reverse("training:home")
    made = ShopScenario.objects.get(shop=shop)
    assert made.source_case_number == case.number
    assert "13812345678" not in made.source and "买家003" not in made.source
    scenario = scenario_for(shop, made.key)
    assert scenario.persona.key == "threatening"  # 差评: the buyer threatens a bad review
    assert scenario.decision().eligible is True
    assert score_path(scenario, scenario.ideal).as_dict() == dict.fromkeys(
        ("lawful", "cost", "time", "care", "evidence"), 100)
    assert score_path(scenario, scenario.wrong[0].steps)["lawful"].score == 0
    # A trainee finds it in the shop's own course and works it in the sandbox.
    client.force_login(trainee)
    assert "本店案例" in client.get(reverse("training:home")).content.decode()
    attempt, training_case = _start(client, made.key)
    assert training_case.shop.training_of == shop
    assert "13812345678" not in training_case.buyer_note
    # Another shop's owner cannot turn this case into their scenario.
    other = Shop.objects.create(slug="gamma", name="gamma")
    stranger = member(other, "stranger", "owner")
    client.force_login(stranger)
    assert client.post(reverse("training:from_case", args=[case.pk])).status_code == 404


def test_a_scripted_line_is_kept_by_its_code_and_read_in_the_readers_language(client, shop, trainee):
    """The buyer's line is recorded with its code: the English page reads it in English, the Chinese in
    Chinese; the training shop bears the shop's own name (the pages mark it as training)."""
    client.force_login(trainee)
    attempt, case = _start(client, "no-reason-tags-intact")
    assert case.shop.name == shop.name
    _act(client, case, "reject", reason_code="other", note="不想退", confirm="on")
    said = CaseEvent.objects.get(case=case, action="note", actor="buyer")
    assert said.payload == {"line": "escalating"}
    assert said.note == "这样不合理，我申请平台介入。"
    client.cookies["django_language"] = "en"
    english = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "That is not fair, I am asking the platform to step in." in english
    assert "这样不合理" not in english
    assert f"{shop.name} · Training" in english
    assert "· Trainee</span>" in english and "· Owner</span>" not in english  # the sandbox's owner is a trainee
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "这样不合理，我申请平台介入。" in chinese
    assert f"{shop.name} · 培训" in chinese and "Training" not in chinese.split("<main")[0]


def test_a_course_is_assigned_only_to_staff_the_training_centre_is_offered_to(client, shop, owner, trainee):
    """The warehouse desk's staff have no Training centre in their menu: a course assigned to them could
    never be taken, so they are not offered, and a course posted for them is refused."""
    keeper = member(shop, "laochen", "warehouse")
    client.force_login(owner)
    page = client.get(reverse("training:progress")).content.decode()
    assert f'value="{trainee.pk}"' in page and f'value="{keeper.pk}"' not in page
    response = client.post(reverse("training:assign"), {"user": keeper.pk, "course": "basics"})
    assert not CourseAssignment.objects.filter(user=keeper).exists()
    assert response.status_code in (200, 302, 422)


def test_the_score_sheet_tells_what_the_buyer_did_as_the_timeline_does(client, shop, trainee):
    """The buyer's own step read as an instruction to the trainee ("Buyer: ask the platform to arbitrate")."""
    client.force_login(trainee)
    attempt, case = _start(client, "no-reason-tags-intact")
    _act(client, case, "reject", reason_code="other", note="不想退", confirm="on")
    client.post(reverse("training:finish", args=[attempt.pk]))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("training:attempt", args=[attempt.pk])).content.decode()
    history = page.split('<ol class="history">')[1].split("</ol>")[0]
    assert "Platform arbitration requested" in history
    assert "ask the platform to arbitrate" not in history
    assert "That is not fair, I am asking the platform to step in." in history


def test_each_start_button_says_which_scenario_it_starts(client, shop, trainee):
    """Twenty-six buttons all named "开始": a screen reader or a keyboard user tabbing through heard no more."""
    client.force_login(trainee)
    page = client.get(reverse("training:home")).content.decode()
    assert '<strong id="scenario-angry-ladder">' in page
    assert 'aria-describedby="scenario-angry-ladder">开始</button>' in page


def test_an_english_trainee_gets_the_goods_and_the_buyer_named_in_english(client, shop, trainee):
    """The English trainee's case read 纯棉连衣裙 and 训练买家 among English words: the scenario library names
    them in both languages, and the case is opened in the trainee's."""
    client.force_login(trainee)
    client.cookies["django_language"] = "en"
    attempt, case = _start(client, "no-reason-tags-intact")
    line = case.lines.get().order_line
    assert (line.title, case.buyer.nick) == ("Cotton dress", "Training buyer")
    page = client.get(reverse("console:case", args=[case.pk])).content.decode()
    assert "纯棉连衣裙" not in page and "训练买家" not in page
    client.cookies["django_language"] = "zh-hans"
    attempt, case = _start(client, "gift-in-bundle")
    assert "训练买家" == case.buyer.nick
