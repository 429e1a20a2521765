"""Staff sign-in, sign-out and switching between the shops a user belongs to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.current_shop import choose_shop
from aftersales.serving.client_address import client_address
from aftersales.serving.throttle import Guard


def _rate() -> tuple[int, int]:
    """Failed sign-ins allowed per window: AFTERSALES_LOGIN_RATE "10/m" (per minute) or "50/h"."""
    raw = getattr(settings, "LOGIN_RATE", "10/m")
    count, _sep, unit = raw.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600}.get(unit.strip() or "m", 60)
    try:
        return max(1, int(count)), seconds
    except ValueError:
        return 10, 60


def _guard() -> Guard:
    limit, window = _rate()
    return Guard("login", limit, window)


def _username(request: HttpRequest) -> str:
    return request.POST.get("username", "").strip().lower()


class LoginView(auth_views.LoginView):
    """Django's sign-in, against password guessing: a client address that fails too often is refused for
    a while; a username that draws many failures is only slowed down, so the right password still works."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        guard = _guard()
        if guard.client_blocked(client_address(request)):
            # Refused before the password is even looked at: a blocked guess learns nothing.
            form = self.get_form_class()(request)
            context = self.get_context_data(form=form, blocked=_("Too many failed sign-ins. Please wait a minute "
                                                                 "and try again."))
            return self.render_to_response(context, status=429)
        guard.slow_down(_username(request))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _guard().failed(client_address(self.request), _username(self.request))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"


@require_POST
def switch_shop(request: HttpRequest) -> HttpResponse:
    """Make another of the user's shops the current one. Never a shop the user is not a member of."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    try:
        shop_id = int(request.POST.get("shop", ""))
    except ValueError:
        raise Http404 from None
    if not choose_shop(request, shop_id):
        raise Http404
    # The page the user was on most likely belongs to the other shop: start from that shop's inbox.
    return redirect("console:inbox")
