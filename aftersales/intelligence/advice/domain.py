"""The cheapest legal remedy (最省钱的合法方案): what each remedy the policy allows costs the shop.

    advice = advise(facts, costs)
    advice.options       # every remedy offered, cheapest expected cost first
    advice.best          # the recommendation (None when the policy allows nothing)

Pure: no database, no clock. The caller brings the policy's answer (`AdviceFacts.allowed`), the refund
from the refund rule (`refund_fen`, from `refunds.domain.refundable.plan_refund`) and the shop's
figures (freight, expected inspection grades, arbitration lose rate); this module only adds them up.

Law first: an option is only ever a remedy the policy allows, with one generosity the shop may always
add — waiving the return of goods the buyer may send back for a refund (仅退款不退货). It refunds
exactly what the return would, never more. A partial refund with the goods kept is offered only
where the policy allows a refund without return, and only as an offer the buyer may decline.

Every amount is integer fen; every figure on an option is one line of its sum, so a person can add
it up by hand. Sentences are codes with parameters (`core.messages` renders them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from aftersales.cases.domain.states import gives_what_was_asked
from aftersales.core.errors import DomainError
from aftersales.core.money import allocate

BP = 10_000

REFUND_ONLY = "refund_only"
RETURN_REFUND = "return_refund"
EXCHANGE = "exchange"
RESHIP = "reship"
REPAIR = "repair"
PARTIAL_REFUND = "partial_refund"

#: Remedies the policy engine knows, in its order (`policy_facts.REMEDY_ORDER`), then the offers.
OPTION_ORDER: tuple[str, ...] = (REFUND_ONLY, RETURN_REFUND, EXCHANGE, RESHIP, REPAIR, PARTIAL_REFUND)
POLICY_REMEDIES: frozenset[str] = frozenset({REFUND_ONLY, RETURN_REFUND, EXCHANGE, RESHIP, REPAIR})
#: Remedies where goods come back to the shop (the return leg).
RETURN_LEG: frozenset[str] = frozenset({RETURN_REFUND, EXCHANGE, REPAIR})
#: Remedies where the shop sends a parcel out.
OUTBOUND_LEG: frozenset[str] = frozenset({EXCHANGE, RESHIP, REPAIR})
GRADES: tuple[str, ...] = ("A", "B", "C", "D")
_ASKABLE: frozenset[str] = frozenset({*OPTION_ORDER, "price_protection"})

#: How an option came to be offered.
BASIS_POLICY = "policy"  # the policy engine allows this remedy
BASIS_WAIVER = "waiver"  # a return the policy allows, with the return waived by the shop
BASIS_OFFER = "offer"  # a partial refund offered where the policy allows a refund without return


@dataclass(frozen=True)
class CostSettings:
    """The owner's unit costs and thresholds (shop settings → 售后方案成本). Fen and basis points."""

    handling_fen: int = 300  # an agent's time on any case
    return_handling_fen: int = 500  # receiving, inspecting and restocking one returned parcel
    repair_fen: int = 3000  # one repair
    goods_cost_bp: int = 5000  # what the goods cost the shop, as a share of their list price
    #: What a returned unit is still worth by inspection grade, as a share of its cost.
    grade_value_bp: tuple[tuple[str, int], ...] = (("A", 10_000), ("B", 6000), ("C", 1000), ("D", 0))
    partial_refund_bp: int = 3000  # a partial refund offers this share of the refund
    waive_return_max_fen: int = 10_000  # never waive a return whose refund is above this
    decline_bp: int = 5000  # chance a buyer declines an offer of something else (then gets what they asked)
    dispute_chance_bp: int = 2000  # chance a buyer asks the platform to step in when offered something else
    arbitration_penalty_fen: int = 5000  # what losing a platform arbitration costs beyond the remedy

    def __post_init__(self) -> None:
        for name in ("handling_fen", "return_handling_fen", "repair_fen", "waive_return_max_fen",
                     "arbitration_penalty_fen"):
            _require_fen(getattr(self, name), name)
        for name in ("goods_cost_bp", "partial_refund_bp", "decline_bp", "dispute_chance_bp"):
            _require_bp(getattr(self, name), name)
        values = dict(self.grade_value_bp)
        if set(values) != set(GRADES) or len(self.grade_value_bp) != len(GRADES):
            raise DomainError("advice.invalid_field", field="grade_value_bp", value=str(self.grade_value_bp))
        for grade, bp in values.items():
            _require_bp(bp, f"grade_value_bp.{grade}")
        object.__setattr__(self, "_values", values)

    def value_bp(self, grade: str) -> int:
        return self._values[grade]


