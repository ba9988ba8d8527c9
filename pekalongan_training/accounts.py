"""Password reset that answers alike for every address and is throttled.

Django's PasswordResetView renders and sends the mail before it answers, so an address with an
account answers measurably later than one without, and nothing limits how many mails one address
or one client can cause. Here the view only checks the form and the limits; the mail goes out after
the answer has been sent (password_reset_deliver, the one place a task queue would take over).
"""

import threading
import time

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from pekalongan_training.middleware import client_ip

# At most this many reset mails per e-mail address, and per client address, per period (seconds).
DEFAULT_RATE_LIMIT = {"email": 3, "client": 10, "seconds": 3600}


def rate_limited(scope: str, key: str, limit: int, seconds: int) -> bool:
    """More than `limit` uses of `key` in the current period: as participants.views.public's limit,
    one of `limit` numbered places per period claimed with cache.add (atomic on every backend), the
    key a keyed hash so the shared cache holds no address."""
    window = int(time.time() // seconds)
    hashed = salted_hmac(f"{scope}-rate-limit", key).hexdigest()[:32]
    places = [f"{scope}:{window}:{hashed}:{place}" for place in range(limit)]
    taken = cache.get_many(places)
    return not any(cache.add(place, 1, seconds) for place in places if place not in taken)


def _throttled(request, email: str) -> bool:
    limits = {**DEFAULT_RATE_LIMIT, **getattr(settings, "PASSWORD_RESET_RATE_LIMIT", {})}
    # Both places are claimed on every post, so one client cannot spread its mails over addresses.
    by_client = rate_limited("password-reset-client", client_ip(request), limits["client"], limits["seconds"])
    by_email = rate_limited("password-reset-email", email.strip().lower(), limits["email"], limits["seconds"])
    return by_client or by_email


def password_reset_deliver(*, email: str, domain: str, use_https: bool) -> None:
    """Send the reset link to every active account with this address; nothing for an unknown one.

    Runs after the answer, in a thread of its own (_after_response); a task queue, once there is
    one, would run this function instead, with the same keyword arguments.
    """
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


def _in_background(work) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connections.close_all()  # the thread's own database connections

    thread = threading.Thread(target=run, name="password-reset-mail", daemon=True)
    thread.start()
    return thread


class _RedirectThen(HttpResponseRedirect):
    """A redirect that starts `work` once the server has sent it (WSGI servers close the response
    after writing it; so does Django's test client)."""

    def __init__(self, url, work):
        super().__init__(url)
        self._work = work

    def close(self):
        super().close()
        work, self._work = self._work, None
        if work is not None:
            _in_background(work)


@csrf_protect
def password_reset(request):
    """The "forgot password" form: the same redirect, at the same speed, whatever the address."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        done = reverse("password_reset_done")
        if _throttled(request, email):
            return HttpResponseRedirect(done)  # silently: the same answer, no mail
        domain, use_https = get_current_site(request).domain, request.is_secure()

        def work():
            password_reset_deliver(email=email, domain=domain, use_https=use_https)

        return _RedirectThen(done, work)
    return render(request, "registration/password_reset_form.html", {"form": form, "title": _("Password reset")})
