"""Prepare a load test on the database in DATABASE_URL and print the plan as JSON (bench/loadtest.py).

Logged-in sessions are made here for every simulated person, with the server's SECRET_KEY, so that
the test measures the work people do and not 50 password checks at once (PBKDF2 is slow on purpose).
Operators change marks that already exist, so the number of marks stays as seeded. The dashboard's
cached figures are dropped first, so the test starts as the first views after a change do.
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
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.accounts import account  # noqa: E402
from participants.models import Attendance, Participant  # noqa: E402
from pekalongan_training.roles import OFFICIAL_GROUP, STAFF_GROUP  # noqa: E402
from programs.models import Kecamatan, Provider, TrainingPackage  # noqa: E402
from reports import caching  # noqa: E402

OPERATORS, OFFICIALS, STAFF = 30, 10, 10


def logged_in(user) -> str:
    """A session key for this user, as a login would make it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


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
    plan = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "operators": operator_plans(today),
        "officials": [logged_in(official) for _ in range(OFFICIALS)],
        "staff": [logged_in(staff) for _ in range(STAFF)],
        "dashboard": reverse("dashboard:index"),
        "dashboard_filters": filters,
        "search": reverse("admin:participants_participant_changelist"),
        "search_terms": [p.nik for p in people[:10]] + [p.full_name for p in people[10:]],
    }
    caching.figures_changed()  # start with no cached figures, as after a change
    print(json.dumps(plan))


if __name__ == "__main__":
    main()