@dataclass(frozen=True)
class AdviceFacts:
    """One case as the cost model sees it. Built by `advice.services` from the case, or by hand."""

    allowed: tuple[str, ...]  # the policy decision's remedies
    asked: str  # what the buyer asked for (a case kind)
    refund_fen: int  # the refund the refund rule gives for the lines concerned
    goods_cost_fen: int  # what those goods cost the shop
    freight_back_fen: int  # one parcel back, by carrier and province
    freight_out_fen: int  # one parcel out
    merchant_pays_return: bool  # the policy puts the return leg on the shop
    delivered: bool  # the buyer holds the goods
    #: Expected inspection grades of a return, basis points per grade summing to 10000.
    grade_mix_bp: tuple[tuple[str, int], ...] = (("A", 10_000), ("B", 0), ("C", 0), ("D", 0))
    lose_rate_bp: int = 5000  # the shop's share of arbitrations lost on this reason
    compensation_fen: int = 0  # the ladder's rung for this buyer (apology, anger), 0 if none is due
    waive_blocked: bool = False  # signals ask for the goods back: no waiver (never a refusal)
    decided: bool = True  # False: the case carries no policy decision (recorded as a platform reported it)

    def __post_init__(self) -> None:
        # Checked on every case of a bench of thousands: plain comparisons, no dict building.
        if not POLICY_REMEDIES.issuperset(self.allowed):
            raise DomainError("advice.invalid_field", field="allowed", value=str(self.allowed))
        if self.asked not in _ASKABLE:
            raise DomainError("advice.invalid_field", field="asked", value=str(self.asked))
        for name, value in (("refund_fen", self.refund_fen), ("goods_cost_fen", self.goods_cost_fen),
                            ("freight_back_fen", self.freight_back_fen), ("freight_out_fen", self.freight_out_fen),
                            ("compensation_fen", self.compensation_fen)):
            if type(value) is not int or value < 0:
                raise DomainError("advice.invalid_field", field=name, value=str(value))
        _require_bp(self.lose_rate_bp, "lose_rate_bp")
        mix = self.grade_mix_bp
        if (len(mix) != 4 or (mix[0][0], mix[1][0], mix[2][0], mix[3][0]) != GRADES
                or any(type(bp) is not int or bp < 0 for _g, bp in mix) or sum(bp for _g, bp in mix) != BP):
            raise DomainError("advice.invalid_field", field="grade_mix_bp", value=str(mix))


class Line(NamedTuple):
    """One addend of an option's expected cost: a code (`advice.cost.<code>`) and its fen (signed)."""

    code: str
    fen: int


