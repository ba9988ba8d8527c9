"""The provider portal: an operator's packages, rosters, attendance marking and end-of-training results.

Every object is fetched through the user's scope (TrainingPackage/Session .for_operator): another
provider's package or meeting is a 404. Officials and users without a role get 403. Dinas staff
see and correct every provider's pages.

Marking without signal ("Attendance without signal" in DESIGN.md): the portal's service worker
(/provider/sw.js: settings from service_worker, code in static/js/offline-sw.js) keeps on the phone
the marking pages of the operator's meetings from yesterday to a week ahead (offline_pages) and a
page listing them (offline_page); taps made without signal wait in IndexedDB
(static/js/offline-queue.js) and are sent to attendance_mark later, asking for JSON: 200 saved
(or already saved), 409 a newer mark is kept, 400 refused by a rule, 404 not in the user's
packages, 403 logged out (the phone keeps the tap). The rules are attendance_record's.
"""

import datetime
import hashlib
import json
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from participants import exports
from participants.forms.portal import ResultsForm, SessionForm
from participants.models import Attendance, Enrollment
from participants.selectors import LETTERS, package_roster, packages_for_portal, session_marking_rows
from participants.services import (
    attendance_mark_all_present,
    attendance_record,
    attendance_rule_errors,
    attendance_unmarked,
    can_confirm_completion,
    completion_confirm,
    completion_propose,
    enrollment_record_results,
)
from pekalongan_training.roles import is_dinas_staff, is_operator, role_required
from programs.models import Session, TrainingPackage
from programs.services import session_add, session_move

REMARK_LENGTH = Attendance._meta.get_field("remark").max_length


