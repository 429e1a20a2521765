"""Telling a shop's owners that a connected store needs them: a refused token refresh, a stalled sync.

Each alert is one outbox message per owner (staff audience, the log channel unless the shop set
e-mail), keyed so that the same stall or the same failed refresh is told once. The texts are in the
shop's working language (Chinese), like the other staff messages; they never include a secret.
"""

from __future__ import annotations

from aftersales.accounts.models import Membership
from aftersales.core import clock
from aftersales.core.choices import PLATFORM_LABELS, Role
from aftersales.notifications.models import Audience, ChannelKind, Message, MessageStatus


def _store_name(connection) -> str:
    """抖店「旗舰店」: the platform's Chinese name (the label catalogue's) and the store's."""
    names = PLATFORM_LABELS.get(connection.platform)
    return f"{names[0] if names else connection.platform}「{connection.name}」"


def _tell_owners(connection, template: str, subject: str, body: str, key: str) -> int:
    now = clock.now()
    owners = Membership.objects.filter(shop_id=connection.shop_id, role=Role.OWNER.value).select_related("user")
    messages = [Message(
        shop_id=connection.shop_id, audience=Audience.STAFF.value, recipient=m.user.get_username()[:200],
        recipient_user=m.user, channel=ChannelKind.LOG.value, template=template, language="zh-hans",
        subject=subject[:200], body=body, data={"store": connection.pk, "platform": connection.platform},
        dedupe_key=f"{key}:{m.user_id}"[:120], status=MessageStatus.PENDING.value, next_attempt_at=now,
        created_at=now,
    ) for m in owners]
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    return len(messages)


def token_refresh_failed(connection, error) -> int:
    name = _store_name(connection)
    stamp = clock.now().strftime("%Y%m%d%H")
    return _tell_owners(
        connection, "platform.token_refresh_failed", f"{name}授权已失效",
        f"{name}的访问令牌刷新失败（{error.platform_code or error.kind}），同步已暂停。"
        "请到 店铺设置 → 平台授权 重新授权。", f"pf-token:{connection.pk}:{stamp}")


def sync_stalled(connection, minutes: int) -> int:
    name = _store_name(connection)
    since = connection.last_success_at.isoformat() if connection.last_success_at else "never"
    return _tell_owners(
        connection, "platform.sync_stalled", f"{name}已{minutes}分钟未同步",
        f"{name}已超过{minutes}分钟没有成功同步（最近错误：{connection.last_error_code or '无'}）。"
        "请到 店铺设置 → 平台授权 → 同步状态 查看。", f"pf-stall:{connection.pk}:{since}")