class Option(NamedTuple):
    remedy: str  # an option id from OPTION_ORDER
    kind: str  # the case kind that carries it out (the waiver is a refund only)
    basis: str  # policy | waiver | offer
    refund_fen: int  # money back to the buyer under this option
    lines: tuple[Line, ...]
    cost_fen: int  # the sum of the lines
    needs_agreement: bool  # the buyer asked for something else: offer it, do not impose it

    def line(self, code: str) -> int:
        return sum(item.fen for item in self.lines if item.code == code)

    def to_dict(self) -> dict:
        return {
            "remedy": self.remedy, "kind": self.kind, "basis": self.basis, "refund_fen": self.refund_fen,
            "cost_fen": self.cost_fen, "needs_agreement": self.needs_agreement,
            "lines": [{"code": item.code, "fen": item.fen} for item in self.lines],
        }


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    options: tuple[Option, ...]  # cheapest first
    asked: str
    reasons: tuple[Reason, ...]  # why the first option is recommended, most telling first

    @property
    def best(self) -> Option | None:
        return self.options[0] if self.options else None

    def option(self, remedy: str) -> Option | None:
        return next((o for o in self.options if o.remedy == remedy), None)

    def to_dict(self) -> dict:
        best = self.best
        return {
            "recommended": best.remedy if best else None,
            "asked": self.asked,
            "options": [o.to_dict() for o in self.options],
            "reasons": [{"code": r.code, "params": dict(r.params)} for r in self.reasons],
        }


def expected_value_bp(facts: AdviceFacts, costs: CostSettings) -> int:
    """What a returned unit is expected to be worth, as a share of its cost (grade mix × grade value)."""
    values = costs._values
    return sum([bp * values[grade] for grade, bp in facts.grade_mix_bp]) // BP


def share(fen: int, bp: int) -> int:
    """`bp` basis points of `fen`, rounded half up (the only rounding in the model)."""
    return (2 * fen * bp + BP) // (2 * BP)


def advise(facts: AdviceFacts, costs: CostSettings) -> Advice:
    """Every remedy the policy allows with its expected cost to the shop, cheapest first."""
    offered = _offered(facts, costs)
    value = share(facts.goods_cost_fen, expected_value_bp(facts, costs))
    base = {remedy: _base_lines(remedy, facts, costs, value) for remedy, _kind, _basis in offered}
    base_cost = {remedy: sum(line.fen for line in lines) for remedy, lines in base.items()}
    asked = _asked_option(facts.asked)
    # An offer, not an imposition: a buyer who declines gets what they asked (lawful), and some ask
    # the platform to step in, which the shop loses at its own rate for this reason.
    arbitration = share(share(costs.arbitration_penalty_fen, costs.dispute_chance_bp), facts.lose_rate_bp)
    options = []
    for remedy, kind, basis in offered:
        lines = base[remedy]
        cost = base_cost[remedy]
        agreement = not gives_what_was_asked(remedy, asked)
        if agreement:
            decline = share(max(0, base_cost.get(asked, cost) - cost), costs.decline_bp)
            if decline:
                lines.append(Line("decline_risk", decline))
            if arbitration:
                lines.append(Line("arbitration_risk", arbitration))
            cost += decline + arbitration
        options.append(Option(remedy, kind, basis, _refund_of(remedy, facts, costs), tuple(lines), cost,
                              agreement))
    options.sort(key=_option_order)
    return Advice(tuple(options), facts.asked, tuple(_reasons(options, facts, costs)))


def _option_order(option: Option) -> tuple[int, bool, int]:
    return option.cost_fen, option.needs_agreement, OPTION_ORDER.index(option.remedy)


def _offered(facts: AdviceFacts, costs: CostSettings) -> list[tuple[str, str, str]]:
    """(option, case kind, basis) for every option the law lets the shop offer here."""
    allowed = facts.allowed
    found = [(remedy, remedy, BASIS_POLICY) for remedy in OPTION_ORDER if remedy in allowed]
    if (
        REFUND_ONLY not in allowed
        and RETURN_REFUND in allowed
        and facts.delivered
        and not facts.waive_blocked
        and facts.refund_fen <= costs.waive_return_max_fen
    ):
        found.insert(0, (REFUND_ONLY, REFUND_ONLY, BASIS_WAIVER))
    if REFUND_ONLY in allowed and facts.delivered and costs.partial_refund_bp and facts.refund_fen:
        found.append((PARTIAL_REFUND, PARTIAL_REFUND, BASIS_OFFER))
    return found


