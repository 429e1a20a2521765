"""Small helpers shared by the models."""

from enum import StrEnum


def enum_choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


def mask_phone(phone: str) -> str:
    """138****1234. Anything too short to mask is hidden whole; masked input stays masked."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "*")
    if len(digits) < 7:
        return "****" if phone else ""
    return f"{digits[:3]}****{digits[-4:]}"
