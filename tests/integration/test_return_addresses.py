"""Return addresses (rule L6): the owner keeps them per warehouse with defaults per platform and category;
approving a return keeps a copy on the case, which the buyer sees (portal, message), the export lists
and the platform push sends by the platform's own address id."""

from __future__ import annotations

import csv
import io

import pytest

from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent
from aftersales.catalog import return_addresses as book
from aftersales.catalog.models import Category, ReturnAddress
from aftersales.core.errors import DomainError
from aftersales.notifications.models import Message
from tests.integration.console_support import MERCHANT, member, open_case, recent_order, text
from tests.integration.test_rendered_pages import no_template_syntax

pytestmark = pytest.mark.django_db

HANGZHOU = {"name": "杭州主仓", "contact": "老陈", "phone": "13800001111", "province": "浙江省", "city": "杭州市",
            "district": "余杭区", "detail": "良睦路 1399 号 3 号库", "postcode": "311121"}
GUANGZHOU = {"name": "广州仓", "contact": "阿强", "phone": "020-88886666", "province": "广东省", "city": "广州市",
             "district": "白云区", "detail": "大源北路 88 号", "postcode": ""}


def add(shop, fields, **kw):
    return book.save_return_address(shop, fields=fields, **kw)


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_approving_a_return_keeps_a_copy_of_the_default_address(shop):
    main = add(shop, HANGZHOU, is_default=True, platform_ids={"douyin": "DY-77"})
    add(shop, GUANGZHOU)
    case = open_case(shop, recent_order(shop, "RA0001"))
    services.approve_case(shop, case.pk, MERCHANT)
    case = fresh(case)
    assert case.status == "awaiting_return"
    assert case.return_address == {
        "id": main.pk, "name": "杭州主仓", "contact": "老陈", "phone": "13800001111", "province": "浙江省",
        "city": "杭州市", "district": "余杭区", "detail": "良睦路 1399 号 3 号库", "postcode": "311121",
        "platform_ids": {"douyin": "DY-77"}}
    event = CaseEvent.objects.get(case=case, action="approve")
    assert event.payload["return_address_id"] == main.pk
    # Editing the address book later does not rewrite what the buyer was told.
    add(shop, {**HANGZHOU, "detail": "新地址 1 号"}, address_id=main.pk, is_default=True)
    book.delete_return_address(shop, main.pk)
    assert fresh(case).return_address["detail"] == "良睦路 1399 号 3 号库"


def test_the_most_specific_default_wins_and_the_agent_may_pick_another(shop):
    category = Category.objects.get(shop=shop, name="女装")
    add(shop, HANGZHOU, is_default=True)
    guangzhou = add(shop, GUANGZHOU, is_default=True, platform="douyin", category_id=category.pk)
    first = open_case(shop, recent_order(shop, "RA0002"))
    services.approve_case(shop, first.pk, MERCHANT)
    assert fresh(first).return_address["name"] == "广州仓"
    other = add(shop, {**HANGZHOU, "name": "上海仓"})
    second = open_case(shop, recent_order(shop, "RA0003"))
    services.approve_case(shop, second.pk, MERCHANT, return_address_id=other.pk)
    assert fresh(second).return_address["name"] == "上海仓"
    assert guangzhou.pk != other.pk


def test_one_default_per_scope(shop):
    first = add(shop, HANGZHOU, is_default=True)
    second = add(shop, GUANGZHOU, is_default=True)
    assert list(ReturnAddress.objects.filter(shop=shop, is_default=True).values_list("pk", flat=True)) == [second.pk]
    assert ReturnAddress.objects.get(pk=first.pk).is_default is False


def test_a_refund_without_return_keeps_no_address(shop):
    add(shop, HANGZHOU, is_default=True)
    case = open_case(shop, recent_order(shop, "RA0004", shipped=False), kind="refund_only", reason="no_reason")
    services.approve_case(shop, case.pk, MERCHANT)
    assert fresh(case).status == "refunding" and fresh(case).return_address == {}


def test_another_shops_address_is_refused_and_changes_nothing(shop, other_shop):
    add(shop, HANGZHOU, is_default=True)
    theirs = add(other_shop, GUANGZHOU, is_default=True)
    case = open_case(shop, recent_order(shop, "RA0005"))
    before = (fresh(case).status, fresh(case).version, CaseEvent.objects.filter(case=case).count())
    with pytest.raises(DomainError) as refused:
        services.approve_case(shop, case.pk, MERCHANT, return_address_id=theirs.pk)
    assert refused.value.code == "return_address.unknown"
    after = fresh(case)
    assert (after.status, after.version, CaseEvent.objects.filter(case=case).count()) == before
    assert after.return_address == {}
    # Nor may one shop edit or remove another's address.
    with pytest.raises(DomainError):
        book.save_return_address(shop, address_id=theirs.pk, fields=HANGZHOU)
    with pytest.raises(DomainError):
        book.delete_return_address(shop, theirs.pk)
    assert ReturnAddress.objects.get(pk=theirs.pk).name == "广州仓"