def _refund_of(remedy: str, facts: AdviceFacts, costs: CostSettings) -> int:
    if remedy == REFUND_ONLY or remedy == RETURN_REFUND:
        return facts.refund_fen
    if remedy == PARTIAL_REFUND:
        if facts.asked == PARTIAL_REFUND:
            # The buyer's own partial refund costs what they asked (within the rule), as granting it
            # would: the offer's share is the shop's proposal to someone who asked for something else.
            return facts.refund_fen
        return min(share(facts.refund_fen, costs.partial_refund_bp), facts.refund_fen)
    return 0


def _base_lines(remedy: str, facts: AdviceFacts, costs: CostSettings, value: int) -> list[Line]:
    """The addends of a remedy's cost before the risks of an offer; `value`: a returned unit's worth."""
    lines: list[Line] = []
    refund = _refund_of(remedy, facts, costs)
    if refund:
        lines.append(Line("refund", refund))
    if remedy in RETURN_LEG:
        if facts.merchant_pays_return and facts.freight_back_fen:
            lines.append(Line("freight_back", facts.freight_back_fen))
        if costs.return_handling_fen:
            lines.append(Line("return_handling", costs.return_handling_fen))
    if remedy in OUTBOUND_LEG and facts.freight_out_fen:
        lines.append(Line("freight_out", facts.freight_out_fen))
    if remedy == RETURN_REFUND and value:
        lines.append(Line("resale_value", -value))  # the goods come back and are sold again
    elif remedy == EXCHANGE and facts.goods_cost_fen - value:
        lines.append(Line("resale_loss", facts.goods_cost_fen - value))  # a new unit out, a used one back
    elif remedy == RESHIP and facts.goods_cost_fen:
        lines.append(Line("goods_cost", facts.goods_cost_fen))
    elif remedy == REPAIR and costs.repair_fen:
        lines.append(Line("repair", costs.repair_fen))
    if costs.handling_fen:
        lines.append(Line("handling", costs.handling_fen))
    if facts.compensation_fen:
        lines.append(Line("compensation", facts.compensation_fen))
    return lines


def _asked_option(asked: str) -> str:
    return REFUND_ONLY if asked == "price_protection" else asked


def _reasons(options: list[Option], facts: AdviceFacts, costs: CostSettings) -> list[Reason]:
    if not options:
        return [Reason("advice.reason.nothing_allowed" if facts.decided else "advice.reason.no_decision")]
    best = options[0]
    out: list[Reason] = []
    ret = next((o for o in options if o.remedy == RETURN_REFUND), None)
    keep = next((o for o in options if o.remedy == REFUND_ONLY), None)
    if ret and keep and best.remedy in (REFUND_ONLY, RETURN_REFUND):
        # The question of every cheap return: is it worth taking the goods back?
        freight = ret.line("freight_back")
        handling = ret.line("return_handling")
        loss = facts.goods_cost_fen - (-ret.line("resale_value"))
        trip = freight + handling + loss
        params = {"freight": freight, "handling": handling, "loss": loss, "trip": trip,
                  "goods_cost": facts.goods_cost_fen}
        if best.remedy == REFUND_ONLY and trip > facts.goods_cost_fen:
            out.append(Reason("advice.reason.keep_goods", params))
        elif best.remedy == RETURN_REFUND and trip < facts.goods_cost_fen:
            out.append(Reason("advice.reason.take_back", params))
    runner = options[1] if len(options) > 1 else None
    if runner is not None:
        out.append(Reason("advice.reason.cheaper", {
            "best": best.kind, "cost": best.cost_fen, "other": runner.kind, "other_cost": runner.cost_fen,
            "saving": runner.cost_fen - best.cost_fen}))
    else:
        out.append(Reason("advice.reason.only_option", {"best": best.kind, "cost": best.cost_fen}))
    if best.needs_agreement:
        out.append(Reason("advice.reason.needs_agreement", {"asked": _asked_option(facts.asked)}))
    if best.basis == BASIS_WAIVER:
        out.append(Reason("advice.reason.waiver", {"limit": costs.waive_return_max_fen}))
    if facts.waive_blocked and RETURN_REFUND in facts.allowed:
        out.append(Reason("advice.reason.waiver_blocked"))
    return out


