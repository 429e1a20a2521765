"""Reads for the training pages: a trainee's courses and next scenario, an attempt's score sheet, and
the owner's view of every trainee's progress."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from aftersales.accounts.models import Membership, Shop
from aftersales.core.choices import Role
from aftersales.training.domain.scenarios import CRITERIA, Scenario
from aftersales.training.library import courses, scenarios_for
from aftersales.training.models import Attempt, CourseAssignment


@dataclass(frozen=True)
class ScenarioRow:
    scenario: Scenario
    attempts: int
    best: Attempt | None  # the best finished attempt
    passed: bool


def scenario_rows(shop: Shop, user) -> list[ScenarioRow]:
    done: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(shop=shop, user=user, finished_at__isnull=False):
        done[attempt.scenario_key].append(attempt)
    rows = []
    for key, scenario in scenarios_for(shop).items():
        tries = done.get(key, [])
        best = max(tries, key=lambda a: (a.passed, sum(a.scores.values())), default=None)
        rows.append(ScenarioRow(scenario, len(tries), best, any(a.passed for a in tries)))
    return rows


def assigned_courses(shop: Shop, user) -> list[CourseAssignment]:
    return list(CourseAssignment.objects.filter(shop=shop, user=user))


def next_scenario(shop: Shop, user) -> Scenario | None:
    """The first scenario not yet passed: in the assigned courses first, then in library order."""
    rows = {row.scenario.key: row for row in scenario_rows(shop, user)}
    all_courses = courses(shop)
    order = [k for a in assigned_courses(shop, user) if a.course in all_courses
             for k in all_courses[a.course].scenarios]
    order += [k for course in all_courses.values() for k in course.scenarios]
    return next((rows[k].scenario for k in order if k in rows and not rows[k].passed), None)


def open_attempts(shop: Shop, user) -> list[Attempt]:
    return list(Attempt.objects.filter(shop=shop, user=user, finished_at__isnull=True).select_related("case"))


def finished_attempts(shop: Shop, user, limit: int = 20) -> list[Attempt]:
    return list(Attempt.objects.filter(shop=shop, user=user, finished_at__isnull=False)[:limit])


def attempt_of(shop: Shop, user, attempt_id: int, *, any_user: bool = False) -> Attempt | None:
    found = Attempt.objects.filter(shop=shop, pk=attempt_id).select_related("case", "user")
    if not any_user:
        found = found.filter(user=user)
    return found.first()


@dataclass(frozen=True)
class TraineeProgress:
    user: object
    role: str
    attempts: list[Attempt]  # finished, oldest first: the scores by criterion over time
    averages: dict[str, int]
    passed: int
    courses: list[CourseAssignment]

    @property
    def ready(self) -> bool:
        """Ready for real cases: passed at least one assigned course."""
        return any(c.passed_at for c in self.courses)


def progress(shop: Shop) -> list[TraineeProgress]:
    """Everybody of the shop who has trained or was given a course, trainees first."""
    finished: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(shop=shop, finished_at__isnull=False).order_by("finished_at", "pk"):
        finished[attempt.user_id].append(attempt)
    assigned: dict[int, list[CourseAssignment]] = defaultdict(list)
    for assignment in CourseAssignment.objects.filter(shop=shop):
        assigned[assignment.user_id].append(assignment)
    members = Membership.objects.filter(shop=shop).select_related("user").order_by("user__username")
    rows = []
    for m in members:
        if m.role != Role.TRAINEE.value and m.user_id not in finished and m.user_id not in assigned:
            continue
        tries = finished.get(m.user_id, [])
        averages = {c: round(sum(a.scores.get(c, 0) for a in tries) / len(tries)) if tries else 0
                    for c in CRITERIA}
        rows.append(TraineeProgress(m.user, m.role, tries, averages, sum(a.passed for a in tries),
                                    assigned.get(m.user_id, [])))
    rows.sort(key=lambda r: (r.role != Role.TRAINEE.value, r.user.get_username()))
    return rows


def most_failed(shop: Shop, limit: int = 5) -> list[tuple[Scenario, int, int]]:
    """The scenarios failed most often: (scenario, failed attempts, all attempts)."""
    tries, fails = Counter(), Counter()
    for key, passed in Attempt.objects.filter(shop=shop, finished_at__isnull=False).values_list(
            "scenario_key", "passed"):
        tries[key] += 1
        fails[key] += 0 if passed else 1
    known = scenarios_for(shop)
    ranked = sorted((k for k in fails if fails[k] and k in known), key=lambda k: (-fails[k], k))
    return [(known[k], fails[k], tries[k]) for k in ranked[:limit]]


def staff_choices(shop: Shop) -> list[tuple[int, str]]:
    """Who a course may be assigned to: the staff the training centre is offered to (the warehouse desk's
    staff have no way to it in their menu, so a course assigned to them could never be taken)."""
    members = Membership.objects.filter(shop=shop).exclude(role=Role.WAREHOUSE.value).values("user_id")
    users = get_user_model().objects.filter(pk__in=members).order_by("username")
    return [(u.pk, u.get_full_name() or u.get_username()) for u in users]
