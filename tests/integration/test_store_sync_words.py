"""平台授权: why a store's sync failed reads in the owner's language, not as the connector's code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.platforms.sync.models import StoreConnection
from tests.integration.console_support import member
from tests.integration.platform_sync_support import connected

pytestmark = pytest.mark.django_db


def test_the_sync_failure_and_failed_calls_are_named_in_chinese(client, shop):
    _, connection = connected(shop, "douyin")
    StoreConnection.objects.filter(pk=connection.pk).update(
        last_error_code="unavailable:", calls_failed={"unavailable": 24, "rate_limited": 2})
    client.force_login(member(shop, "owner1", "owner"))
    page = client.get(reverse("stores:home")).content.decode()
    row = page[page.index(f'data-store="{connection.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "unavailable" not in row and "rate_limited" not in row
    assert "无法连接平台" in row and "无法连接平台 24" in row and "限流 2" in row