#: Expected inspection grades of a return by kind of goods, before the shop has its own (basis points).
DEFAULT_GRADE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "apparel": (("A", 6000), ("B", 3000), ("C", 800), ("D", 200)),
    "shoes": (("A", 5500), ("B", 3000), ("C", 1300), ("D", 200)),
    "bags": (("A", 6000), ("B", 3000), ("C", 800), ("D", 200)),
    "textiles": (("A", 5000), ("B", 3000), ("C", 1800), ("D", 200)),
    "toys": (("A", 5000), ("B", 3000), ("C", 1700), ("D", 300)),
    "electronics": (("A", 4500), ("B", 3500), ("C", 1500), ("D", 500)),
    "jewelry": (("A", 6000), ("B", 2500), ("C", 1000), ("D", 500)),
    "furniture": (("A", 3000), ("B", 4000), ("C", 2800), ("D", 200)),
    "cosmetics": (("A", 3000), ("B", 1000), ("C", 5500), ("D", 500)),
    "food": (("A", 1000), ("B", 0), ("C", 8500), ("D", 500)),
    "medical": (("A", 2000), ("B", 1000), ("C", 6500), ("D", 500)),
}
OTHER_GRADE_MIX: tuple[tuple[str, int], ...] = (("A", 5000), ("B", 3000), ("C", 1700), ("D", 300))
#: How many inspections the default table weighs as: the shop's own count takes over as it grows.
PRIOR_INSPECTIONS = 10
#: Arbitrations the default lose rate (50%) weighs as.
PRIOR_RULINGS = 2


def learned_grade_mix(category: str, counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """The expected grades of a return of `category`: the shop's inspections (grade → count) blended
    with the default table as if it were `PRIOR_INSPECTIONS` inspections; sums to 10000 exactly."""
    prior = dict(DEFAULT_GRADE_MIX.get(category, OTHER_GRADE_MIX))
    weights = [counts.get(g, 0) * BP + PRIOR_INSPECTIONS * prior[g] for g in GRADES]
    return tuple(zip(GRADES, allocate(BP, weights), strict=True))


def learned_lose_rate_bp(lost: int, ruled: int) -> int:
    """The shop's arbitration lose rate for a reason: lost / ruled, pulled towards ½ by two rulings."""
    if ruled < 0 or not 0 <= lost <= ruled:
        raise DomainError("advice.invalid_field", field="rulings", value=f"{lost}/{ruled}")
    return (2 * (lost * BP + PRIOR_RULINGS * BP // 2) + ruled + PRIOR_RULINGS) // (2 * (ruled + PRIOR_RULINGS))


def _require_fen(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError("advice.invalid_field", field=name, value=str(value))


def _require_bp(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BP:
        raise DomainError("advice.invalid_field", field=name, value=str(value))


#: Every cost line code (`advice.cost.<code>`) and reason code this module emits.
LINE_CODES = ("refund", "freight_back", "return_handling", "freight_out", "resale_value", "resale_loss",
              "goods_cost", "repair", "handling", "compensation", "decline_risk", "arbitration_risk")
CODES = frozenset({
    "advice.invalid_field", "advice.reason.nothing_allowed", "advice.reason.no_decision", "advice.reason.keep_goods",
    "advice.reason.take_back", "advice.reason.cheaper", "advice.reason.only_option",
    "advice.reason.needs_agreement", "advice.reason.waiver", "advice.reason.waiver_blocked",
    *(f"advice.cost.{code}" for code in LINE_CODES),
    *(f"advice.option.{remedy}" for remedy in OPTION_ORDER),
})
