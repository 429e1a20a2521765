"""How urgent a buyer's words are: an angry buyer who threatens a complaint or a bad review comes first.

Pure: no Django. 0 calm, 1 impatient, 2 angry, 3 threatens a complaint, a bad review or the media.
"""

from __future__ import annotations

_LEVELS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        3,
        (
            "12315",
            "投诉",
            "工商",
            "消协",
            "市场监管",
            "律师",
            "起诉",
            "法院",
            "曝光",
            "媒体",
            "报警",
            "差评",
            "complaint",
            "lawyer",
            "bad review",
            "sue",
        ),
    ),
    (
        2,
        ("骗子", "垃圾", "欺骗", "太差", "气死", "无良", "坑人", "假货", "fake", "scam", "angry", "terrible"),
    ),
    (1, ("尽快", "马上", "急", "赶紧", "催", "几天了", "还没", "怎么还", "asap", "urgent", "still")),
)


def urgency_of(text: str) -> int:
    lowered = (text or "").lower()
    for level, words in _LEVELS:
        if any(word in lowered for word in words):
            return level
    return 0