def portal_view(view):
    """Login required; dinas staff and provider operators only (others get 403).

    A tap (htmx) after the session expired gets the whole page sent to the login, not a login
    form squeezed into one row.
    """

    checked = role_required(is_dinas_staff, is_operator)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and _wants_json(request):
            # A tap sent later by the phone, or the service worker: a 403 keeps the tap queued.
            login = reverse(settings.LOGIN_URL)
            return JsonResponse(
                {"error": _("Log in again to send the marks kept on this phone."), "login": login}, status=403
            )
        if not request.user.is_authenticated and request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            back = urlsplit(request.headers.get("HX-Current-URL", "")).path
            response["HX-Redirect"] = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': back})}"
            return response
        return checked(request, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    """Asked by offline-queue.js or the service worker, which read the answer themselves."""
    return request.headers.get("Accept", "").startswith("application/json")


def _package(request, pk) -> TrainingPackage:
    queryset = TrainingPackage.objects.for_operator(request.user).select_related(
        "provider", "vocation", "cohort__program"
    )
    return get_object_or_404(queryset, pk=pk)


def _session(request, pk) -> Session:
    queryset = Session.objects.for_operator(request.user).select_related("package__provider", "package__vocation")
    return get_object_or_404(queryset, pk=pk)


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@require_GET
@portal_view
def package_list(request):
    today = timezone.localdate()
    groups = {"running": [], "upcoming": [], "finished": []}
    for package in packages_for_portal(request.user, today):
        if package.is_closed or package.ends_on < today:
            groups["finished"].append(package)
        elif package.starts_on > today:
            groups["upcoming"].append(package)
        else:
            groups["running"].append(package)
    groups["finished"].reverse()
    return render(
        request,
        "participants/portal/package_list.html",
        {
            "groups": groups,
            "today": today,
            "show_provider": is_dinas_staff(request.user),
            "offline": _offline_config(request),
        },
    )


@require_GET
@portal_view
def package_detail(request, pk):
    package = _package(request, pk)
    roster = package_roster(package, timezone.localdate())
    return render(
        request,
        "participants/portal/package_detail.html",
        {"package": package, "roster": roster, "offline": _offline_config(request)},
    )


@require_GET
@portal_view
def package_export(request, pk, fmt):
    package = _package(request, pk)
    roster = package_roster(package, timezone.localdate())
    if fmt == "csv":
        return exports.roster_csv(roster)
    if fmt == "xlsx":
        return exports.roster_xlsx(roster)
    raise Http404


def _marking_context(session, **extra):
    rows = session_marking_rows(session)
    active = [row for row in rows if row.enrollment.status != Enrollment.Status.DROPPED_OUT]
    today = timezone.localdate()
    return {
        "session": session,
        "package": session.package,
        "rows": rows,
        "class_size": len(active),
        "marked": sum(1 for row in active if row.attendance),
        "can_mark": session.date <= today and not session.package.is_closed,
        "is_future": session.date > today,
        # A page kept on the phone before the meeting's day opens itself on the day (attendance.js).
        "opens_on": session.date if session.date > today and not session.package.is_closed else None,
        "statuses": [(value, label, LETTERS[value]) for value, label in Attendance.Status.choices],
        **extra,
    }


def _all_present_question(count: int, *, shown: str | None = None) -> str:
    """The confirmation of "Semua hadir"; `shown` stands in for the number (the page fills in {count})."""
    return ngettext(
        "Mark %(counter)s participant not yet marked as present?",
        "Mark %(counter)s participants not yet marked as present?",
        count,
    ) % {"counter": count if shown is None else shown}


def _page_messages() -> dict[str, str]:
    """What attendance.js says, in the page's language ({count}: the number it counted)."""
    return {
        "saving": _("Saving…"),
        "unsaved": _("Not saved, try again."),
        "all_failed": _("“All present” was not saved: check the signal and try again."),
        "all_none": _("Everyone is marked already."),
        "confirm_one": _all_present_question(1, shown="{count}"),
        "confirm_other": _all_present_question(2, shown="{count}"),
        "queued": _("not sent yet"),
        "queued_state": _("Kept on this phone; sent when the signal returns."),
        "all_queued_one": _all_present_queued(1, shown="{count}"),
        "all_queued_other": _all_present_queued(2, shown="{count}"),
        "marked_count": _("%(marked)s of %(total)s marked") % {"marked": "{marked}", "total": "{total}"},
        "not_all_marked": _("some people are not marked yet"),
    }


def _all_present_queued(count: int, *, shown: str) -> str:
    return ngettext(
        "%(counter)s person marked present on this phone; sent when the signal returns.",
        "%(counter)s people marked present on this phone; sent when the signal returns.",
        count,
    ) % {"counter": shown}


def _offline_config(request, session=None) -> dict:
    """What offline-queue.js needs on a portal page: whose taps it sends, the service worker, its words.

    `served` is "network" as rendered here; the copy the service worker keeps says "cache"
    (offline-sw.js), so a page shown without signal does not take its stale `now` for the clock.
    """
    return {
        "served": "network",
        "now": int(timezone.now().timestamp() * 1000),
        "user": request.user.pk,
        "session": session.pk if session else None,
        "sw": reverse("provider:service-worker"),
        "scope": reverse("provider:package-list"),
        "login": f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}",
        "logout": reverse("logout"),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "messages": {
            "unsent_one": ngettext("%(count)s mark not sent yet", "%(count)s marks not sent yet", 1)
            % {"count": "{count}"},
            "unsent_other": ngettext("%(count)s mark not sent yet", "%(count)s marks not sent yet", 2)
            % {"count": "{count}"},
            "offline": _("No signal: marks are kept on this phone and sent when the signal returns."),
            "login": _("You are logged out. The marks stay on this phone: log in again to send them."),
            "login_link": _("Log in"),
            "refused": _("These marks made without signal were not saved:"),
            "not_found": _("This person or meeting is no longer in your packages."),
            "failed": _("The server could not save this mark after several tries; mark again."),
            "dismiss": _("Understood"),
            "ready": _("This page also works on this phone without signal."),
        },
    }


def _tapped_at(request) -> datetime.datetime | None:
    """When the tap was made: ISO 8601 with its offset ("2026-05-04T01:02:03.456Z"), or milliseconds
    since 1970; on the server's clock as the page reckons it. None when missing, unreadable or
    without an offset (then the tap counts as made now)."""
    value = request.POST.get("tapped_at", "").strip()
    try:
        if value.lstrip("-").isdigit():
            return datetime.datetime.fromtimestamp(int(value) / 1000, tz=datetime.UTC)
        when = datetime.datetime.fromisoformat(value)
    except (ValueError, OverflowError, OSError):
        return None
    return when if when.tzinfo is not None else None


