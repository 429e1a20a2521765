"""培训中心: the trainee's pages (courses, next scenario, start, finish, the score sheet) and the
owner's progress page (each trainee's scores over time, the scenarios failed most, courses, pass level).

A started scenario opens in the real console: the session switches to the trainee's training shop and
the case page shows the training banner. Views parse, check shop and role, call one service, render.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.accounts.current_shop import SESSION_KEY
from aftersales.core.errors import DomainError
from aftersales.training import selectors, services
from aftersales.training.access import training_view
from aftersales.training.domain.scenarios import CRITERIA, Scenario, Step
from aftersales.training.domain.scoring import refund_rule_fen
from aftersales.training.domain.texts import render as text
from aftersales.training.library import courses, scenario_for
from aftersales.training.models import Attempt
from aftersales.web.errors import error_text
from aftersales.web.labels import join, label


def _lang() -> str:
    return translation.get_language() or "zh-hans"


def _error(exc: DomainError) -> str:
    return error_text(exc)


def _labelled(params: dict) -> dict:
    """Codes inside a reason's parameters shown as labels of the page's language."""
    shown = dict(params)
    if "templates" in shown:
        shown["templates"] = join(label("template", t) for t in shown["templates"])
    if shown.get("rung"):
        shown["rung"] = label("rung", shown["rung"])
    return shown


#: A simulated buyer's or platform's step → the kind of event it records on the case.
_EVENT_OF = {"send_photos": "evidence", "auto_approve": "approve"}


def describe(step: Step, scenario: Scenario) -> str:
    """One step of a path in words: the ideal path on the score sheet, the history of an attempt."""
    lang = _lang()
    if step.action == "say" or step.line:
        return scenario.line(step.line).get("en" if lang == "en" else "zh-hans")
    if step.actor != "trainee":
        # What the buyer or the platform did, named as the case's timeline names it ("Return shipped"),
        # not as an instruction to the trainee ("ask the platform to arbitrate").
        return label("action", _EVENT_OF.get(step.action, step.action))
    amount = step.amount_fen
    if step.action == "grant_refund" and amount is None:
        amount = refund_rule_fen(scenario)
    params = {"template": label("template", step.template), "rung": label("rung", step.rung),
              "amount": amount or 0,
              "reason": label("reject" if step.action != "close" else "close", step.reason)}
    code = f"training.step.{step.action}"
    return text(code, lang, **params) if code in _known_steps() else label("action", step.action)


def _known_steps() -> set[str]:
    from aftersales.training.domain.texts import TEXTS

    return {c for c in TEXTS if c.startswith("training.step.")}


@training_view()
def home(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    lang = _lang()
    rows = selectors.scenario_rows(staff.shop, staff.user)
    by_course = {key: [r for r in rows if r.scenario.key in course.scenarios]
                 for key, course in courses(staff.shop).items()}
    context = {
        "nav": "training", "lang": "en" if lang == "en" else "zh-hans",
        "courses": [(course, by_course[key]) for key, course in courses(staff.shop).items()],
        "assigned": {a.course: a for a in selectors.assigned_courses(staff.shop, staff.user)},
        "next": selectors.next_scenario(staff.shop, staff.user),
        "open": selectors.open_attempts(staff.shop, staff.user),
        "finished": selectors.finished_attempts(staff.shop, staff.user),
    }
    return render(request, "training/home.html", context)


def _open_in_console(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    request.session[SESSION_KEY] = attempt.case.shop_id  # the console now shows the training shop
    return redirect("console:case", case_id=attempt.case_id)


@require_POST
@training_view()
def start(request: HttpRequest, key: str) -> HttpResponse:
    staff = request.staff
    try:
        attempt = services.start_attempt(staff.shop, staff.user, key, lang=_lang())
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, _error(exc))
        return redirect("training:home")
    return _open_in_console(request, attempt)


@require_POST
@training_view()
def start_next(request: HttpRequest) -> HttpResponse:
    scenario = selectors.next_scenario(request.staff.shop, request.staff.user)
    if scenario is None:
        messages.success(request, _("Every scenario is passed. Well done!"))
        return redirect("training:home")
    return start(request, scenario.key)


@training_view()
def resume(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.attempt_of(request.staff.shop, request.staff.user, attempt_id)
    if attempt is None:
        raise Http404
    if not attempt.is_open:
        return redirect("training:attempt", attempt_id=attempt.pk)
    return _open_in_console(request, attempt)


@require_POST
@training_view()
def finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    staff = request.staff
    attempt = selectors.attempt_of(staff.shop, staff.user, attempt_id)
    if attempt is None:
        raise Http404
    services.sync(attempt.case.shop, attempt.case_id)
    services.finish_attempt(staff.shop, staff.user, attempt.pk)
    return redirect("training:attempt", attempt_id=attempt.pk)


@training_view()
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The score sheet: each criterion 0–100 with its sentence and reasons, and the ideal path."""
    staff = request.staff
    attempt = selectors.attempt_of(staff.shop, staff.user, attempt_id, any_user=staff.is_owner)
    if attempt is None:
        raise Http404
    scenario = scenario_for(staff.shop, attempt.scenario_key)
    lang = _lang()
    criteria = []
    for name, code, params, reasons in attempt.reasons:
        criteria.append({
            "name": text(f"training.criterion.{name}", lang), "key": name,
            "score": attempt.scores.get(name, 0), "passed": attempt.scores.get(name, 0) >= attempt.pass_level,
            "sentence": text(code, lang, **_labelled(params)),
            "reasons": [text(c, lang, **_labelled(p)) for c, p in reasons[1:]],
        })
    history = [(Step(**raw), raw) for raw in attempt.history]
    context = {
        "nav": "training", "attempt": attempt, "scenario": scenario, "criteria": criteria,
        "lang": "en" if lang == "en" else "zh-hans",
        "ideal": [describe(s, scenario) for s in scenario.ideal],
        "history": [(step.at, step.actor, describe(step, scenario)) for step, _ in history],
        "next": selectors.next_scenario(staff.shop, attempt.user),
    }
    return render(request, "training/attempt.html", context)


class AssignForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Staff member"), coerce=int)
    course = forms.ChoiceField(label=_("Course"))

    def __init__(self, *args, shop, lang, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = selectors.staff_choices(shop)
        self.fields["course"].choices = [(k, c.title.get(lang)) for k, c in courses(shop).items()]


class PassLevelForm(forms.Form):
    pass_level = forms.IntegerField(label=_("Pass level (each criterion, 0–100)"), min_value=1, max_value=100)


@training_view(owner_only=True)
def progress(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    lang = "en" if _lang() == "en" else "zh-hans"
    context = {
        "nav": "training", "lang": lang, "rows": selectors.progress(staff.shop),
        "criteria": [(c, text(f"training.criterion.{c}", lang)) for c in CRITERIA],
        "failed": selectors.most_failed(staff.shop),
        "courses": courses(staff.shop),
        "assign_form": AssignForm(shop=staff.shop, lang=lang),
        "level_form": PassLevelForm(initial={"pass_level": services.pass_level(staff.shop)}),
    }
    return render(request, "training/progress.html", context)


@require_POST
@training_view(owner_only=True)
def assign(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = AssignForm(request.POST, shop=staff.shop, lang=_lang())
    if not form.is_valid():
        messages.error(request, _("Choose a staff member and a course."))
        return redirect("training:progress")
    try:
        services.assign_course(staff.shop, form.cleaned_data["user"], form.cleaned_data["course"])
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Course assigned."))
    return redirect("training:progress")


@require_POST
@training_view(owner_only=True)
def save_pass_level(request: HttpRequest) -> HttpResponse:
    form = PassLevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(DomainError("training.invalid_pass_level")))
        return redirect("training:progress")
    services.set_pass_level(request.staff.shop, form.cleaned_data["pass_level"])
    messages.success(request, _("Pass level saved."))
    return redirect("training:progress")


@require_POST
@training_view(owner_only=True)
def from_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The owner turns a finished case of the shop into a training scenario (buyer data masked)."""
    staff = request.staff
    try:
        made = services.scenario_from_case(staff.shop, case_id)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, _error(exc))
        return redirect("console:case", case_id=case_id)
    scenario = scenario_for(staff.shop, made.key)
    messages.success(request, _("Training scenario saved: %(title)s") % {"title": scenario.title.get(_lang())})
    return redirect("training:home")
