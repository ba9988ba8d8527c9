"""Hostile values in every admin form, list, action and address: a form with errors or a redirect, never a 500.

The forms, fields, filters and actions come from the admin itself (`admin.site._registry`, each
ModelAdmin's form and inline formsets, each changelist's filters), so a newly registered admin is
covered at once, and one this file cannot make a row for fails `test_every_admin_has_a_row_to_edit`.
Every post runs in a savepoint that is rolled back afterwards: each hostile value meets the same rows,
and a post that is refused is checked to have written nothing.
"""

import datetime
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.db import transaction
from django.forms import MultiWidget, PasswordInput
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from participants.models import Enrollment, Participant
from programs.admin_input import SafeInputMixin
from programs.models import Expenditure, Program, ProgramFunding, Session, TrainingPackage
from tests import factories
from tests.test_admin import make_allowance_payment, make_rows, make_spending

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
MISSING = object()  # the field left out of the post altogether
# What a careless or a hostile person sends in a field. Every field meets every value.
HOSTILE = {
    "overlong": "A" * 5000,
    "multibyte-tricks": "\u202egnp.exe\u200b\ufeff\uff21\U0001f600e\u0301" + "Ä" * 300,  # over any varchar(255)
    "huge-number": "9" * 40,
    "negative": "-1",
    "nan": "NaN",
    "decimal-comma": "3,5",
    "impossible-date": "2026-02-30",
    "markup-and-sql": SCRIPT + "' OR 1=1 --",
    "whitespace": " \t\r\n ",
    "list": ["1", "abc"],
    "missing": MISSING,
}
VALUES = list(HOSTILE.items())
ADMINS = sorted(admin.site._registry, key=lambda model: model._meta.label)
OURS = {"programs", "participants"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _device(label):
    def make():
        return apps.get_model(label).objects.create(user=factories.UserFactory(), name="Telepon")

    return make


def _access(label):
    def make():
        extra = {"failures_since_start": 1, "get_data": "", "post_data": ""} if label == "axes.AccessAttempt" else {}
        return apps.get_model(label).objects.create(
            username="someone", ip_address="127.0.0.1", user_agent="x", http_accept="*/*", path_info="/", **extra
        )

    return make


def _outcome():
    """A follow-up that is due (the factory's dates are not, by today's rule)."""
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        starts_on=today - datetime.timedelta(days=420), ends_on=today - datetime.timedelta(days=400)
    )
    enrollment = factories.EnrollmentFactory(package=package, status=Enrollment.Status.COMPLETED)
    return factories.OutcomeFactory(enrollment=enrollment, recorded_on=today)


# Rows of the models that tests/test_admin.py's make_rows does not make, by label.
MAKERS = {
    "auth.User": lambda: factories.UserFactory(email="someone@example.com"),
    "auth.Group": lambda: Group.objects.create(name=f"Kelompok uji {Group.objects.count()}"),
    "axes.AccessAttempt": _access("axes.AccessAttempt"),
    "axes.AccessLog": _access("axes.AccessLog"),
    "axes.AccessFailureLog": _access("axes.AccessFailureLog"),
    "otp_totp.TOTPDevice": _device("otp_totp.TOTPDevice"),
    "otp_static.StaticDevice": _device("otp_static.StaticDevice"),
    "pekalongan_training.Message": lambda: apps.get_model("pekalongan_training.Message").objects.create(
        key="uji:1", channel="whatsapp", recipient="081234567890", template="owner_notice", body="Halo"
    ),
    "pekalongan_training.OptOut": lambda: apps.get_model("pekalongan_training.OptOut").objects.create(
        address="081234567890"
    ),
    "participants.Outcome": _outcome,
    "participants.Certificate": lambda: apps.get_model("participants.Certificate").objects.create(
        enrollment=factories.EnrollmentFactory(status="completed", assessment="passed"),
        number="SRT/000001",
        code="KODEUJI0000000000001",
        issued_on=datetime.date(2026, 11, 27),
    ),
    "programs.OperatorAccount": lambda: factories.ProviderFactory(
        operators=[factories.OperatorFactory(first_name="Operator")]
    ).operators.get(),
    "participants.ParticipantImport": lambda: apps.get_model("participants.ParticipantImport").objects.create(
        filename="peserta.csv", content=b"NIK;Nama\n", rows=[["NIK", "Nama"]], created_by=factories.StaffFactory()
    ),
    # An entry well within its package's pagu, dated in the program's year (spending_record's rules).
    "programs.Expenditure": make_spending,
    "participants.AllowancePayment": make_allowance_payment,
}


