"""Open-platform clients for 抖店, 淘宝/天猫 (TOP), 京东 and 拼多多 — pure Python, no Django.

Each platform module has its signing rule, the calls the sync needs (changed cases in a time window,
one case, the merchant's actions, token refresh, push-message checks) and the translation of its
JSON into the canonical field texts that the import mappings read. `connector_for(platform)` gives
the module's `Connector`.
"""

from __future__ import annotations

from aftersales.platforms.connectors.base import (
    ACTIONS,
    ApiError,
    CaseItem,
    Credentials,
    EvidenceFile,
    HttpTransport,
    Page,
    RefuseReason,
    Token,
    Transport,
)


def connector_for(platform: str):
    """The connector class of a platform (天猫's is Taobao's with its stricter refusal)."""
    import importlib

    module = {"tmall": "taobao"}.get(platform, platform)
    if module not in ("douyin", "taobao", "jd", "pdd"):
        raise ValueError(f"no connector for platform {platform!r}")
    found = importlib.import_module(f"aftersales.platforms.connectors.{module}")
    return found.TmallConnector if platform == "tmall" else found.Connector


__all__ = ["ACTIONS", "ApiError", "CaseItem", "Credentials", "EvidenceFile", "HttpTransport", "Page", "RefuseReason",
           "Token", "Transport", "connector_for"]