@pytest.mark.parametrize("fields, ids, code", [
    ({**HANGZHOU, "phone": "12345"}, {}, "return_address.bad_phone"),
    ({**HANGZHOU, "postcode": "31112"}, {}, "return_address.bad_postcode"),
    ({**HANGZHOU, "detail": "  "}, {}, "input.required"),
    ({**HANGZHOU, "detail": "路" * 121}, {}, "input.too_long"),
    (HANGZHOU, {"douyin": "<script>"}, "return_address.bad_platform_id"),
    (HANGZHOU, {"amazon": "1"}, "input.invalid_choice"),
])
def test_bad_input_is_refused_with_a_code_and_saves_nothing(shop, fields, ids, code):
    with pytest.raises(DomainError) as refused:
        add(shop, fields, platform_ids=ids)
    assert refused.value.code == code
    assert not ReturnAddress.objects.exists()


def test_the_owner_manages_addresses_with_phones_masked_in_the_list(client, shop, other_shop, owner):
    theirs = add(other_shop, GUANGZHOU)
    data = {f"addr-{k}": v for k, v in HANGZHOU.items()} | {"addr-is_default": "on", "addr-id_douyin": "DY-9"}
    assert client.post("/console/settings/addresses/save/", data).status_code == 302
    saved = ReturnAddress.objects.get(shop=shop)
    assert (saved.name, saved.phone, saved.is_default, saved.platform_ids) == ("杭州主仓", "13800001111", True,
                                                                               {"douyin": "DY-9"})
    page = text(client.get("/console/settings/addresses/"))
    no_template_syntax(page)
    assert "138****1111" in page and "13800001111" not in page.split("addr-phone")[0]
    assert "广州仓" not in page  # another shop's address is not listed
    # A bad phone: refused in Chinese, nothing changed.
    response = client.post("/console/settings/addresses/save/", {**data, "addr-address_id": saved.pk,
                                                                  "addr-phone": "123"})
    assert response.status_code == 422 and "联系电话「123」无效" in text(response)
    assert ReturnAddress.objects.get(pk=saved.pk).phone == "13800001111"
    # Another shop's address cannot be edited or removed from here.
    other = {**data, "addr-address_id": theirs.pk, "addr-name": "改名"}
    assert client.post("/console/settings/addresses/save/", other).status_code == 404
    assert client.post(f"/console/settings/addresses/{theirs.pk}/delete/").status_code == 404
    assert ReturnAddress.objects.get(pk=theirs.pk).name == "广州仓"


def test_agents_may_not_manage_addresses(client, shop):
    client.force_login(member(shop, "agent_r", "agent"))
    assert client.get("/console/settings/addresses/").status_code == 403
    response = client.post("/console/settings/addresses/save/", {f"addr-{k}": v for k, v in HANGZHOU.items()})
    assert response.status_code == 403 and not ReturnAddress.objects.exists()


def test_the_agent_approves_with_a_chosen_address_and_the_buyer_is_told(client, shop, agent):
    add(shop, HANGZHOU, is_default=True)
    guangzhou = add(shop, GUANGZHOU)
    case = open_case(shop, recent_order(shop, "RA0006"))
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "杭州主仓 · 浙江省 杭州市 余杭区 良睦路 1399 号 3 号库 311121，老陈 138****1111" in page
    response = client.post(f"/console/cases/{case.pk}/act/approve/", {"approve-return_address": guangzhou.pk})
    assert response.status_code == 302
    case = fresh(case)
    assert case.return_address["name"] == "广州仓"
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "广东省 广州市 白云区 大源北路 88 号" in page and "020****6666" in page
    no_template_syntax(page)
    message = Message.objects.get(case=case, template="case.approved_return")
    assert "退货地址：广东省 广州市 白云区 大源北路 88 号，阿强 020-88886666。" in message.body
    # The buyer reads the whole address, with the phone to write on the parcel.
    client.logout()
    assert client.post("/portal/", {"order_no": "RA0006", "last4": "5678"}).status_code == 302
    portal = text(client.get(f"/portal/cases/{case.pk}/"))
    assert "广东省 广州市 白云区 大源北路 88 号" in portal and "阿强 · <span class=\"mono\">020-88886666" in portal
    no_template_syntax(portal)