def a_row(model, *, children=False):
    """A row of `model`; with `children`, one in each of its admin's inlines as well."""
    if model._meta.label in MAKERS:
        obj = MAKERS[model._meta.label]()
        return model.objects.get(pk=obj.pk)  # a proxy model's admin wants its own class
    obj = make_rows(model, 1)[0]
    if model is Session:
        obj.date = obj.package.starts_on  # a meeting inside its package, as the form requires
        obj.save()
    if children and model is Program:
        factories.CohortFactory(program=obj)
        ProgramFunding.objects.create(program=obj, funding_source=Program.FundingSource.DBHCHT, pagu=obj.budget)
    elif children and model is TrainingPackage:
        factories.SessionFactory(package=obj, date=obj.starts_on)
        factories.EnrollmentFactory(package=obj)
        make_spending(package=obj, kind=Expenditure.Kind.INSTRUCTOR_FEES)
    elif children and model is Participant:
        factories.EnrollmentFactory(participant=obj)
    return obj


class BrowserForm(HTMLParser):
    """What a browser sends for a form as the page fills it, {name: [values]}, without the inlines'
    empty templates (`__prefix__`)."""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, form_id is None
        self.data: dict[str, list[str]] = {}
        self.select = self.textarea = None

    def add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value") or "on")
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self.add(name, attrs.get("value") or "")
        elif tag == "select":
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": False}
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.add(self.select["name"], value)
                self.select["chosen"] = True
        elif tag == "textarea":
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form_id:
            self.inside = False
        elif tag == "select" and self.select:
            if not self.select["chosen"] and not self.select["multiple"] and self.select["first"] is not None:
                self.add(self.select["name"], self.select["first"])
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.add(self.textarea[0], self.textarea[1].removeprefix("\n"))
            self.textarea = None


def filled_in(html, form_id=None) -> dict[str, list[str]]:
    parser = BrowserForm(form_id)
    parser.feed(html)
    return parser.data


def post_names(form) -> dict[str, object]:
    """The POST names of a form's fields (a split widget has several), each with its field."""
    names = {}
    for bound in form:
        widget = bound.field.widget
        suffixes = widget.widgets_names if isinstance(widget, MultiWidget) else [""]
        for suffix in suffixes:
            names[bound.html_name + suffix] = bound.field
    return names


def admin_fields(context) -> tuple[dict, dict]:
    """The fields of the ModelAdmin's form, and those of its inlines: each management form and each row."""
    inline_names = {}
    for inline in context["inline_admin_formsets"]:
        inline_names.update(post_names(inline.formset.management_form))
        for form in inline.formset.forms:
            inline_names.update(post_names(form))
    return post_names(context["adminform"].form), inline_names


def with_value(data, name, value):
    data = dict(data)
    if name.endswith("-TOTAL_FORMS") and value == HOSTILE["huge-number"]:
        # Django caps a formset's count at 2,000 rows and shows them all again: correct, but slow
        # for a test. 99 rows more than there are ask the same of the formset.
        value = "99"
    if value is MISSING:
        data.pop(name, None)
    else:
        data[name] = value
    return data


def base_post(client, staff, model, view):
    """The url, the post a browser sends unchanged, and the page: for a change, the stored row as its
    page shows it; for an add, a row like it (rendered by the add form, then deleted, so nothing
    unique clashes). The post is valid: the test checks that it saves."""
    form_id = f"{model._meta.model_name}_form"
    if view == "change":
        obj = a_row(model, children=True)
        url = admin_url(model, "change", obj.pk)
        page = client.get(url)
        return url, filled_in(page.content.decode(), form_id), page
    url = admin_url(model, "add")
    page = client.get(url)
    if page.status_code != 200:
        return url, {}, page
    obj = a_row(model)
    request = RequestFactory().get(url)
    request.user = staff
    own = post_names(page.context["adminform"].form)
    data = {name: values for name, values in filled_in(page.content.decode(), form_id).items() if name not in own}
    data.update(filled_in(str(admin.site._registry[model].get_form(request, None, change=False)(instance=obj))))
    data.update(
        {name: ["Hostile-Test-Pass-2026!"] for name, field in own.items() if isinstance(field.widget, PasswordInput)}
    )
    obj.delete()
    return url, data, page


