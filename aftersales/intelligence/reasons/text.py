"""How a buyer's text is made uniform before anything reads it: the one normalisation of the classifier.

Training, prediction, the lexicon scan and the evidence all see the text `normalize` returns, so a
word written in any of the ways below counts as the same word:

- full-width letters, digits and punctuation become half-width (ＸＬ → xl, １２３１５ → 12315, ！→ !),
  and letters lower case;
- traditional characters become simplified (質量問題 → 质量问题), by OpenCC's t2s dictionaries
  (`opencc-python-reimplemented`, shipped with the package: nothing is downloaded);
- emoji and the platforms' bracketed emoticons ([流泪], [微笑]) are dropped, except the angry ones
  (😡, [怒], [抓狂] …), which become the word 愤怒 — anger is what they say;
- a run of the same punctuation is cut to three (！！！！！ → !!!, the lexicon's sign of anger);
- spaces between Chinese characters or between digits go (工 商 局 → 工商局, 1 2 3 1 5 → 12315),
  other runs of spaces become one; a line break ends a sentence;
- in a chat transcript the shop's lines (客服：…, 商家：…) are left out and the buyer's label
  (买家：) dropped: the buyer's words are what is classified.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import opencc
from opencc import OpenCC

#: A line that starts with one of these and a colon is the shop speaking (a pasted chat transcript).
SHOP_SPEAKERS = ("客服", "商家", "卖家", "店家", "小二", "官方客服", "人工客服", "售后客服", "机器人")
BUYER_SPEAKERS = ("买家", "顾客", "用户", "我")
#: Emoticons and emoji that say the buyer is angry; every other emoji or emoticon says nothing here.
ANGRY_EMOTICONS = frozenset(("怒", "发怒", "愤怒", "抓狂", "生气", "咒骂", "怒骂", "鄙视"))
ANGRY_EMOJI = frozenset("😡🤬😠💢👿😤")
ANGER_WORD = "愤怒"

_SPEAKER = re.compile(r"^\s*([^\s:]{1,6})\s*:")
_EMOTICON = re.compile(r"\[([\u4e00-\u9fff]{1,4}|[a-z]{1,12})\]")
_REPEATED_PUNCTUATION = re.compile(r"([!?.,~。、…\-=*#])\1{3,}")
_CJK_OR_DIGIT = r"[\u3400-\u9fff0-9]"
_INNER_SPACE = re.compile(rf"(?<={_CJK_OR_DIGIT})\s+(?={_CJK_OR_DIGIT})")
_SENTENCE_END = "。.!?,，;:~"


@cache
def _t2s() -> tuple[OpenCC, frozenset[str]]:
    converter = OpenCC("t2s")
    folder = Path(opencc.__file__).parent / "dictionary"
    with (folder / "TSCharacters.txt").open(encoding="utf-8") as fh:
        traditional = frozenset(ch for line in fh for ch in line.split("\t", 1)[0])
    return converter, traditional


def to_simplified(text: str) -> str:
    """Traditional characters to simplified. Text with no character that has a traditional form is
    returned as it is (the conversion is pure Python and costs ~8 µs a character)."""
    converter, traditional = _t2s()
    if traditional.isdisjoint(text):
        return text
    return converter.convert(text)


def _buyer_lines(text: str) -> list[str]:
    """The lines of a text, less those the shop speaks in a transcript, less the buyer's label."""
    lines = []
    for line in text.splitlines():
        speaker = _SPEAKER.match(line)
        if speaker and speaker.group(1) in SHOP_SPEAKERS:
            continue
        if speaker and speaker.group(1) in BUYER_SPEAKERS:
            line = line[speaker.end():]
        lines.append(line)
    return lines


def _emoticon(match: re.Match) -> str:
    return f" {ANGER_WORD} " if match.group(1) in ANGRY_EMOTICONS else " "


def _drop_emoji(text: str) -> str:
    out = []
    for ch in text:
        if ch in ANGRY_EMOJI:
            out.append(f" {ANGER_WORD} ")
        elif unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cf", "Mn") and not ch.isalnum():
            out.append(" ")  # emoji, skin tones, joiners, variation selectors
        else:
            out.append(ch)
    return "".join(out)


def _line(line: str) -> str:
    line = _drop_emoji(_EMOTICON.sub(_emoticon, line))
    line = _REPEATED_PUNCTUATION.sub(r"\1\1\1", line)
    line = _INNER_SPACE.sub("", line)
    return " ".join(line.split())


def normalize(text: str) -> str:
    """The text as every part of the classifier reads it (see the module's doc); idempotent."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    lines = [_line(to_simplified(line)) for line in _buyer_lines(text)]
    out = ""
    for line in (line for line in lines if line):
        if out and out[-1] not in _SENTENCE_END:
            out += "。"
        out += line
    return out


def has_words(text: str) -> bool:
    """Whether a normalised text has anything to read: a letter, a digit or a Chinese character."""
    return any(ch.isalnum() for ch in text)
