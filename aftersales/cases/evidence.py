"""Evidence photos: validated as real images (not just by their name), stored content-addressed."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from aftersales.accounts.models import Shop
from aftersales.cases.kernel import By, lock_case, record_event
from aftersales.cases.models import Evidence
from aftersales.core.errors import DomainError

_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
MAX_PER_CASE = 20


def inspect_image(data: bytes) -> tuple[str, str, int, int]:
    """(content type, extension, width, height) of a JPEG, PNG or WebP, or a DomainError."""
    if not data:
        raise DomainError("evidence.empty")
    if len(data) > settings.EVIDENCE_MAX_BYTES:
        raise DomainError("evidence.too_large", limit_mb=settings.EVIDENCE_MAX_BYTES // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt, (width, height) = probe.format, probe.size
            if fmt not in _FORMATS:
                raise DomainError("evidence.not_an_image")
            if width * height > MAX_PIXELS:
                raise DomainError("evidence.too_many_pixels")
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("evidence.not_an_image") from None
    content_type, extension = _FORMATS[fmt]
    return content_type, extension, width, height


@transaction.atomic
def add_evidence(shop: Shop, case_id: int, by: By, *, data: bytes, inspection=None) -> Evidence:
    content_type, extension, width, height = inspect_image(data)
    case = lock_case(shop, case_id)
    if case.evidence.count() >= MAX_PER_CASE:
        raise DomainError("evidence.too_many", limit=MAX_PER_CASE)
    digest = hashlib.sha256(data).hexdigest()
    existing = case.evidence.filter(sha256=digest).first()
    if existing is not None:
        return existing
    evidence = Evidence(
        case=case,
        shop=shop,
        sha256=digest,
        content_type=content_type,
        extension=extension,
        size=len(data),
        width=width,
        height=height,
        uploaded_by=by.actor.value,
        inspection=inspection,
    )
    evidence.file.save(f"{digest}.{extension}", ContentFile(data), save=False)
    evidence.save()
    record_event(
        case,
        by,
        "evidence",
        from_status=case.status,
        payload={"evidence": evidence.pk, "sha256": digest, "size": len(data)},
    )
    return evidence
