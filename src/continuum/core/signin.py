"""Signing in and out.

The password comes first (``LoginView``). Where a second factor is required
(``CONTINUUM_REQUIRE_2FA``), a correct password does not sign anyone in: the session only
remembers, for a few minutes, whose password was right (the *pending* sign-in), and the user
goes on to enter a code from their authenticator app (``verify``) or, without a device yet, to
set one up (``enrol``). Only then is the user signed in, so every other page stays closed until
both factors passed.

Failures of either step count towards the lockout of django-axes (per username and client
address together) and are recorded in the audit log. Every failure shows the same message,
whether the account exists, the password was wrong or sign-in is locked.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from xml.etree import ElementTree

import django_otp
import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import accounts, sessions
from continuum.core.models import User

# How long a correct password waits for its second factor.
PENDING_SECONDS = 10 * 60

SIGN_IN_FAILED = gettext_lazy(
    "Sign-in did not succeed. Check your username and password; after repeated failures, "
    "sign-in is paused for a while. If it keeps failing, ask your administrator."
)


def client_address(request: HttpRequest) -> str | None:
    """The client address for the lockout: the one the audit log records. Behind a reverse
    proxy, the application server must put the client's address in REMOTE_ADDR."""
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponseBase | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """django-axes asks for the answer to a locked-out attempt: the page the attempt got anyway,
    which says what a wrong password says. Locking is not a secret, but telling it apart from a
    wrong password would tell which usernames someone has been trying."""
    if original_response is not None:
        return original_response
    return HttpResponseRedirect(reverse("login"))


class SignInForm(AuthenticationForm):
    error_messages = {"invalid_login": SIGN_IN_FAILED, "inactive": SIGN_IN_FAILED}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        help_text=gettext_lazy("The 6 digits your authenticator app shows now."),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split())


# --- the password ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if accounts.second_factor_required():
            return _begin_second_factor(self.request, user, self.get_redirect_url())
        complete(self.request, user, device=None, backend=user.backend)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        # The username is recorded as typed, so a probe for accounts shows up in the log;
        # the page itself does not say whether the account exists.
        _record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Signing out flushes the session: its row is deleted on the server."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit.record(
                action=Action.LOGOUT,
                user=request.user,
                actor=getattr(request, "membership", None),
            )
        return super().post(request, *args, **kwargs)


def complete(request: HttpRequest, user: User, *, device: TOTPDevice | None, backend: str) -> None:
    """Sign ``user`` in: Django gives the session a new key, the device that verified the code
    is remembered (``request.user.is_verified()``), and the session's clock starts."""
    request.session.pop(accounts.PENDING_SESSION_KEY, None)
    auth_login(request, user, backend=backend)
    if device is not None:
        django_otp.login(request, device)
    sessions.stamp(request.session)
    audit.record(
        action=Action.LOGIN,
        user=user,
        changes={"second_factor": "totp"} if device is not None else None,
    )


def _record_failure(request: HttpRequest, username: str, step: str | None = None) -> None:
    changes: dict[str, Any] = {"username": username[:150]}
    if step is not None:
        changes["step"] = step
    if getattr(request, "axes_locked_out", False):
        changes["locked_out"] = True
    audit.record(action=Action.LOGIN_FAILED, changes=changes)


# --- the second factor -----------------------------------------------------------------------


