"""Every URL of the site, for every role, answers as this matrix says. A new route must be added here.

Roles: anonymous, the operator of provider A (whose objects the URLs point at), the operator of
provider B, an official, dinas staff, and a superuser. Expected answers to a GET: 200, 302 (to the
login or onward), 403 (a role that may not act), 404 (someone else's object), 405 (POST only).
The admin's own routes are checked through its index and one changelist (they all share its
permission check).
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from participants.models import Certificate, ParticipantImport
from participants.services import follow_up_link
from pekalongan_training.dates import add_months
from programs.models import TrainingPackage
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "operator_a", "operator_b", "official", "staff", "superuser"]
ALL = dict.fromkeys(ROLES)


def same(code):
    return dict.fromkeys(ROLES, code)


def portal(own=200, list_page=False):
    return {
        "anonymous": 302,
        "operator_a": own,
        "operator_b": 200 if list_page else 404,
        "official": 403,
        "staff": own,
        "superuser": own,
    }


STAFF_ONLY = {"anonymous": 302, "operator_a": 403, "operator_b": 403, "official": 403, "staff": 200, "superuser": 200}
DASHBOARD = {"anonymous": 302, "operator_a": 403, "operator_b": 403, "official": 200, "staff": 200, "superuser": 200}
LOGGED_IN = {**same(200), "anonymous": 302}

MATRIX = {
    "home": same(302),
    "healthz": same(200),
    "login": same(200),
    "logout": same(405),
    "password_change": LOGGED_IN,
    "account": LOGGED_IN,
    "two_factor_verify": same(302),  # to the log-in, or (no app set up yet) to setting one up
    "two_factor_setup": LOGGED_IN,
    "two_factor_recovery_codes": same(302),  # no new codes to show: to the account page
    "password_change_done": LOGGED_IN,
    "password_reset": same(200),
    "password_reset_done": same(200),
    "password_reset_confirm": same(200),
    "password_reset_complete": same(200),
    "set_language": same(302),
    "provider:package-list": portal(list_page=True),
    "provider:package-detail": portal(),
    "provider:package-export": portal(),
    "provider:package-attendance-sheet": portal(),
    "provider:session-add": portal(),
    "provider:package-results": portal(),
    "provider:package-propose-completion": same(405),
    "provider:package-confirm-completion": same(405),
    "provider:session-attendance": portal(),
    "provider:session-all-present": same(405),
    "provider:attendance-mark": same(405),
    "provider:session-move": portal(),
    "provider:service-worker": same(200),  # public: code and addresses only, no data
    "provider:offline-pages": portal(list_page=True),  # each operator's own meetings
    "provider:offline": portal(list_page=True),
    "intake:import-upload": STAFF_ONLY,
    "intake:import-preview": {**STAFF_ONLY, "superuser": 404},  # a preview belongs to whoever uploaded it
    "intake:import-template": STAFF_ONLY,
    "intake:package-enrollment": STAFF_ONLY,
    "intake:enrollment-add": same(405),
    "intake:applicants-decide": same(405),
    "intake:enrollment-withdraw": same(405),
    "intake:selection": STAFF_ONLY,
    "intake:selection-import": STAFF_ONLY,
    "intake:selection-decide": same(405),
    "intake:selection-move": same(405),
    "intake:selection-announce": same(405),
    "intake:certificates": STAFF_ONLY,
    "intake:certificates-pdf": STAFF_ONLY,
    "intake:certificate-revoke": {**STAFF_ONLY, "staff": 405, "superuser": 405},
    "certificate-verify": same(200),  # anyone: an employer checks a printed certificate
    "alumni-followup": same(200),  # the alumnus's own link
    "intake:followup-list": STAFF_ONLY,
    "intake:followup-record": STAFF_ONLY,
    "intake:followup-send": same(405),
    "intake:allowances": STAFF_ONLY,
    "intake:allowances-export": STAFF_ONLY,
    "intake:allowances-print": STAFF_ONLY,
    "intake:beneficiaries-export": {**STAFF_ONLY, "staff": 400, "superuser": 400},  # no program or package given
    "dashboard:realisation": DASHBOARD,
    "intake:spending-import": STAFF_ONLY,
    "intake:spending-import-template": STAFF_ONLY,
    "data:index": same(200),  # open data: public
    "data:catalog": same(200),
    "data:results": same(200),
    "data:results-year": same(200),
    "data:dataset": same(200),
    "data:metadata": same(200),
    "data:download": same(200),
    "dashboard:realisation-export": DASHBOARD,
    "dashboard:realisation-print": DASHBOARD,
    "intake:followup-remind": same(405),
    "public:package-list": same(200),
    "public:register": same(200),
    "public:receipt": same(404),  # only the browser that registered sees its receipt
    "public:status": same(200),  # anyone: the receipt number and birth date are the key
    "public:announcement-list": same(200),
    "public:announcement": same(200),  # a published announcement is for everyone
    "public:announcement-wave": same(200),
    "dashboard:index": DASHBOARD,
    "dashboard:indicators": DASHBOARD,
    "dashboard:print": DASHBOARD,
    "dashboard:export": DASHBOARD,
    "dashboard:open-data": same(301),  # the old open-data addresses: moved for good to /data/, for anyone
}


def named_routes():
    """(namespaced name, route) of every URL pattern outside the admin."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), str(pattern.pattern)

    return [(name, route) for name, route in walk(get_resolver().url_patterns) if not (name or "").startswith("admin:")]


