"""A second factor after the password: a code from an authenticator app (TOTP), or a recovery code.

django-otp keeps the devices and checks the codes (with its throttling); this module decides who
must give one and when. Dinas staff and superusers read every full NIK, so with OTP_REQUIRED
(on unless DEBUG) they reach no page but these until they have given a code in this session;
whoever has set up an app is asked for a code at every log-in, whatever OTP_REQUIRED says.
Anyone may set one up (operators and officials too); a lost phone is handled by a superuser, who
deletes the person's device in the admin ("TOTP devices"), or by `manage.py addstatictoken`.
"""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pekalongan_training.forms import SecondFactorForm
from pekalongan_training.roles import is_dinas_staff

RECOVERY_CODE_COUNT = 10
HAS_DEVICE_SESSION_KEY = "second_factor_set_up"  # read once at log-in, so pages cost no query for it
NEW_CODES_SESSION_KEY = "second_factor_new_codes"  # shown once, then dropped
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


@receiver(user_logged_in, dispatch_uid="second-factor-set-up")
def _remember_set_up(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(user)


def _has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_needed(request) -> bool:
    """Must this signed-in person still give a code before going on?"""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    if request.session.get(HAS_DEVICE_SESSION_KEY):
        return True
    return settings.OTP_REQUIRED and is_dinas_staff(user)


def _safe_next(request, default: str = "") -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or resolve_url("home")


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


class SecondFactorMiddleware:
    """Send a signed-in person who still owes a code to the code page; after AuthenticationMiddleware
    and django-otp's OTPMiddleware. The code pages, log-out, the language switch and the health check
    stay open."""

    OPEN_URL_NAMES = ("two_factor_verify", "two_factor_setup", "logout", "set_language", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in self.OPEN_URL_NAMES}
        path = request.path_info
        if path not in self._open_paths and not path.startswith(settings.STATIC_URL) and second_factor_needed(request):
            next_url = request.get_full_path() if request.method == "GET" else ""
            return redirect(_with_next("two_factor_verify", next_url))
        return self.get_response(request)


def _recovery_codes_new(user) -> list[str]:
    """Replace the person's recovery codes with new ones; each works once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _verified(request, device) -> None:
    request.session.cycle_key()  # a new session key once the person is fully signed in
    otp_login(request, device)
    request.session[HAS_DEVICE_SESSION_KEY] = True


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask for the code from the app, or one of the recovery codes."""
    next_url = _safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not user_has_device(request.user):
        return redirect(_with_next("two_factor_setup", next_url))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _check(request, form)
        if device is not None:
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(count)d is left. Make new ones on the recovery codes page.",
                        "You used a recovery code: %(count)d are left. Make new ones on the recovery codes page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


def _check(request, form):
    """The device that takes the code, or None with the reason on the form. Each device counts its
    own failures and makes the next try wait longer (django-otp's throttling); the devices are read
    locked (for_verify), so concurrent guesses wait for each other's failure counts."""
    code = form.cleaned_data["code"]
    with transaction.atomic():
        devices = list(devices_for_user(request.user, for_verify=True))
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        for device in allowed:
            if device.verify_token(code):
                _verified(request, device)
                return device
    if not allowed:
        form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
    else:
        form.add_error("code", _("This code is not right or has expired. Type the code the app shows now."))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), then give one code."""
    next_url = _safe_next(request)
    has_app = _has_app(request.user)
    if user_has_device(request.user) and not request.user.is_verified():
        # Replacing the app, or setting one up while recovery codes remain (the app was deleted
        # for a lost phone), needs a code first: a password alone never sets up a second factor.
        return redirect(_with_next("two_factor_verify", next_url))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by(
        "pk"
    ).last() or TOTPDevice.objects.create(user=request.user, name=APP_DEVICE_NAME, confirmed=False)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if device.verify_token(form.cleaned_data["code"]):
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _recovery_codes_new(request.user)
                _verified(request, device)
                request.session[NEW_CODES_SESSION_KEY] = codes
                messages.success(request, _("Two-step verification is on. Keep the recovery codes below."))
                return redirect(_with_next("two_factor_recovery_codes", next_url))
        form.add_error(
            "code", _("This code is not right. Check the phone's clock and type the code the app shows now.")
        )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "replacing": has_app,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """POST: make a new set of recovery codes. GET: show the new codes, once, right after they were
    made (then they are gone from the session); with none to show, the account page."""
    if not request.user.is_verified() and user_has_device(request.user):
        return redirect(_with_next("two_factor_verify", reverse("account")))
    if request.method == "POST":
        if not _has_app(request.user):
            return redirect("two_factor_setup")
        request.session[NEW_CODES_SESSION_KEY] = _recovery_codes_new(request.user)
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("account")
    return render(request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET"])
def account(request):
    """The signed-in person's account: password, the authenticator app, recovery codes."""
    return render(
        request,
        "registration/account.html",
        {
            "has_app": _has_app(request.user),
            "codes_left": StaticToken.objects.filter(
                device__user=request.user, device__name=RECOVERY_DEVICE_NAME
            ).count(),
            "required": settings.OTP_REQUIRED and is_dinas_staff(request.user),
        },
    )
