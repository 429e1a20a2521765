"""The classify-reasons contract: the command (one JSON object per input line, in order) and
POST /api/v1/reasons/classify (token auth, at most 500 texts, coded 422s, writes nothing)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersales.accounts.models import ApiToken
from aftersales.cases.models import Case
from aftersales.intelligence.reasons.classify import classify

pytestmark = pytest.mark.django_db

TEXTS = ["衣服太小了穿不上，换大一码", "", "发错货了！我要的是黑色，再不处理就投诉", "It arrived broken, the box was crushed."]
KEYS = ["reason", "urgency", "confidence", "tags", "evidence"]


def run(*args) -> list[dict]:
    out = StringIO()
    call_command("classify-reasons", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_command_prints_one_object_per_line_in_order(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_text("\ufeff" + "\n".join(TEXTS) + "\n", encoding="utf-8")  # with a BOM, as Excel writes
    got = run(str(path))
    assert len(got) == 4
    assert all(list(obj) == KEYS for obj in got)
    assert [obj["reason"] for obj in got] == ["size_fit", "other", "wrong_item", "damaged_in_transit"]
    assert [obj["urgency"] for obj in got] == [0, 0, 3, 0]
    assert got[0]["tags"] == ["尺码偏小"] and got[0]["evidence"][:2] == ["太小", "穿不上"]
    assert got[1] == {"reason": "other", "urgency": 0, "confidence": 0.0, "tags": [], "evidence": []}
    assert got[2]["evidence"][:2] == ["发错", "投诉"]
    assert got == [s.to_dict() for s in classify(TEXTS)]


def test_the_command_reads_windows_line_ends_and_big_files_in_batches(tmp_path):
    path = tmp_path / "many.txt"
    path.write_bytes(("一直没收到货\r\n" * 1201).encode("utf-8"))
    got = run(str(path))
    assert len(got) == 1201 and {obj["reason"] for obj in got} == {"not_received"}


def test_a_file_that_is_not_utf8_or_not_there_is_a_clear_error(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("发错货了".encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        run(str(gbk))
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "absent.txt"), "--lang", "en")


def test_the_api_answers_the_same_as_the_command(api):
    response = api.post("/api/v1/reasons/classify", {"texts": TEXTS})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["items"] == [s.to_dict() for s in classify(TEXTS)]
    assert api.post("/api/v1/reasons/classify", {"texts": []}).json() == {"items": [], "count": 0}


def test_the_api_needs_a_token_and_any_role_may_classify(client, shop, api):
    response = client.post("/api/v1/reasons/classify", {"texts": ["坏了"]}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"
    raw = ApiToken.issue(shop, name="desk", role="warehouse")[1]
    response = client.post("/api/v1/reasons/classify", {"texts": ["坏了"]}, content_type="application/json",
                           headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"texts": ["坏了"] * 501}, 422, "input.invalid"),
        ({"texts": ["坏" * 10_001]}, 422, "input.invalid"),
        ({"texts": "坏了"}, 422, "input.invalid"),
        ({"texts": [1, 2]}, 422, "input.invalid"),
        ({}, 422, "input.invalid"),
        ({"texts": ["坏了\x00"]}, 400, "input.malformed"),
    ],
)
def test_bad_input_is_a_coded_error_and_changes_nothing(api, order, body, status, code):
    cases, tokens = Case.objects.count(), list(ApiToken.objects.values_list("pk", "revoked_at"))
    response = api.post("/api/v1/reasons/classify", body, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response.json()["code"] == code
    if status == 422:
        assert response.json()["params"]["fields"].startswith("texts")
    assert Case.objects.count() == cases
    assert list(ApiToken.objects.values_list("pk", "revoked_at")) == tokens


def test_exactly_500_texts_are_accepted(api):
    response = api.post("/api/v1/reasons/classify", {"texts": ["发错货了"] * 500})
    assert response.status_code == 200 and response.json()["count"] == 500