def _begin_second_factor(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.cycle_key()
    pending: dict[str, Any] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "since": timezone.now().timestamp(),
    }
    if accounts.totp_device_of(user) is None:
        pending["enrol_device_id"] = accounts.totp_enrolment_start(user=user).pk
    request.session[accounts.PENDING_SESSION_KEY] = pending
    return redirect("signin-enrol" if "enrol_device_id" in pending else "signin-verify")


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The sign-in waiting for its second factor, unless it is too old or the account is no
    longer active."""
    pending = request.session.get(accounts.PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    if timezone.now().timestamp() - float(pending.get("since", 0)) > PENDING_SECONDS:
        request.session.pop(accounts.PENDING_SESSION_KEY, None)
        return None
    user = User.objects.filter(pk=int(pending.get("user_id", 0)), is_active=True).first()
    if user is None:
        request.session.pop(accounts.PENDING_SESSION_KEY, None)
        return None
    return user, pending


def _start_again(request: HttpRequest, message: str | None = None) -> HttpResponse:
    request.session.pop(accounts.PENDING_SESSION_KEY, None)
    messages.error(request, message or _("Please sign in again."))
    return redirect("login")


def _refuse_code(
    request: HttpRequest, user: User, form: CodeForm, step: str
) -> HttpResponse | None:
    """A wrong code: recorded, counted towards the lockout; once locked, sign-in starts again
    at the password (which is then refused as well)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    _record_failure(request, user.get_username(), step=step)
    if getattr(request, "axes_locked_out", False):
        return _start_again(request, str(SIGN_IN_FAILED))
    form.add_error(
        "code",
        _(
            "That code is not right, or it has been used already. "
            "Wait for the next code and try again."
        ),
    )
    return None


def _locked(request: HttpRequest, user: User) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def _no_store(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_not_required
@sensitive_post_parameters("code")
def verify(request: HttpRequest) -> HttpResponse:
    """The second step for a user with a TOTP device: one code, accepted once."""
    found = _pending(request)
    if found is None:
        return _start_again(request)
    user, pending = found
    if "enrol_device_id" in pending:
        return redirect("signin-enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user):
            _record_failure(request, user.get_username(), step="second_factor")
            return _start_again(request, str(SIGN_IN_FAILED))
        device = accounts.totp_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            complete(request, user, device=device, backend=pending["backend"])
            return redirect(pending["next"] or resolve_url(settings.LOGIN_REDIRECT_URL))
        if (restart := _refuse_code(request, user, form, "second_factor")) is not None:
            return restart
    return _no_store(render(request, "core/signin_verify.html", {"form": form}))


@login_not_required
@sensitive_post_parameters("code")
def enrol(request: HttpRequest) -> HttpResponse:
    """The second step for a user without a device: add the secret to an authenticator app
    (QR code or typed in) and confirm it with a first code."""
    found = _pending(request)
    if found is None:
        return _start_again(request)
    user, pending = found
    if "enrol_device_id" not in pending:
        return redirect("signin-verify")
    device = TOTPDevice.objects.filter(
        pk=pending["enrol_device_id"], user=user, confirmed=False
    ).first()
    if device is None:
        return _start_again(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user):
            _record_failure(request, user.get_username(), step="enrolment")
            return _start_again(request, str(SIGN_IN_FAILED))
        confirmed = accounts.totp_enrolment_confirm(
            user=user, device_id=device.pk, code=form.cleaned_data["code"]
        )
        if confirmed is not None:
            complete(request, user, device=confirmed, backend=pending["backend"])
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(pending["next"] or resolve_url(settings.LOGIN_REDIRECT_URL))
        if (restart := _refuse_code(request, user, form, "enrolment")) is not None:
            return restart
    context = {
        "form": form,
        "otpauth_uri": device.config_url,
        "secret": _grouped(b32encode(device.bin_key).decode()),
        "qr_code": qr_svg(device.config_url, _("QR code with the secret for your app")),
    }
    return _no_store(render(request, "core/signin_enrol.html", context))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class _QrSvg(qrcode.image.svg.SvgPathImage):
    background = "#ffffff"


def qr_svg(data: str, label: str) -> SafeString:
    """``data`` as a QR code in inline SVG, drawn on the server: no script, nothing fetched."""
    image = qrcode.make(data, image_factory=_QrSvg, box_size=10, border=4)
    svg = image.get_image()
    svg.set("role", "img")
    svg.set("aria-label", label)
    svg.set("class", "qr-code")
    # ElementTree escapes the label; the rest is numbers and fixed names.
    return mark_safe(ElementTree.tostring(svg, encoding="unicode"))  # noqa: S308


# --- the admin site --------------------------------------------------------------------------


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site's own login form takes a password alone: send everyone to ours."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if not request.user.is_authenticated:
        return redirect_to_login(target or reverse("admin:index"), login_url=reverse("login"))
    if request.user.is_staff:
        return redirect(target or reverse("admin:index"))
    messages.error(request, _("Your account has no access to the administration site."))
    return redirect("core:home")