# The tables a refused post must leave alone: all but the sessions and the login records.
TRACKED = [
    model
    for model in apps.get_models(include_auto_created=True)
    if model._meta.app_label in {*OURS, "auth", "admin", "otp_totp", "otp_static"}
]


def state(watched):
    """Rows per table (history and many-to-many links included), and every value of the `watched` tables."""
    return {
        model._meta.label: (
            list(model._default_manager.order_by("pk").values_list())
            if model in watched
            else model._default_manager.count()
        )
        for model in TRACKED
    }


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def has_errors(context) -> bool:
    if context is None or "adminform" not in context:
        return False
    inlines = context.get("inline_admin_formsets") or []
    return bool(
        context["adminform"].form.errors
        or any(inline.formset.non_form_errors() or any(inline.formset.errors) for inline in inlines)
    )


# SQLite holds integers up to 2**63 - 1, and Django hands it larger ones in `pk__in` (its overflow
# guard covers =, <, > only), as a many-to-many field's check does: sqlite3 fails on them there
# with this OverflowError. PostgreSQL compares such numbers without fail, so the PostgreSQL run
# checks what is let pass here.
def tolerated(error) -> bool:
    return isinstance(error, OverflowError) and "convert to SQLite INTEGER" in str(error)


class Poster:
    """Posts to one admin page, each in a rolled-back savepoint, and notes what went wrong."""

    def __init__(self, client, url, page, *, form=True):
        self.client, self.url, self.form = client, url, form  # a list's 200 is the list again, no form
        # The values of the admin's own table and of its inlines' tables are compared, not only counted.
        inlines = page.context.get("inline_admin_formsets") or []  # none on a list
        models = [page.context["opts"].model, *(inline.formset.model for inline in inlines)]
        self.watched = {model._meta.concrete_model for model in models}
        self.before = state(self.watched)
        self.failures: list[str] = []

    def post(self, data, what, expect=(200, 302)):
        with rolled_back():
            try:
                response = self.client.post(self.url, data)
            except Exception as error:  # noqa: BLE001 - the server error itself is what is looked for
                if not tolerated(error):
                    self.failures.append(f"{what}: {type(error).__name__}: {str(error)[:160]}")
                return None
            if response.status_code not in expect:
                self.failures.append(f"{what}: answered {response.status_code}")
            elif response.status_code == 200:
                if self.form and not has_errors(response.context):
                    self.failures.append(f"{what}: 200 without an error on the form")
                if state(self.watched) != self.before:
                    self.failures.append(f"{what}: refused, but rows were written")
                if SCRIPT in response.content.decode():
                    self.failures.append(f"{what}: markup shown unescaped")
        return response


@pytest.fixture
def staff(client):
    user = factories.StaffFactory(is_superuser=True)
    client.force_login(user)
    return user


def parts(model):
    """A model's admin and its inlines (all that the admin may show, whatever the row)."""
    model_admin = admin.site._registry[model]
    return [model_admin, *(inline(model, admin.site) for inline in model_admin.get_inlines(None, model()))]


def test_every_admin_has_a_row_to_edit():
    """A newly registered admin needs a row for the tests here: a maker in MAKERS, or in make_rows."""
    for model in ADMINS:
        with rolled_back():
            assert a_row(model, children=True).pk, model._meta.label


def test_every_admin_of_the_back_office_takes_the_guard_against_crafted_posts():
    guarded = [
        type(part).__name__
        for model in ADMINS
        if model._meta.app_label in OURS
        for part in parts(model)
        if (part is admin.site._registry[model] or part.autocomplete_fields) and not isinstance(part, SafeInputMixin)
    ]
    assert guarded == []


CHANGE_FORM_NAMES: dict = {}  # model -> names, noted by the change page's test (which runs first)


def change_form_names(client, model) -> set[str]:
    """The names a change page of `model` posts (none when dinas staff cannot change it)."""
    if model in CHANGE_FORM_NAMES:
        return CHANGE_FORM_NAMES[model]
    with rolled_back():  # the row goes again: the add page's post may make one like it
        page = client.get(admin_url(model, "change", a_row(model).pk))
        if page.status_code != 200 or not page.context.get("has_change_permission"):
            return set()
        own, inlines = admin_fields(page.context)
    return {*own, *inlines}


