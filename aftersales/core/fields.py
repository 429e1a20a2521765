"""Small helpers shared by the models."""

from enum import StrEnum


def enum_choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


def mask_email(email: str) -> str:
    """l***@qq.com: enough for the buyer and the agent to recognise it, not enough to write to it."""
    local, at, domain = email.strip().partition("@")
    if not at or not local or not domain:
        return "***" if email else ""
    return f"{local[0]}***@{domain}"


def mask_phone(phone: str) -> str:
    """138****1234. Anything too short to mask is hidden whole; masked input stays masked."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "*")
    if len(digits) < 7:
        return "****" if phone else ""
    return f"{digits[:3]}****{digits[-4:]}"
