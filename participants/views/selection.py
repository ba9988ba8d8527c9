"""Selection for dinas staff: one sheet per package (documents, scores, ranking), scores from a file,
moves in the ranking, the decision with its confirmation, and the announcement."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from participants import lifecycle
from participants.forms.selection import (
    COLUMN_LABELS,
    DecideForm,
    MoveForm,
    ScoreImportForm,
    StatusChangeForm,
    WeightsForm,
    score_rows,
    status_targets,
)
from participants.models import Enrollment
from participants.services import (
    selection_announce,
    selection_decide,
    selection_move,
    selection_plan,
    selection_ranking,
    selection_scores_save,
    selection_status_change,
    selection_weights_set,
)
from participants.services.selection import DOCUMENT_LABELS, SCORE_FIELDS, Ranked, default_waitlist, required_documents
from pekalongan_training.roles import staff_view
from programs.models import TrainingPackage


def _package(pk) -> TrainingPackage:
    return get_object_or_404(
        TrainingPackage.objects.select_related("cohort__program", "provider", "vocation", "selection_decided_by"), pk=pk
    )


def _score_text(value) -> str:
    """A stored score as people write it: 78, 78,5, 78,25 (the language's decimal mark)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


@dataclass
class Cell:
    name: str  # the input's name and id: "test_score-12"
    label: str
    value: str = ""
    checked: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class SheetRow:
    ranked: Ranked
    documents: list[Cell]
    scores: list[Cell]
    action_form: MoveForm | StatusChangeForm | None = None
    action_open: bool = False

    @property
    def enrollment(self) -> Enrollment:
        return self.ranked.enrollment


def _action_form(enrollment: Enrollment, decided: bool, when, data=None):
    """The row's move (before the decision) or change of status (after it), posted to its own form."""
    form_id = f"move-{enrollment.pk}"
    auto_id = f"id_{form_id}_%s"
    if decided:
        targets = status_targets(enrollment, when)
        if not targets:
            return None
        form = StatusChangeForm(data, targets=targets, auto_id=auto_id)
    else:
        initial = {"position": enrollment.selection_position or ""}
        form = MoveForm(data, initial=initial, auto_id=auto_id)
    for bound_field in form.fields.values():
        bound_field.widget.attrs["form"] = form_id
    return form


def _mark_invalid(form) -> None:
    """Fields with an error show it (Bootstrap's is-invalid) and tell screen readers where it is said."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}-error"


def _acts_on(ranked: Ranked, decided: bool) -> bool:
    """Whether the row offers a move (an applicant who can be ranked, or was moved) or, after the
    decision, a change of status (someone it decided)."""
    applied = ranked.enrollment.status == Enrollment.Status.APPLIED
    if decided:
        return not applied
    return applied and (ranked.rankable or ranked.moved)


def _render(
    request,
    package: TrainingPackage,
    *,
    typed=None,
    errors: dict | None = None,
    weights_form: WeightsForm | None = None,
    acted: tuple | None = None,
    decide_form: DecideForm | None = None,
):
    """The selection sheet, with what was typed and the errors beside the fields after a failed post."""
    errors = errors or {}
    decided = package.selection_decided_at is not None
    when = lifecycle.timing(package)
    ranking = selection_ranking(package)
    plan = selection_plan(package, ranking=ranking)
    documents = required_documents(package)
    score_labels = {"test_score": _("Written test"), "interview_score": _("Interview or practical")}
    rows = []
    for ranked in ranking:
        enrollment = ranked.enrollment
        name = enrollment.participant.full_name
        row = SheetRow(
            ranked=ranked,
            documents=[
                Cell(
                    name=f"{doc}-{enrollment.pk}",
                    label=f"{DOCUMENT_LABELS[doc]}, {name}",
                    checked=(f"{doc}-{enrollment.pk}" in typed) if typed is not None else getattr(enrollment, doc),
                )
                for doc in documents
            ],
            scores=[
                Cell(
                    name=f"{score}-{enrollment.pk}",
                    label=f"{score_labels[score]}, {name}",
                    value=(
                        typed.get(f"{score}-{enrollment.pk}", "")
                        if typed is not None
                        else _score_text(getattr(enrollment, score))
                    ),
                    errors=errors.get(f"{score}-{enrollment.pk}", []),
                )
                for score in SCORE_FIELDS
            ],
        )
        if acted is not None and acted[0] == enrollment.pk:
            row.action_form, row.action_open = acted[1], True
            _mark_invalid(acted[1])
        elif _acts_on(ranked, decided):
            row.action_form = _action_form(enrollment, decided, when)
        rows.append(row)
    # The error summary at the top: each message with a link to its field.
    summary = [("", message) for message in errors.get(NON_FIELD_ERRORS, [])]
    if acted is not None and not any(row.action_open for row in rows):  # someone the sheet does not list
        summary += [("", message) for messages_ in acted[1].errors.values() for message in messages_]
    for row in rows:
        for cell in row.scores:
            summary += [(cell.name, f"{cell.label}: {message}") for message in cell.errors]
        if row.action_open and row.action_form is not None:
            summary += [
                (row.action_form[name].id_for_label, f"{row.enrollment.participant.full_name}: {message}")
                for name, messages_ in row.action_form.errors.items()
                for message in messages_
            ]
    for form in (weights_form, decide_form):
        if form is not None:
            summary += [
                (form[name].id_for_label, f"{form[name].label}: {message}")
                for name, messages_ in form.errors.items()
                if name != NON_FIELD_ERRORS
                for message in messages_
            ]
    if weights_form is None:
        weights_form = WeightsForm(
            initial={"test_weight": package.test_weight, "interview_weight": package.interview_weight}
        )
    if decide_form is None:
        decide_form = DecideForm(initial={"waitlist": default_waitlist(package)})
    return render(
        request,
        "participants/intake/selection.html",
        {
            "package": package,
            "decided": decided,
            "editable": not decided,
            "rows": rows,
            "documents": [DOCUMENT_LABELS[doc] for doc in documents],
            "ranked_count": sum(1 for row in ranking if row.rank is not None),
            "applicant_count": len(ranking),
            "plan": plan,
            "seats_taken": package.quota - plan.seats,
            "weights_form": weights_form,
            "decide_form": decide_form,
            "summary": summary,
        },
    )


@staff_view
def selection(request, pk):
    """The whole list on one sheet: Tab moves along a row, Enter saves; the weights in the same form."""
    package = _package(pk)
    if request.method != "POST":
        return _render(request, package)
    if package.selection_decided_at is not None:
        messages.error(request, _("The selection is decided; scores and weights no longer change."))
        return redirect("intake:selection", pk=package.pk)
    weights_form = WeightsForm(request.POST)
    rows, problems = score_rows(request.POST, documents=required_documents(package))
    errors: dict[str, list[str]] = {NON_FIELD_ERRORS: problems} if problems else {}
    weights_ok = weights_form.is_valid()
    if not problems:
        try:
            with transaction.atomic():
                if weights_ok:
                    selection_weights_set(
                        package=package,
                        test_weight=weights_form.cleaned_data["test_weight"],
                        interview_weight=weights_form.cleaned_data["interview_weight"],
                        by=request.user,
                    )
                changed = selection_scores_save(package=package, rows=rows, by=request.user)
                if not weights_ok:
                    transaction.set_rollback(True)  # nothing is saved while the weights are wrong
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, found in error.message_dict.items():
                    if name in ("test_weight", "interview_weight"):
                        weights_form.add_error(name, found)
                    else:
                        errors.setdefault(name, []).extend(found)
            else:
                errors.setdefault(NON_FIELD_ERRORS, []).extend(error.messages)
        else:
            if weights_ok:
                messages.success(
                    request,
                    ngettext("Saved: %(count)s applicant changed.", "Saved: %(count)s applicants changed.", changed)
                    % {"count": changed},
                )
                return redirect("intake:selection", pk=package.pk)
    return _render(request, package, typed=request.POST, errors=errors, weights_form=weights_form)


@require_POST
@staff_view
def selection_move_view(request, pk, enrollment_pk):
    """A move in the ranking before the decision; a change of status after it. Both with a reason."""
    package = _package(pk)
    enrollment = get_object_or_404(package.enrollments.select_related("participant"), pk=enrollment_pk)
    decided = package.selection_decided_at is not None
    form = _action_form(enrollment, decided, lifecycle.timing(package), data=request.POST)
    if form is None:
        messages.error(
            request, _("%(name)s's status can no longer change here.") % {"name": enrollment.participant.full_name}
        )
        return redirect("intake:selection", pk=package.pk)
    if form.is_valid():
        try:
            if decided:
                change = selection_status_change(
                    enrollment=enrollment,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            else:
                selection_move(
                    enrollment=enrollment,
                    position=form.cleaned_data["position"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, found in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, found)
            else:
                form.add_error(None, error.messages)
        else:
            name = enrollment.participant.full_name
            if decided:
                messages.success(
                    request,
                    _("%(name)s: %(status)s.") % {"name": name, "status": change.enrollment.get_status_display()},
                )
                if change.promoted is not None:
                    messages.warning(
                        request,
                        _("%(name)s moved up from the waitlist and is now enrolled. Let them know.")
                        % {"name": change.promoted.participant.full_name},
                    )
            elif form.cleaned_data["position"] is None:
                messages.success(request, _("%(name)s is back at the rank by score.") % {"name": name})
            else:
                messages.success(
                    request,
                    _("%(name)s is moved to rank %(rank)s.") % {"name": name, "rank": form.cleaned_data["position"]},
                )
            return redirect(reverse("intake:selection", args=[package.pk]) + f"#row-{enrollment.pk}")
    return _render(request, package, acted=(enrollment.pk, form))


@require_POST
@staff_view
def selection_decide_view(request, pk):
    """First a confirmation of what the decision does (accepted, waitlisted, rejected); then the decision."""
    package = _package(pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _render(request, package, decide_form=form)
    waitlist = form.cleaned_data["waitlist"]
    if not form.cleaned_data["confirm"]:
        plan = selection_plan(package, waitlist=waitlist)
        if plan.problems:
            for problem in plan.problems:
                messages.error(request, problem)
            return redirect("intake:selection", pk=package.pk)
        return render(
            request,
            "participants/intake/selection_decide.html",
            {"package": package, "plan": plan, "waitlist": waitlist},
        )
    try:
        result = selection_decide(package=package, by=request.user, waitlist=waitlist)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The selection is decided: %(accepted)s accepted, %(waitlisted)s on the waitlist, %(rejected)s rejected.")
            % {"accepted": result.accepted, "waitlisted": result.waitlisted, "rejected": result.rejected},
        )
    return redirect("intake:selection", pk=package.pk)


@require_POST
@staff_view
def selection_announce_view(request, pk):
    package = _package(pk)
    try:
        package = selection_announce(package=package, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The result is announced; every applicant is told their own result."))
    return redirect("intake:selection", pk=package.pk)


@staff_view
def selection_import(request, pk):
    """Scores from a file: checked row by row; saved only when every row is right, after a look at them."""
    package = _package(pk)
    decided = package.selection_decided_at is not None
    if request.method == "POST" and request.POST.get("action") == "save" and not decided:
        rows, problems = score_rows(request.POST, documents=[])
        try:
            if problems:
                raise ValidationError(problems)
            changed = selection_scores_save(package=package, rows=rows, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("intake:selection-import", pk=package.pk)
        messages.success(
            request,
            ngettext(
                "Scores imported: %(count)s applicant changed.",
                "Scores imported: %(count)s applicants changed.",
                changed,
            )
            % {"count": changed},
        )
        return redirect("intake:selection", pk=package.pk)
    form = ScoreImportForm(request.POST or None, request.FILES or None, package=package)
    result = None
    if request.method == "POST" and not decided and form.is_valid():
        result = form.result
    return render(
        request,
        "participants/intake/selection_import.html",
        {
            "package": package,
            "decided": decided,
            "form": form,
            "result": result,
            "columns": COLUMN_LABELS,
        },
    )