def test_a_bad_address_pick_on_the_page_changes_nothing(client, shop, other_shop, agent):
    add(shop, HANGZHOU, is_default=True)
    theirs = add(other_shop, GUANGZHOU)
    case = open_case(shop, recent_order(shop, "RA0007"))
    for bad in (str(theirs.pk), "abc", "-1"):
        response = client.post(f"/console/cases/{case.pk}/act/approve/", {"approve-return_address": bad})
        assert response.status_code == 422, bad
        assert fresh(case).status == "requested" and fresh(case).return_address == {}


def test_the_case_export_lists_the_address_with_the_phone_masked(client, shop, agent):
    add(shop, HANGZHOU, is_default=True)
    case = open_case(shop, recent_order(shop, "RA0008"))
    services.approve_case(shop, case.pk, MERCHANT)
    body = client.get("/console/export/cases.csv").content.decode("utf-8-sig")
    record = next(r for r in csv.DictReader(io.StringIO(body)) if r["售后单号"] == fresh(case).number)
    assert record["商家退货地址"] == "浙江省 杭州市 余杭区 良睦路 1399 号 3 号库"
    assert record["商家退货联系人"] == "老陈 138****1111"


def test_the_api_approves_with_an_address_and_shows_it_masked(api, shop, other_shop):
    add(shop, HANGZHOU, is_default=True)
    guangzhou = add(shop, GUANGZHOU)
    theirs = add(other_shop, {**GUANGZHOU, "name": "别家仓"})
    case = open_case(shop, recent_order(shop, "RA0009"))
    refused = api.post(f"/api/v1/cases/{case.pk}/approve", {"return_address_id": theirs.pk})
    assert refused.status_code == 422 and refused.json()["code"] == "return_address.unknown"
    assert fresh(case).status == "requested"
    response = api.post(f"/api/v1/cases/{case.pk}/approve", {"return_address_id": guangzhou.pk})
    assert response.status_code == 200
    assert response.json()["return_address"]["name"] == "广州仓"
    assert response.json()["return_address"]["phone"] == "020****6666"


@pytest.fixture
def _fast_platform(monkeypatch):
    from aftersales.platforms.connectors.base import BaseConnector

    monkeypatch.setattr(BaseConnector, "calls_per_second", 0.0)
    monkeypatch.setattr(BaseConnector, "backoff", 0.0)


@pytest.mark.parametrize("platform, address_ids, known, sent", [
    ("douyin", {"douyin": "2002"}, {"2002"}, "2002"),  # the address's own id at the platform
    ("pdd", {"pdd": "3003"}, {"3003"}, "3003"),
    ("taobao", {"douyin": "2002"}, {"1001"}, "1001"),  # none for this platform: the store's
])
def test_agreeing_to_a_return_sends_the_addresss_platform_id(shop, _fast_platform, platform, address_ids, known,
                                                              sent):
    from aftersales.platforms.sync.models import PlatformCommand
    from aftersales.platforms.sync.pull import pull_store
    from aftersales.platforms.sync.push import deliver_commands
    from tests.integration.platform_sync_support import connected

    add(shop, HANGZHOU, is_default=True, platform_ids=address_ids)
    sim, connection = connected(shop, platform)
    sim.return_address_ids = set(known)  # the platform refuses an address id it does not know
    sim_case = sim.add_case(kind="return_refund")
    pull_store(connection)
    case = Case.objects.get(shop=shop)
    services.approve_case(shop, case.pk, MERCHANT)
    command = PlatformCommand.objects.get(case=case)
    assert command.args["return_address_id"] == sent
    assert deliver_commands().done == 1
    assert sim.cases[sim_case.case_id].status == "awaiting_return"


def test_the_agent_is_warned_when_the_shop_has_no_address_and_approving_still_works(client, shop, agent):
    case = open_case(shop, recent_order(shop, "RA0010"))
    page = text(client.get(f"/console/cases/{case.pk}/"))
    assert "店铺还没有退货地址：同意退货后买家将不知道寄往哪里。" in page and "请店长在店铺设置中添加。" in page
    assert 'name="approve-return_address"' not in page
    assert client.post(f"/console/cases/{case.pk}/act/approve/", {}).status_code == 302
    assert fresh(case).status == "awaiting_return" and fresh(case).return_address == {}