def _save_submitted_marks(request, session) -> None:
    """The plain form (no JavaScript): save every row whose mark or remark changed."""
    saved, errors = 0, []
    for row in session_marking_rows(session):
        status = request.POST.get(f"status-{row.enrollment.pk}", "")
        remark = request.POST.get(f"remark-{row.enrollment.pk}", "")
        if not status or (status, remark.strip()) == (row.status, row.attendance.remark if row.attendance else ""):
            continue
        try:
            attendance_record(
                session=session, enrollment=row.enrollment, status=status, remark=remark, actor=request.user
            )
            saved += 1
        except ValidationError as error:
            errors.append(f"{row.enrollment.participant.full_name}: {' '.join(error.messages)}")
    for message in errors:
        messages.error(request, message)
    if saved:
        messages.success(request, _("Attendance saved for %(count)s people.") % {"count": saved})


@portal_view
def session_attendance(request, pk):
    """The marking page. With JavaScript each tap saves at once (attendance_mark); without, the form saves all.

    The form's first (default) button is a hidden "Save marks": Enter in a remark field (the Go key of
    a phone keyboard) saves the marks as chosen and never runs "Semua hadir". With JavaScript,
    attendance.js saves that one row instead.
    """
    session = _session(request, pk)
    if request.method == "POST":
        _save_submitted_marks(request, session)
        return redirect("provider:session-attendance", pk=session.pk)
    # attendance.js reckons the server's clock from `now` to time each tap.
    context = _marking_context(session, offline=_offline_config(request, session))
    context["page_data"] = {
        "now": int(timezone.now().timestamp() * 1000),
        "opens_on": context["opens_on"].isoformat() if context["opens_on"] else None,
        "time_zone": settings.TIME_ZONE,
        "session": session.pk,
        "meeting": f"{session.package.code}, {date_format(session.date)}",
        "messages": _page_messages(),
    }
    return render(request, "participants/portal/session_attendance.html", context)


@require_POST
@portal_view
def attendance_mark(request, pk, enrollment_pk):
    """One tap: save one person's mark and answer with their row (htmx), or go back to the page.

    The row comes back as the server keeps it: when a newer mark was already stored (the tap arrived
    late, or another phone marked the person since), the row shows that mark and says so. A tap the
    phone kept without signal asks for JSON (see the module's docstring); `if_unmarked` is "Semua
    hadir" made on the phone, sent person by person.
    """
    session = _session(request, pk)
    enrollment = get_object_or_404(
        Enrollment.objects.holding_seats().select_related("participant"),
        pk=enrollment_pk,
        package_id=session.package_id,
    )
    if _wants_json(request) and request.POST.get("user", str(request.user.pk)) != str(request.user.pk):
        # A tap kept on a phone for someone else (a shared phone): theirs to send, after their log-in.
        return JsonResponse({"error": _("This mark was made by someone else on this phone.")}, status=403)
    status = request.POST.get(f"status-{enrollment.pk}", "")
    remark = request.POST.get(f"remark-{enrollment.pk}", "")
    if_unmarked = request.POST.get("if_unmarked") == "1"
    error, typed, refused = None, None, False
    try:
        mark = attendance_record(
            session=session,
            enrollment=enrollment,
            status=status,
            remark=remark,
            actor=request.user,
            tapped_at=_tapped_at(request),
            if_unmarked=if_unmarked,
        )
    except ValidationError as exc:
        error, typed, refused = " ".join(exc.messages), remark, True  # keep what was typed, to save with a mark
    else:
        if not if_unmarked and (mark.status, mark.remark) != (status, remark.strip()[:REMARK_LENGTH]):
            error = _("This person already has a newer mark, kept as shown. Tap again to change it.")
    if _wants_json(request):
        return _queued_tap_answer(request, session, enrollment, error=error, refused=refused)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("provider:session-attendance", pk=session.pk)
    context = _marking_context(session, row_error=error, row_remark=typed, oob=True)
    context["row"] = next(row for row in context["rows"] if row.enrollment.pk == enrollment.pk)
    return render(request, "participants/portal/_attendance_mark_result.html", context)


def _queued_tap_answer(request, session, enrollment, *, error: str | None, refused: bool) -> JsonResponse:
    """The answer to a tap sent later: the row and the counter as the server keeps them, and why not
    saved (400: a rule; 409: a newer mark is kept). The phone drops the tap from its queue either way."""
    context = _marking_context(session)
    context["row"] = next(row for row in context["rows"] if row.enrollment.pk == enrollment.pk)
    data = {
        "row": render_to_string("participants/portal/_attendance_row.html", context, request),
        "counter": render_to_string("participants/portal/_marked_count.html", context, request),
    }
    if error:
        data["error"] = error
    return JsonResponse(data, status=400 if refused else 409 if error else 200)


