"""Prepare a load test on the database in DATABASE_URL and print the plan as JSON (bench/loadtest.py).

Logged-in sessions are made here for every simulated person, with the server's SECRET_KEY, so that
the test measures the work people do and not 51 password checks at once (PBKDF2 is slow on purpose).
Dinas staff sessions have given their second factor (an authenticator app of their own), as staff
must before any page. Operators change marks that already exist, so the number of marks stays as
seeded; the writer records again the follow-ups of due completers that staff recorded before, with
the answers the form shows, so the figures stay as seeded while every save still counts as a change.
The dashboard's kept figures and any refresh still queued from an earlier run are dropped first.
"""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekalongan_training.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from bench.accounts import account  # noqa: E402
from participants.followups import due_for_round  # noqa: E402
from participants.models import Attendance, Enrollment, Outcome, Participant  # noqa: E402
from pekalongan_training.roles import OFFICIAL_GROUP, STAFF_GROUP  # noqa: E402
from programs.models import Kecamatan, Provider, TrainingPackage  # noqa: E402
from reports import tables  # noqa: E402

OPERATORS, OFFICIALS, STAFF = 30, 10, 10
FOLLOW_UPS = 50  # the writer goes round these, one every 2 s


def logged_in(user, *, second_factor=False) -> str:
    """A session key for this user, as a login would make it (with the code given, for staff)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="Load test", defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


def follow_up_forms(rng, today) -> list[str]:
    """The follow-up forms of completers due for a round whose answer staff recorded by a call."""
    recorded = []
    for round_ in Outcome.Round.values:
        due = due_for_round(Enrollment.objects.exclude(package__status=TrainingPackage.Status.CANCELLED), round_, today)
        called = due.filter(outcomes__round=round_, outcomes__source=Outcome.Source.STAFF_CALL).order_by("pk")
        recorded += [(pk, round_) for pk in called.values_list("pk", flat=True)[: FOLLOW_UPS * 10]]
    picked = rng.sample(recorded, min(FOLLOW_UPS, len(recorded)))
    return [reverse("intake:followup-record", args=[pk, round_]) for pk, round_ in picked]


def operator_plans(today) -> list[dict]:
    """One running package per operator, its latest held meeting, and the people marked at it."""
    plans = []
    packages = (
        TrainingPackage.objects.filter(status=TrainingPackage.Status.RUNNING, provider__operators__isnull=False)
        .select_related("provider")
        .order_by("provider", "pk")
    )
    seen = set()
    for package in packages:
        if package.provider_id in seen:
            continue
        session = package.sessions.filter(date__lte=today, attendances__isnull=False).order_by("-date").first()
        if session is None:
            continue
        marked = list(Attendance.objects.filter(session=session).values_list("enrollment_id", flat=True)[:20])
        operator = package.provider.operators.order_by("pk").first()
        seen.add(package.provider_id)
        plans.append(
            {
                "cookie": logged_in(operator),
                "roster": reverse("provider:package-detail", args=[package.pk]),
                "marking": reverse("provider:session-attendance", args=[session.pk]),
                "marks": [
                    {"url": reverse("provider:attendance-mark", args=[session.pk, pk]), "field": f"status-{pk}"}
                    for pk in marked
                ],
            }
        )
        if len(plans) == OPERATORS:
            break
    return plans


def main():
    rng = random.Random(7)
    today = timezone.localdate()
    staff = account("load-staf", STAFF_GROUP, staff=True)
    official = account("load-pejabat", OFFICIAL_GROUP)
    count = Participant.objects.count()
    people = [Participant.objects.order_by("pk")[rng.randrange(count)] for _ in range(20)]
    kecamatan = list(Kecamatan.objects.order_by("code").values_list("pk", flat=True))
    providers = list(Provider.objects.order_by("pk").values_list("pk", flat=True)[:5])
    filters = [{}, {}, {"year": today.year}, {"year": today.year, "category": "blk", "kecamatan": kecamatan[0]}]
    filters += [{"provider": pk} for pk in providers]
    writer = account("load-staf-tracer", STAFF_GROUP, staff=True)
    plan = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "operators": operator_plans(today),
        "officials": [logged_in(official) for _ in range(OFFICIALS)],
        "staff": [logged_in(staff, second_factor=True) for _ in range(STAFF)],
        "writer": {
            "cookie": logged_in(writer, second_factor=True),
            "forms": follow_up_forms(rng, today),
            "saved": reverse("intake:followup-list"),  # where a saved follow-up goes
        },
        "dashboard": reverse("dashboard:index"),
        "dashboard_filters": filters,
        "search": reverse("admin:participants_participant_changelist"),
        "search_terms": [p.nik for p in people[:10]] + [p.full_name for p in people[10:]],
    }
    if not plan["writer"]["forms"]:
        sys.exit("No completer due for a follow-up has an answer recorded by staff: nothing for the writer.")
    # Start with no figures kept and no refresh queued (bench/loadtest.py computes each selection once).
    cache.clear()
    DBTaskResult.objects.ready().filter(task_path=tables.dashboard_refresh.module_path).delete()
    print(json.dumps(plan))


if __name__ == "__main__":
    main()