def test_every_route_is_in_the_matrix():
    names = {name for name, _route in named_routes()}
    assert None not in names, "every route needs a name"
    assert names == set(MATRIX), f"missing: {names - set(MATRIX)}; stale: {set(MATRIX) - names}"


@pytest.fixture
def world():
    today = timezone.localdate()
    operator_a, operator_b = factories.OperatorFactory(), factories.OperatorFactory()
    staff = factories.StaffFactory()
    package = factories.TrainingPackageFactory(
        provider=factories.ProviderFactory(operators=[operator_a]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
    )
    factories.ProviderFactory(operators=[operator_b])
    future = factories.SessionFactory(package=package, date=today + datetime.timedelta(days=2))
    enrollment = factories.EnrollmentFactory(package=package)
    ended = factories.TrainingPackageFactory(
        starts_on=add_months(today, -5) - datetime.timedelta(days=10), ends_on=add_months(today, -5)
    )
    completer = factories.EnrollmentFactory(package=ended, status="completed")
    open_package = factories.TrainingPackageFactory(
        status=TrainingPackage.Status.OPEN,
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
        cohort=factories.CohortFactory(
            registration_opens=today - datetime.timedelta(days=1),
            registration_closes=today + datetime.timedelta(days=5),
            starts_on=today + datetime.timedelta(days=20),
            ends_on=today + datetime.timedelta(days=60),
        ),
    )
    applicant = factories.EnrollmentFactory(package=open_package, status="applied")
    announced = factories.TrainingPackageFactory(
        cohort=open_package.cohort,
        starts_on=open_package.starts_on,
        ends_on=open_package.ends_on,
        selection_decided_at=timezone.now(),
        announcement_published_at=timezone.now(),
    )
    factories.EnrollmentFactory(package=announced, status="enrolled", selection_rank=1, receipt_number="2026-MATRX1")
    certificate = Certificate.objects.create(
        enrollment=completer, number="SRT/MATRIX", code="ABCDEFGHJKMNPQRSTUVW", issued_on=today
    )
    batch = ParticipantImport.objects.create(filename="x.csv", content=b"NIK\n", created_by=staff)
    args = {
        "provider:package-detail": [package.pk],
        "provider:package-export": [package.pk, "csv"],
        "provider:package-attendance-sheet": [package.pk],
        "provider:session-add": [package.pk],
        "provider:package-results": [package.pk],
        "provider:package-propose-completion": [package.pk],
        "provider:package-confirm-completion": [package.pk],
        "provider:session-attendance": [future.pk],
        "provider:session-all-present": [future.pk],
        "provider:attendance-mark": [future.pk, enrollment.pk],
        "provider:session-move": [future.pk],
        "intake:import-preview": [batch.pk],
        "intake:import-template": ["xlsx"],
        "intake:package-enrollment": [package.pk],
        "intake:enrollment-add": [package.pk],
        "intake:applicants-decide": [package.pk],
        "intake:enrollment-withdraw": [package.pk, enrollment.pk],
        "intake:followup-record": [completer.pk, 3],
        "intake:selection": [open_package.pk],
        "intake:certificates": [ended.pk],
        "intake:certificates-pdf": [ended.pk],
        "intake:allowances": [ended.pk],
        "data:dataset": ["peserta-per-kecamatan"],
        "data:metadata": ["peserta-per-kecamatan"],
        "data:download": ["peserta-per-kecamatan", "csv"],
        "data:results-year": [ended.cohort.program.fiscal_year],
        "intake:allowances-export": [ended.pk],
        "intake:allowances-print": [ended.pk],
        "intake:certificate-revoke": [certificate.pk],
        "certificate-verify": [certificate.code],
        "alumni-followup": [follow_up_link(enrollment=completer, round=3).split("/")[-2]],
        "intake:selection-import": [open_package.pk],
        "intake:selection-decide": [open_package.pk],
        "intake:selection-move": [open_package.pk, applicant.pk],
        "intake:selection-announce": [open_package.pk],
        "public:announcement": [announced.pk],
        "public:announcement-wave": [announced.cohort_id],
        "public:register": [open_package.pk],
        "dashboard:export": ["xlsx"],
        "dashboard:open-data": ["json"],
        "password_reset_confirm": ["MQ", "set-password"],
    }
    users = {
        "anonymous": None,
        "operator_a": operator_a,
        "operator_b": operator_b,
        "official": factories.OfficialFactory(),
        "staff": staff,
        "superuser": factories.UserFactory(is_staff=True, is_superuser=True),
    }
    return {"args": args, "users": users}


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    wrong = {}
    for name, expected in MATRIX.items():
        response = client.get(reverse(name, args=world["args"].get(name, [])))
        if response.status_code != expected[role]:
            wrong[name] = (response.status_code, expected[role])
        if response.status_code == 302 and expected[role] == 302 and name not in ("home", "set_language"):
            onward = ONWARD.get(name) if user is not None else None
            assert response["Location"].startswith(reverse(onward or "login")), name
    assert wrong == {}, f"{role}: (got, expected) {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_staff(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:participants_participant_changelist")):
        response = client.get(url)
        if role in ("staff", "superuser"):
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