def _enrollment_ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@require_POST
@portal_view
def session_all_present(request, pk):
    """ "Semua hadir": marks present those shown unmarked, once the operator confirmed how many.

    Without `confirm` (no JavaScript) the marks already chosen on the page are saved first, then a
    page asks to confirm, listing who will be marked. With JavaScript the page asks itself and sends
    the people it counted. Either way the confirmation names the people (`enrollment`) and only those
    still unmarked are marked.
    """
    session = _session(request, pk)
    is_htmx = bool(request.headers.get("HX-Request"))
    if request.POST.get("confirm") != "1":
        if is_htmx:
            return render(
                request,
                "participants/portal/_all_present_result.html",
                _marking_context(session, error=_("Nobody was marked: confirm first."), rows=[], oob=True),
            )
        _save_submitted_marks(request, session)
        return _all_present_confirmation(request, session)
    only = _enrollment_ids(request.POST.getlist("enrollment"))
    error, count = None, 0
    try:
        count = attendance_mark_all_present(
            session=session, actor=request.user, only=only, tapped_at=_tapped_at(request)
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if is_htmx:
        context = _marking_context(session, error=error, count=count, oob=True)
        context["rows"] = [row for row in context["rows"] if row.enrollment.pk in set(only)]
        return render(request, "participants/portal/_all_present_result.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(count)s people marked present.") % {"count": count})
    return redirect("provider:session-attendance", pk=session.pk)


def _all_present_confirmation(request, session):
    errors = attendance_rule_errors(session=session)
    if errors:
        for message in errors:
            messages.error(request, message)
        return redirect("provider:session-attendance", pk=session.pk)
    unmarked = list(
        attendance_unmarked(session=session).select_related("participant").order_by("participant__full_name", "pk")
    )
    return render(
        request,
        "participants/portal/session_all_present_confirm.html",
        {
            "session": session,
            "package": session.package,
            "unmarked": unmarked,
            "question": _all_present_question(len(unmarked)),
        },
    )


