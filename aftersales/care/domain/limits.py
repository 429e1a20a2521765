"""The guard on goodwill compensation (补偿权限): who may give how much on a case, and when a reason or the
owner's approval is needed. Pure: the compensation service asks it before anything is written, and the
case page shows the same limits.

- The ladder (ladder.py) is climbed one step at a time: a rung above the next one skips a step, and
  once the ladder is used up any further compensation goes beyond it. Either needs a reason, which is
  recorded on the event.
- An agent gives on their own up to the agent's limit per grant, and while the case stays within the
  per-case limit; above either, the grant waits for the owner's approval (and needs a reason).
- The owner gives above the per-case limit with a reason; nobody gives above the owner's limit per grant.
A limit of 0 means no limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from aftersales.care.domain.ladder import LADDER, start_step, step_of
from aftersales.core.errors import ConflictError, DomainError

#: A new shop's limits, in fen, until the owner sets its own: an agent gives up to ¥20 at a time, a case
#: receives up to ¥100 in all, and no single grant is capped beyond that for the owner.
DEFAULT_AGENT_LIMIT_FEN = 2000
DEFAULT_CASE_LIMIT_FEN = 10000
DEFAULT_OWNER_LIMIT_FEN = 0
REASON_LIMIT = 200


@dataclass(frozen=True)
class Limits:
    agent_fen: int = DEFAULT_AGENT_LIMIT_FEN  # the most an agent gives in one grant on their own
    case_fen: int = DEFAULT_CASE_LIMIT_FEN  # the most one case receives in all (without the owner)
    owner_fen: int = DEFAULT_OWNER_LIMIT_FEN  # the most any one grant may be, the owner's included


class Why(StrEnum):
    """Why a grant is out of the ordinary (each asks for a reason)."""

    SKIPS_RUNG = "skips_rung"
    BEYOND_LADDER = "beyond_ladder"
    OVER_AGENT_LIMIT = "over_agent_limit"
    OVER_CASE_LIMIT = "over_case_limit"


#: The reasons that need the owner when an agent asks.
NEEDS_OWNER = frozenset({Why.OVER_AGENT_LIMIT, Why.OVER_CASE_LIMIT})


@dataclass(frozen=True)
class Verdict:
    why: tuple[Why, ...]  # empty: an ordinary grant
    needs_owner: bool  # an agent's grant that waits for the owner's approval

    @property
    def needs_reason(self) -> bool:
        return bool(self.why)


def next_step(urgency: int, given: Sequence[str]) -> int:
    """The ladder step to offer next (len(LADDER) once it is used up), as `ladder.suggest_rung` reads it."""
    step = start_step(urgency)
    if given:
        step = max(step, max(step_of(r) for r in given) + 1)
    return step


def judge(*, rung: str, cost_fen: int, is_owner: bool, urgency: int, given: Sequence[tuple[str, int]],
          limits: Limits, reason: str = "") -> Verdict:
    """Check one grant of `rung` costing `cost_fen` on a case that already received `given` (rung, fen).

    Raises a coded DomainError when the grant cannot be given by anyone (over the owner's limit) or
    when it needs a reason and none was given; otherwise says whether the owner must approve it.
    """
    step = step_of(rung)
    if cost_fen <= 0:
        raise DomainError("care.compensation_zero")
    if len(reason.strip()) > REASON_LIMIT:
        raise DomainError("input.too_long", field="reason", limit=REASON_LIMIT)
    if limits.owner_fen and cost_fen > limits.owner_fen:
        raise ConflictError("care.over_owner_limit", cost=cost_fen, limit=limits.owner_fen)
    why: list[Why] = []
    due = next_step(urgency, [r for r, _fen in given])
    if due >= len(LADDER):
        why.append(Why.BEYOND_LADDER)
    elif step > due:
        why.append(Why.SKIPS_RUNG)
    if not is_owner and limits.agent_fen and cost_fen > limits.agent_fen:
        why.append(Why.OVER_AGENT_LIMIT)
    if limits.case_fen and sum(fen for _r, fen in given) + cost_fen > limits.case_fen:
        why.append(Why.OVER_CASE_LIMIT)
    if why and not reason.strip():
        # The message names the weightiest reason: one that brings in the owner, else the ladder's.
        raise DomainError("care.reason_required", why=next((w for w in why if w in NEEDS_OWNER), why[0]).value)
    return Verdict(why=tuple(why), needs_owner=not is_owner and any(w in NEEDS_OWNER for w in why))


def check_limits(*, agent_fen: int, case_fen: int, owner_fen: int) -> Limits:
    """The owner's limits as set in the shop settings: whole fen, none negative, the agent's within the
    owner's."""
    for field, value in (("agent_limit", agent_fen), ("case_limit", case_fen), ("owner_limit", owner_fen)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError("input.invalid_choice", field=field, value=value)
    if owner_fen and (agent_fen == 0 or agent_fen > owner_fen):
        raise DomainError("care.agent_limit_above_owner", agent=agent_fen, owner=owner_fen)
    return Limits(agent_fen=agent_fen, case_fen=case_fen, owner_fen=owner_fen)
