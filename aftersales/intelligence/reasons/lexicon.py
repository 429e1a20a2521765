"""The keyword rules: the words that point to a reason, an urgency level or a product-cause tag.

One home for every keyword list. The model uses the hits as features beside its character n-grams,
the tags and the evidence come from here, and the keyword baseline of `bench/reasons.py` is
`keyword_reason` + `keyword_urgency` alone. Words are matched as lower-cased substrings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aftersales.core.choices import Reason

#: The reasons a text can point to: the case taxonomy (`core.choices.Reason`) plus `service` — the
#: complaint is about the shop's or the carrier's service, not about the goods.
REASONS: tuple[str, ...] = (*(r.value for r in Reason if r != Reason.OTHER), "service", Reason.OTHER.value)

#: Keyword lists by reason, in the order the keyword baseline tries them (the most specific first).
REASON_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("not_received", (
        "没收到", "没有收到", "未收到", "收不到", "还没到", "没到货", "一直没到", "丢件", "丢了", "查不到物流",
        "物流不动", "物流没更新", "没有物流", "显示签收", "没见到货", "被人签收", "not received", "never arrived",
        "haven't received", "didn't receive", "did not receive", "hasn't arrived", "lost parcel",
    )),
    ("wrong_item", (
        "发错", "错发", "发成", "不是我要的", "不是我买的", "不是我订的", "不是我拍的", "给我发的别的", "发了别的",
        "型号不对", "颜色不对", "货不对", "送错", "wrong item", "wrong colour", "wrong color", "wrong model",
        "sent the wrong", "not what i ordered",
    )),
    ("missing_item", (
        "少发", "漏发", "少了一", "缺件", "少一个", "少一件", "少一本", "少一双", "缺少", "只收到一", "没有发票",
        "没给发票", "发票没", "没有赠品", "赠品没", "没送", "配件没有", "没有配件", "少配件", "少了", "没有附带",
        "missing", "not included", "only received one", "no invoice",
    )),
    ("damaged_in_transit", (
        "压坏", "压扁", "压破", "摔坏", "摔碎", "碎了", "破损", "运输", "被压", "磕坏", "磕碰", "挤压", "外箱破",
        "箱子破", "书角", "折角", "弄破", "弄脏", "送来就是破", "到手就是破", "漏液", "洒了", "撒了", "变形了",
        "damaged in transit", "crushed", "arrived broken", "arrived damaged", "smashed", "box was broken",
    )),
    ("size_fit", (
        "尺码", "尺寸不对", "偏小", "偏大", "太小", "太大", "不合身", "穿不上", "穿不进", "码数", "大一码", "小一码",
        "大了", "小了", "太紧", "太松", "太肥", "太长", "太短", "袖子长", "裤腿", "鞋码", "挤脚", "磨脚", "size",
        "too small", "too big", "too large", "too tight", "too loose", "doesn't fit", "does not fit",
    )),
    ("not_as_described", (
        "描述不符", "与描述", "和描述", "跟描述", "不符", "图片不一样", "和图片", "跟图片", "和图不", "与图片",
        "色差", "盗版", "假货", "假的", "不是正品", "非正品", "山寨", "宣传", "虚假", "实物", "不一致", "货不对板",
        "以次充好", "翻新", "二手", "旧的", "缩水", "not as described", "fake", "counterfeit", "different from the",
        "not genuine", "misleading", "picture",
    )),
    ("quality_defect", (
        "质量", "坏了", "坏点", "故障", "不能用", "用不了", "无法使用", "不工作", "不好用", "死机", "蓝屏", "黑屏",
        "重启", "开胶", "脱线", "开线", "掉色", "褪色", "起球", "脱页", "掉页", "缺页", "空白", "破洞", "异味",
        "有味", "味道", "做工", "瑕疵", "裂", "噪音", "杂音", "响", "发热", "发烫", "散热", "漏水", "失灵", "印刷",
        "粗糙", "划痕", "断了", "松动", "接触不良", "卡顿", "很卡", "毛病", "问题", "坏的", "不亮", "冒烟", "漏电",
        "没反应", "开不了机", "broken", "defect", "faulty",
        "doesn't work", "does not work", "stopped working", "poor quality", "bad quality", "smell", "scratch",
        "crack",
    )),
    ("late_delivery", (
        "送货慢", "发货慢", "物流慢", "速度慢", "太慢", "好慢", "很慢", "才到", "才收到", "才发货", "才送到", "迟迟",
        "延迟", "耽误", "拖了", "等了", "好几天", "一个星期", "一周", "半个月", "缺货", "late", "slow delivery",
        "slow shipping", "took weeks", "took ages", "delayed",
    )),
    ("service", (
        "客服", "态度", "不理", "不回复", "不回", "服务", "推脱", "推卸", "不给退", "不给换", "拒绝退", "敷衍", "售后",
        "踢皮球", "快递员", "送货员", "电话", "打不通", "没人接", "承诺", "customer service", "rude", "no reply",
        "ignored", "nobody answers", "support",
    )),
    ("no_reason", (
        "不喜欢", "不想要", "不要了", "拍错", "拍多", "买错", "后悔", "不需要", "无理由", "用不上", "不值", "没意思",
        "一般般", "很一般", "内容一般", "失望", "不适合", "不太适合", "没什么用", "用不着", "未拆封", "没拆封",
        "买重复", "拍重复", "changed my mind", "don't want",
        "do not want", "don't need", "no longer need", "ordered by mistake", "not needed", "don't like",
    )),
)

#: Urgency: 3 threatens a complaint, 12315, a bad review or the media; 2 angry; 1 impatient; else 0.
URGENCY_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (3, (
        "12315", "12345", "投诉", "工商", "消协", "消费者协会", "市场监管", "市监", "监管局", "律师", "起诉", "告你",
        "法院", "打官司", "曝光", "媒体", "记者", "电视台", "报警", "差评", "举报", "黑猫", "维权", "微博",
        "complaint", "complain", "lawyer", "bad review", "sue ", "report you",
        "consumer association", "media",
    )),
    (2, (
        "骗子", "垃圾", "欺骗", "骗人", "太差", "极差", "气死", "气愤", "愤怒", "无良", "坑人", "坑爹", "黑心", "恶心",
        "什么玩意", "太烂", "烂透", "混蛋", "无耻", "上当", "再也不", "永远不", "火大", "可恶", "!!!", "！！！",
        "scam", "cheat", "angry", "terrible", "worst", "disgusting", "furious", "never again", "rubbish",
    )),
    (1, (
        "尽快", "马上", "急", "赶紧", "催", "几天了", "还没", "怎么还", "到底", "什么时候", "怎么回事", "郁闷", "无语",
        "晕", "不爽", "失望", "麻烦", "请给", "给个说法", "asap", "urgent", "still", "when will", "hurry",
        "disappointed", "annoyed",
    )),
)

#: The words of a threat (urgency 3): a text with one is urgency 3 whatever else it says.
THREAT_WORDS: tuple[str, ...] = dict(URGENCY_WORDS)[3]

#: Product-cause tags: what about the product (or its delivery) the buyer complains of.
TAG_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("做工", ("做工", "开线", "脱线", "开胶", "线头", "粗糙", "工艺", "毛刺", "workmanship", "stitching")),
    ("色差", ("色差", "颜色不一样", "颜色不对", "颜色差", "掉色", "褪色", "colour", "color")),
    # "换大一码" says the goods are too small: the direction comes from what the buyer asks for.
    ("尺码偏小", ("偏小", "太小", "太紧", "穿不上", "穿不进", "挤脚", "换大", "too small", "too tight")),
    ("尺码偏大", ("偏大", "太大", "太松", "太肥", "换小", "too big", "too large", "too loose")),
    ("材质", ("材质", "面料", "布料", "塑料", "薄", "材料", "手感", "质感", "material", "fabric", "plastic")),
    ("异味", ("异味", "有味", "味道", "臭", "刺鼻", "发霉", "smell", "stink")),
    ("包装", ("包装", "箱子", "纸箱", "外箱", "塑封", "盒子", "packaging", "package", "box")),
    ("物流慢", ("送货慢", "发货慢", "物流慢", "太慢", "才到", "才收到", "才发货", "迟迟", "延迟", "slow", "delayed")),
    ("描述不符", ("描述不符", "与描述", "和描述", "不符", "和图片", "跟图片", "图片不一样", "宣传", "实物", "不一致",
                  "not as described", "picture")),
    ("破损", ("压坏", "压扁", "破损", "碎了", "摔坏", "磕坏", "弄破", "书角", "折角", "变形", "damaged", "crushed")),
    ("发错货", ("发错", "错发", "发成", "送错", "不是我要的", "wrong item", "wrong colour", "wrong color")),
    ("漏发少件", ("少发", "漏发", "缺件", "少一", "只收到一", "配件没有", "没有配件", "没有赠品", "missing")),
    ("盗版假货", ("盗版", "假货", "假的", "不是正品", "山寨", "翻新", "fake", "counterfeit")),
    ("印刷", ("印刷", "字迹", "模糊", "错别字", "错字", "排版", "脱页", "掉页", "缺页", "装订", "printing")),
    ("散热", ("散热", "发热", "发烫", "温度", "烫手", "overheat")),
    ("噪音", ("噪音", "杂音", "声音大", "响声", "嗡嗡", "noise", "noisy")),
    ("电池续航", ("电池", "续航", "充电", "battery")),
    ("屏幕", ("屏幕", "坏点", "亮点", "漏光", "黑屏", "花屏", "screen")),
    ("系统软件", ("系统", "驱动", "vista", "xp", "软件", "死机", "蓝屏", "重启", "software", "driver")),
    ("功能故障", ("坏了", "故障", "不能用", "用不了", "无法使用", "不工作", "失灵", "接触不良", "doesn't work",
                  "stopped working")),
    ("内容", ("内容", "情节", "翻译", "没意思", "不好看", "content", "boring")),
    ("价格", ("价格", "降价", "太贵", "价钱", "保价", "不值", "price", "expensive")),
    ("客服态度", ("客服", "态度", "不理", "不回复", "敷衍", "推脱", "customer service", "rude")),
    ("快递服务", ("快递员", "送货员", "快递公司", "送货上门", "courier")),
    ("发票", ("发票", "invoice")),
)


@dataclass(frozen=True, slots=True)
class Scan:
    """Every lexicon word found in one text, by reason, urgency level and tag (in the lexicon's order).

    A reason word the buyer negates (不是质量问题, 尺码没问题) is not a hit for its reason; `masked` is the
    text with such words blanked out (¬), which is what the model's n-grams read."""

    reasons: dict[str, list[str]]
    levels: dict[int, list[str]]
    tags: dict[str, list[str]]
    masked: str = ""


def _index() -> tuple[tuple[str, ...], dict[str, list[tuple[str, object]]]]:
    where: dict[str, list[tuple[str, object]]] = {}
    for kind, table in (("reason", REASON_WORDS), ("level", URGENCY_WORDS), ("tag", TAG_WORDS)):
        for key, words in table:
            for word in words:
                where.setdefault(word, []).append((kind, key))
    return tuple(where), where


_WORDS, _WHERE = _index()
_ORDER = {key: i for i, (key, _) in enumerate((*REASON_WORDS, *TAG_WORDS))}


# Negation is judged inside a clause: punctuation and the contrast words (但是, 就是 …) end one.
_CLAUSE_END = re.compile(r"[,.!?;:，。！？；：、\s~…]|但是|但|可是|不过|就是|只是|而是|然而|却")
# A negator right before a word (fillers allowed between): 不是质量问题, 没有任何问题, not broken.
_NEGATOR = re.compile(r"(?:不是|并不是|并非|不算|不属于|没有|没|不|无|非|not |no |isn't |wasn't )"
                      r"(?:任何|什么|啥|因为|由于|是|太|很|多大|大的|有|的|一点)*$")
# After a word, in its clause: the buyer says it is fine (质量还不错, 尺码没问题) — unless 不/没 comes first.
_FINE = re.compile(r"没问题|没有问题|没什么问题|没毛病|还行|还好|还可以|不错|挺好|很好|都好|合适|正好|刚好|没事|无所谓|没得说")
_CHAIN = re.compile(r"(?:和|或|跟|与|的|、|/)*")


def _fine_after(clause_rest: str) -> bool:
    for match in _FINE.finditer(clause_rest):
        before = clause_rest[max(0, match.start() - 2):match.start()]
        if not ("不" in before or "没" in before or "非" in before):
            return True
    return False


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    begin = 0
    for match in _CLAUSE_END.finditer(text, 0, start):
        begin = match.end()
    stop = _CLAUSE_END.search(text, end)
    return begin, stop.start() if stop else len(text)


_REASON_WORD_SET = frozenset(w for _, words in REASON_WORDS for w in words)


def _negated_spans(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of reason words that are negated; words of one character are never (喇叭不响 is a defect)."""
    negated: list[tuple[int, int]] = []
    chain_end = -1
    for start, end in sorted(found):
        begin, stop = _clause_bounds(text, start, end)
        chained = chain_end >= 0 and (start < chain_end or (
            begin <= chain_end and _CHAIN.fullmatch(text[chain_end:start]) is not None))
        if end - start > 1 and (chained or _NEGATOR.search(text[begin:start]) or _fine_after(text[end:stop])):
            negated.append((start, end))
            chain_end = max(chain_end, end)
    return negated


# A size word (太大, 偏小, 小了 …) speaks of the goods' size only when it follows no other measure: 差距太大
# (the goods differ from the picture), 声音太小 (a defect), 时间太长 (waiting) are not about the fit.
_SIZE_WORDS = frozenset({"偏小", "偏大", "太小", "太大", "大了", "小了", "太紧", "太松", "太长", "太短"})
_OTHER_MEASURE = re.compile(
    r"(?:差距|差别|区别|色差|落差|误差|出入|声音|音量|噪音|动静|影响|问题|压力|味道|气味|异味|力度|缝隙|间隙|"
    r"分量|字体|字|屏幕|电量|容量|信号|价格|价钱|运费|亮度|温度|重量|时间|水分|火)"
    r"(?:也|都|有点|有些|实在是|实在|真的|还是|非常|特别|太|很|好|是)*$"
)


def _about_size(text: str, start: int) -> bool:
    return _OTHER_MEASURE.search(text[max(0, start - 8):start]) is None


def _occurrences(lowered: str, word: str) -> list[tuple[int, int]]:
    spans, at = [], lowered.find(word)
    while at >= 0:
        spans.append((at, at + len(word)))
        at = lowered.find(word, at + 1)
    return spans


def scan(text: str) -> Scan:
    """One pass over the text for every word of every list (the lists share many words)."""
    lowered = (text or "").lower()
    found: dict[str, dict] = {"reason": {}, "level": {}, "tag": {}}
    spans = {word: _occurrences(lowered, word) for word in _WORDS if word in lowered}
    for word in _SIZE_WORDS.intersection(spans):
        spans[word] = [s for s in spans[word] if _about_size(lowered, s[0])]
        if not spans[word]:
            del spans[word]
    negated = set(_negated_spans(lowered, [s for w, ss in spans.items() if w in _REASON_WORD_SET for s in ss]))
    for word, where in spans.items():
        meant = [s for s in where if not any(n[0] <= s[0] and s[1] <= n[1] for n in negated)]
        for kind, key in _WHERE[word]:
            if kind == "level" or meant:
                found[kind].setdefault(key, []).append(word)

    def ordered(hits: dict) -> dict:
        return dict(sorted(hits.items(), key=lambda item: _ORDER[item[0]]))

    masked = list(lowered)
    for start, end in negated:
        masked[start:end] = "¬" * (end - start)
    levels = dict(sorted(found["level"].items(), reverse=True))
    return Scan(ordered(found["reason"]), levels, ordered(found["tag"]), "".join(masked))


def reason_hits(text: str) -> dict[str, list[str]]:
    """The reason keywords found in the text, by reason (reasons with no hit are left out)."""
    return scan(text).reasons


def urgency_hits(text: str) -> dict[int, list[str]]:
    return scan(text).levels


def keyword_reason(text: str) -> str:
    """The keyword baseline: the first reason (in the lexicon's order) with a word in the text, else other."""
    hits = reason_hits(text)
    return next((reason for reason, _ in REASON_WORDS if reason in hits), "other")


def keyword_urgency(text: str) -> int:
    """The keyword baseline for urgency: the highest level with a word in the text, else 0 (calm)."""
    return max(urgency_hits(text), default=0)