# Where a signed-in person is sent onward (anyone else goes to the log-in).
ONWARD = {"two_factor_verify": "two_factor_setup", "two_factor_recovery_codes": "account"}

# Answers to a POST with an empty form. GET-only routes answer 405; the others answer as on GET,
# except that the roles allowed in may get 200 (a form with its errors) or 302 (done).
POST_ONLY = {
    "provider:package-propose-completion": portal(own=302),
    "provider:package-confirm-completion": {**portal(own=302), "operator_a": 403},  # staff confirm here
    "provider:session-all-present": portal(own=302),
    "provider:attendance-mark": portal(own=302),
    "intake:enrollment-add": {**STAFF_ONLY, "staff": 404, "superuser": 404},  # no such participant
    "intake:applicants-decide": {**STAFF_ONLY, "staff": 302, "superuser": 302},
    "intake:enrollment-withdraw": {**STAFF_ONLY, "staff": 302, "superuser": 302},
    "intake:selection-decide": {**STAFF_ONLY, "staff": 200, "superuser": 200},  # the form with its errors
    "intake:selection-move": {**STAFF_ONLY, "staff": 200, "superuser": 200},
    "intake:selection-announce": {**STAFF_ONLY, "staff": 302, "superuser": 302},  # not decided: back, told why
    "intake:certificate-revoke": {**STAFF_ONLY, "staff": 200, "superuser": 200},  # no reason: the page, told why
    "intake:followup-send": {**STAFF_ONLY, "staff": 302, "superuser": 302},  # no round: back, told why
    "intake:followup-remind": {**STAFF_ONLY, "staff": 302, "superuser": 302},
    "intake:allowances": {**STAFF_ONLY, "staff": 200, "superuser": 200},  # the pay form with its errors
    "intake:spending-import": {**STAFF_ONLY, "staff": 200, "superuser": 200},  # no file: the form, told why
    "logout": same(302),
    "home": same(302),
}


GET_ONLY = {
    "healthz",
    "account",
    "password_change_done",
    "password_reset_done",
    "password_reset_complete",
    "provider:package-list",
    "provider:package-detail",
    "provider:package-export",
    "provider:package-attendance-sheet",
    "provider:service-worker",
    "provider:offline-pages",
    "provider:offline",
    "intake:import-template",
    "public:package-list",
    "public:receipt",
    "public:announcement-list",
    "public:announcement",
    "public:announcement-wave",
    "certificate-verify",
    "intake:certificates-pdf",
    "dashboard:index",
    "dashboard:indicators",
    "dashboard:print",
    "dashboard:realisation",
    "dashboard:realisation-export",
    "dashboard:realisation-print",
    "intake:allowances-export",
    "intake:allowances-print",
    "intake:beneficiaries-export",
    "intake:spending-import-template",
    "data:index",
    "data:catalog",
    "data:results",
    "data:results-year",
    "data:dataset",
    "data:metadata",
    "data:download",
    "dashboard:export",
    "dashboard:open-data",
}


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_a_post_as_the_matrix_says(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    wrong = {}
    for name, on_get in MATRIX.items():
        if name in ("set_language", "login", "password_reset", "logout"):
            continue  # public forms and the language switch: a POST is their ordinary use
        response = client.post(reverse(name, args=world["args"].get(name, [])), {})
        if name in POST_ONLY:
            expected = {POST_ONLY[name][role]}
        elif name in GET_ONLY:
            # Never a success: refused as on GET (login, 403, 404), or the method refused.
            expected = {405, on_get[role]} if on_get[role] in (302, 403, 404) else {405}
        elif on_get[role] in (302, 403, 404):
            expected = {on_get[role]}
        else:
            expected = {200, 302}
        if response.status_code not in expected:
            wrong[name] = (response.status_code, expected)
    assert wrong == {}, f"{role}: (got, expected) {wrong}"


@pytest.mark.parametrize("role", ["anonymous", "operator_a", "official"])
def test_no_admin_page_opens_without_being_dinas_staff(client, world, role):
    from django.contrib import admin

    user = world["users"][role]
    if user is not None:
        user.is_staff = True  # "staff status" ticked by mistake does not open the back office
        user.save()
        client.force_login(user)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