@pytest.mark.parametrize("view", ["change", "add"])
@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model._meta.label)
def test_every_admin_form_takes_hostile_values_in_every_field(client, staff, model, view):
    """Django's own forms (users, groups, devices, login records) get every other value: theirs are
    tested upstream; the back office's get every value in every field, and a few at a time."""
    url, base, page = base_post(client, staff, model, view)
    if page.status_code == 403 or not page.context.get("has_change_permission", True):
        # No form here for dinas staff (seeded places, logs): a post is refused as the page is.
        assert client.post(url, {**base, "_save": "1"}).status_code == 403
        return
    own, inlines = admin_fields(page.context)
    names = [*own, *inlines]
    if view == "change":
        CHANGE_FORM_NAMES[model] = set(names)
    else:  # the fields the change page has get every value in the change page's test
        names = [name for name in names if name not in change_form_names(client, model)]
    values = VALUES if model._meta.app_label in OURS else VALUES[::2]
    poster = Poster(client, url, page)
    base = {**base, "_save": "1"}
    unchanged = poster.post(base, "unchanged")
    assert not poster.failures and unchanged.status_code == 302, poster.failures or [
        unchanged.context["adminform"].form.errors,
        *(inline.formset.errors for inline in unchanged.context["inline_admin_formsets"]),
    ]
    # Every field at once, each with another value, so that every field meets every value.
    for shift in range(len(values) if names else 0):
        data = base
        for index, name in enumerate(names):
            data = with_value(data, name, values[(index + shift) % len(values)][1])
        poster.post(data, f"all fields, shift {shift}")
    # And a few of the form's own fields at a time, the rest valid, so that its clean() meets them.
    groups = max(1, len(own) // 3) if own and model._meta.app_label in OURS else 0
    for group in range(groups):
        data, what = base, []
        for index, name in enumerate(own):
            if index % groups == group:
                label, value = VALUES[(index // groups + group) % len(VALUES)]
                data = with_value(data, name, value)
                what.append(f"{name}={label}")
        poster.post(data, ", ".join(what))
    assert not poster.failures, "\n".join(poster.failures)


def get(client, url, params, failures, what, expect=(200, 302)):
    try:
        response = client.get(url, params)
    except Exception as error:  # noqa: BLE001 - the server error itself is what is looked for
        if not tolerated(error):
            failures.append(f"{what}: {type(error).__name__}: {str(error)[:160]}")
        return None
    if response.status_code not in expect:
        failures.append(f"{what}: answered {response.status_code}")
    elif SCRIPT in response.content.decode(errors="replace"):
        failures.append(f"{what}: markup shown unescaped")
    return response


# Garbage for a list's filters: not a value of the field, not a number a column holds, two values.
FILTER_GARBAGE = ["abc", "9" * 40, ["1", "abc"], SCRIPT]


# Django's list turns a date drill-down's ValueError into "?e=1", but not an OverflowError (a year of
# 40 digits): every admin, django-axes' too, takes SafeInputMixin (participants/admin/site.py).
@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model._meta.label)
def test_every_admin_list_takes_hostile_parameters(client, staff, model):
    """Search, ordering, page, every filter of the list and the date drill-down, with garbage:
    the list, or Django's redirect to the list with ?e=1, never a 500."""
    a_row(model)
    url = admin_url(model, "changelist")
    page = client.get(url)
    assert page.status_code == 200
    changelist = page.context["cl"]
    failures = []
    # Each of the list's filters with garbage in turn (a refused filter stops the list before the
    # search runs: so one at a time), then all of them together.
    params = []
    for index, spec in enumerate(changelist.filter_specs):
        names = spec.expected_parameters()
        params += names
        garbage = FILTER_GARBAGE[index % len(FILTER_GARBAGE)]
        get(client, url, dict.fromkeys(names, garbage), failures, f"{', '.join(names)}={garbage}")
    for value in FILTER_GARBAGE[:2]:
        get(client, url, {**dict.fromkeys(params, value), "_facets": "1"}, failures, f"every filter={value[:9]}")
    hierarchy = changelist.date_hierarchy
    if hierarchy:
        for drill in ({"year": "9" * 40}, {"year": "2026", "month": "2", "day": "30"}):
            params = {f"{hierarchy}__{part}": value for part, value in drill.items()}
            get(client, url, params, failures, f"date drill-down {drill}")
    for params in (
        {"q": "A" * 5000, "o": "abc.-x.99"},
        {"q": HOSTILE["multibyte-tricks"] + " %_\\'\" =^ " + "9" * 40, "o": "-99.0.-0", "p": "abc"},
        {"p": "9" * 40, "all": "1", "_facets": "abc"},
    ):
        get(client, url, params, failures, ", ".join(params))
    # Choosing a field to hand to a popup is refused for a field no relation points to.
    get(client, url, {"_to_field": "password", "_popup": "1"}, failures, "_to_field", expect=(400,))
    get(client, url, {"q": "a\x00b"}, failures, "NUL in the search", expect=(400,))
    assert not failures, "\n".join(failures)


def actions_of(model, staff):
    request = RequestFactory().get("/")
    request.user = staff
    return list(admin.site._registry[model].get_actions(request))


# Django's own ModelAdmin.response_action filters `pk__in` with the posted values and fails on one that
# is no number; every admin, those of django.contrib.auth, django-axes and django-otp too, takes
# SafeInputMixin (programs/admin_input.py; the others get it in participants/admin/site.py).
@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model._meta.label)
def test_every_admin_action_takes_garbage_ids(client, staff, model):
    """An action posted with ids that are no ids: a message, never a 500, and nothing changed."""
    obj = a_row(model)
    url = admin_url(model, "changelist")
    page = client.get(url)
    poster = Poster(client, url, page, form=False)
    for action in actions_of(model, staff):
        for selected in ([SCRIPT], ["9" * 40], [str(obj.pk), "abc"]):
            poster.post({"action": action, ACTION_CHECKBOX_NAME: selected, "index": "0"}, f"{action} on {selected}")
            assert state(poster.watched) == poster.before
    for data in (
        {"action": "no_such_action", ACTION_CHECKBOX_NAME: [obj.pk], "index": "0"},
        {"action": ["", "no_such_action"], ACTION_CHECKBOX_NAME: [obj.pk], "index": "abc"},
        {ACTION_CHECKBOX_NAME: [obj.pk]},
    ):
        poster.post(data, f"action={data.get('action')}, index={data.get('index')}")
    assert not poster.failures, "\n".join(poster.failures)


AUTOCOMPLETES = sorted(
    {(part.model, name) for model in ADMINS for part in parts(model) for name in part.autocomplete_fields},
    key=lambda item: (item[0]._meta.label, item[1]),
)


@pytest.mark.parametrize(("model", "name"), AUTOCOMPLETES, ids=lambda item: getattr(item, "__name__", item))
def test_every_autocomplete_takes_hostile_terms(client, staff, model, name):
    """The search behind each autocomplete field, with hostile terms and pages; and garbage names."""
    field = model._meta.get_field(name)
    a_row(field.related_model)
    url = reverse("admin:autocomplete")
    source = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
    failures = []
    for term, page in (("A" * 5000, "abc"), ("9" * 40, "9" * 40), (HOSTILE["multibyte-tricks"] + "%_", "-1")):
        get(client, url, {**source, "term": term, "page": page}, failures, f"term {term[:9]}", expect=(200, 404))
    for key, value in (("app_label", "A" * 5000), ("model_name", "9" * 40), ("field_name", "password")):
        get(client, url, {**source, key: value, "term": "a"}, failures, f"{key}=garbage", expect=(403,))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model._meta.label)
def test_an_id_that_is_no_id_in_an_admin_address_is_not_found(client, staff, model):
    """A change, delete or history address with an id that is no number, or none a column holds:
    Django's "does not exist" redirect or a 404, never a 500."""
    failures = []
    prefix = reverse("admin:index") + f"{model._meta.app_label}/{model._meta.model_name}/"
    for path in ("abc/change/", "9" * 40 + "/delete/", "%E2%80%AE-1/history/"):
        get(client, prefix + path, {}, failures, path, expect=(302, 403, 404))
    obj = a_row(model)
    get(client, prefix + f"{obj.pk}/change/", {"_changelist_filters": "a=%%%&&q=" + "9" * 40}, failures, "filters")
    if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
        for version in ("abc", "9" * 40):
            get(client, prefix + f"{obj.pk}/history/{version}/", {}, failures, f"history {version}", expect=(302, 404))
    assert not failures, "\n".join(failures)