@portal_view
def session_add_view(request, pk):
    package = _package(request, pk)
    form = SessionForm(
        request.POST or None, initial={"starts_at": package.session_starts_at, "ends_at": package.session_ends_at}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session_add(package=package, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Meeting added."))
            return redirect("provider:package-detail", pk=package.pk)
    return render(request, "participants/portal/session_form.html", {"form": form, "package": package, "moving": None})


@portal_view
def session_move_view(request, pk):
    session = _session(request, pk)
    initial = {"date": session.date, "starts_at": session.starts_at, "ends_at": session.ends_at, "topic": session.topic}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session_move(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Meeting moved."))
            return redirect("provider:package-detail", pk=session.package_id)
    return render(
        request, "participants/portal/session_form.html", {"form": form, "package": session.package, "moving": session}
    )


@portal_view
def package_results(request, pk):
    """End of training: results per person, the completion proposal and its confirmation."""
    package = _package(request, pk)
    enrollments = list(
        package.enrollments.filter(status__in=[Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED])
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    forms = [
        ResultsForm(
            request.POST if request.method == "POST" else None,
            prefix=str(enrollment.pk),
            initial={name: getattr(enrollment, name) for name in ResultsForm.base_fields},
        )
        for enrollment in enrollments
    ]
    if request.method == "POST":
        saved = _save_results(request, enrollments, forms)
        if saved is not None:
            messages.success(request, _("Results saved for %(count)s people.") % {"count": saved})
            return redirect("provider:package-results", pk=package.pk)
        messages.error(request, _("Nothing was saved. Correct the rows marked in red and save again."))
    roster = package_roster(package, timezone.localdate())
    by_enrollment = {row.enrollment.pk: row for row in roster.rows}
    return render(
        request,
        "participants/portal/package_results.html",
        {
            "package": package,
            "roster": roster,
            "rows": [
                (enrollment, form, by_enrollment.get(enrollment.pk))
                for enrollment, form in zip(enrollments, forms, strict=True)
            ],
            "proposed": [e for e in enrollments if e.status == Enrollment.Status.ENROLLED and e.completion_proposed_at],
            "can_confirm": can_confirm_completion(request.user, package),
            "today": timezone.localdate(),
        },
    )


def _save_results(request, enrollments, forms) -> int | None:
    """Save every changed row, or none of them (returns None) when any row has an error."""
    if not all(form.is_valid() for form in forms):
        return None
    saved = 0
    try:
        with transaction.atomic():
            for enrollment, form in zip(enrollments, forms, strict=True):
                if not form.has_changed():
                    continue
                try:
                    enrollment_record_results(enrollment=enrollment, actor=request.user, **form.cleaned_data)
                    saved += 1
                except ValidationError as error:
                    _add_errors(form, error)
            if any(form.errors for form in forms):
                raise ValidationError("rollback")
    except ValidationError:
        return None
    return saved


@require_POST
@portal_view
def package_propose_completion(request, pk):
    package = _package(request, pk)
    try:
        count = completion_propose(package=package)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(count)s people reached the minimum attendance and are proposed for completion.") % {"count": count},
        )
    return redirect("provider:package-results", pk=package.pk)


@require_POST
@portal_view
def package_confirm_completion(request, pk):
    package = _package(request, pk)
    if not can_confirm_completion(request.user, package):
        raise PermissionDenied
    proposed = package.enrollments.completion_proposed()
    try:
        confirmed, skipped = completion_confirm(enrollments=list(proposed), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if skipped:
            messages.warning(
                request,
                _(
                    "%(count)s not confirmed: completion is confirmed from the package's last day, and only while "
                    "attendance still reaches the minimum."
                )
                % {"count": skipped},
            )
        messages.success(request, _("%(count)s completions confirmed.") % {"count": confirmed})
    return redirect("provider:package-results", pk=package.pk)


# What the marking page needs from the static files, kept by the service worker with the pages.
OFFLINE_ASSETS = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/site.css",
    "js/site.js",
    "vendor/htmx/htmx.min.js",
    "js/offline-queue.js",
    "js/attendance.js",
]
# The meetings whose marking pages stay on the operator's phone: from yesterday (a mark sent later
# is still accepted then) to a week ahead, nearest first, at most this many.
OFFLINE_DAYS_BEFORE, OFFLINE_DAYS_AFTER, OFFLINE_PAGES_LIMIT = 1, 7, 40


@require_GET
def service_worker(request):
    """The portal's service worker: its settings, then its code from the static files (public: no data).

    Served from /provider/ so that its scope covers the portal; never cached, so a new version (the
    static files' hashed names change with their content) is picked up at the next visit.
    """
    assets = [static(path) for path in OFFLINE_ASSETS]
    code = static("js/offline-sw.js")
    config = {
        "version": hashlib.sha256("\n".join([code, *assets]).encode()).hexdigest()[:12],
        "assets": assets,
        "static": settings.STATIC_URL,
        "scope": reverse("provider:package-list"),
        "pages": reverse("provider:offline-pages"),
        "fallback": reverse("provider:offline"),
    }
    body = (
        "// The provider portal's service worker: settings from the server, code in static/js/offline-sw.js.\n"
        f"self.offlineConfig = {json.dumps(config)};\nimportScripts({json.dumps(code)});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _offline_sessions(user) -> list[Session]:
    """The meetings kept on the phone: the user's own providers' (dinas staff keep none), open packages."""
    today = timezone.localdate()
    return list(
        Session.objects.filter(
            package__provider__operators=user,
            date__range=(
                today - datetime.timedelta(days=OFFLINE_DAYS_BEFORE),
                today + datetime.timedelta(days=OFFLINE_DAYS_AFTER),
            ),
        )
        .exclude(package__status__in=[TrainingPackage.Status.COMPLETED, TrainingPackage.Status.CANCELLED])
        .select_related("package")
        .order_by("date", "starts_at", "package__code", "pk")[:OFFLINE_PAGES_LIMIT]
    )


@require_GET
@portal_view
def offline_pages(request):
    """For the service worker: the marking pages to keep on this phone (others it drops)."""
    pages = [reverse("provider:session-attendance", args=[session.pk]) for session in _offline_sessions(request.user)]
    return JsonResponse({"pages": pages})


@require_GET
@portal_view
def offline_page(request):
    """The meetings that can be marked on this phone without signal; shown instead of a page not kept."""
    return render(
        request,
        "participants/portal/offline.html",
        {
            "sessions": _offline_sessions(request.user),
            "offline": _offline_config(request),
            "today": timezone.localdate(),
        },
    )
