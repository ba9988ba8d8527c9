"""Selection: scores, the ranking, the decision and its announcement (DESIGN.md, "Selection").

A wave's registration collects more applications than seats; the quota applies here, when staff
decide. Per package staff tick the documents they checked and enter a written-test and an
interview (or practical) score; the weighted score ranks the applicants, ties going to the earlier
application. Staff may move a person to another rank with a written reason. `selection_decide`
then accepts the top of the ranking up to the seats left, puts the next ones on the waitlist in
rank order and rejects the rest; every status goes through the lifecycle
(`enrollment_change_status`). `selection_announce` publishes the result and has every applicant
told.

Locks: the decision locks the applicants' rows, then the package (the order of
`participants.services.enrollments._lock`, so it never deadlocks with an enrollment or a status
change), and refuses if the applicants changed in between. Saving scores, weights and moves locks
the package, so nothing changes under a decision.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_update_with_history

from participants import lifecycle
from participants.eligibility import eligibility_failures_for
from participants.lifecycle import Role
from participants.models import Enrollment, Participant
from participants.services.enrollments import StatusChange, enrollment_change_status, seats_left
from participants.services.public import _fresh_receipt_number
from participants.tasks import selection_results_send
from pekalongan_training.params import whole_number
from pekalongan_training.roles import is_dinas_staff
from programs.models import Kelurahan, TrainingPackage

Status = Enrollment.Status

SCORE_FIELDS = ("test_score", "interview_score")
DOC_FIELDS = ("doc_ktp", "doc_kk", "doc_ak1", "doc_employer")
CENT = Decimal("0.01")
# The history's change reason is a 100-character column.
CHANGE_REASON_LENGTH = 100

# What a person turned down for a rule that reads other rows is told (the public status page, the
# message): anyone can type anyone's NIK, so what is told must not give away what is on record
# (a seat elsewhere, an earlier training, a worker of the family). Staff read the rule's own reason.
ON_RECORD_REASON = gettext_lazy("Does not meet the entry rules of this program; ask the dinas for the details.")

# What each document is called where it is missing.
DOCUMENT_LABELS = {
    "doc_ktp": gettext_lazy("KTP"),
    "doc_kk": gettext_lazy("KK"),
    "doc_ak1": gettext_lazy("AK/1"),
    "doc_employer": gettext_lazy("employer's letter"),
}
# The fields of an online submission (`participants.services.public._as_typed`) each entry rule reads. A
# person on record who registers online leaves the record as it was (anyone can type anyone's NIK), so
# what they typed may say more than the record: an AK/1 card, the factory they work at now. Not the
# name or birth date: a different identity is verified on its own (`Enrollment.identity_to_verify`).
TYPED_RULE_FIELDS = {
    "domicile": ("kelurahan",),
    "in_school": ("employment_status_at_intake",),
    "working": ("employment_status_at_intake",),
    "factory_worker": ("beneficiary_group", "employer_name", "kk_number"),
    "ak1": ("ak1_number", "ak1_issued_on"),
}
TYPED_FIELDS = tuple(dict.fromkeys(name for names in TYPED_RULE_FIELDS.values() for name in names))
# The typed choices a rule reads, as the form offers them (an old submission may hold one no longer offered).
CHOICE_FIELDS = {
    "employment_status_at_intake": set(Participant.EmploymentStatus.values),
    "beneficiary_group": set(Participant.BeneficiaryGroup.values),
}
TYPED_DIFFERS = gettext_lazy(
    "Typed online differs from the record: check the documents, then update the person's record."
)
SCORE_LABELS = {
    "test_score": gettext_lazy("written test"),
    "interview_score": gettext_lazy("interview or practical"),
}


# --- scores as people type them ------------------------------------------------------------------

_SCORE = re.compile(r"([0-9]{1,3})(?:[.,]([0-9]+))?")


def parse_score(value) -> Decimal | None:
    """A score typed as people type it ("78", "78,5", "78.5"), or read from a spreadsheet cell.

    Empty is None. Refused, with how to write it: other text, more than two decimals, outside
    0-100. A number from a spreadsheet (a formula's 78.333...) is rounded half up to two decimals,
    as nobody typed those digits.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(_("Write a number from 0 to 100, like 78 or 78,5."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite() or not -1000 < number < 1000:  # NaN, infinity, or far off
            raise ValidationError(_("A score is from 0 to 100."))
        score = number.quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        text = str(value).strip()
        if not text:
            return None
        match = _SCORE.fullmatch(text) if len(text) <= 10 else None
        if match is None:
            raise ValidationError(_("Write a number from 0 to 100, like 78 or 78,5."))
        whole, decimals = match.groups()
        if decimals and len(decimals) > 2:
            raise ValidationError(_("At most two digits after the comma, like 78,25."))
        score = Decimal(f"{whole}.{decimals or 0}").quantize(CENT)
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError(_("A score is from 0 to 100."))
    return score


def weighted_score_exact(test_score, interview_score, package: TrainingPackage) -> Decimal | None:
    """(test × test weight + interview × interview weight) / 100, not rounded: what the ranking compares.

    Two applicants who both show 74,00 may be 74,004 and 74,00 apart; rounding first would hand the
    better one's place to the earlier application. Exact, as scores have two decimals and weights
    are whole percents. None while a score with a weight is missing; a score whose weight is 0 is
    not needed.
    """
    total = Decimal(0)
    for score, weight in ((test_score, package.test_weight), (interview_score, package.interview_weight)):
        if not weight:
            continue
        if score is None:
            return None
        total += Decimal(score) * weight
    return total / 100


def weighted_score(test_score, interview_score, package: TrainingPackage) -> Decimal | None:
    """The weighted score as shown: two decimals, rounded half up (`weighted_score_exact` ranks)."""
    exact = weighted_score_exact(test_score, interview_score, package)
    return None if exact is None else exact.quantize(CENT, rounding=ROUND_HALF_UP)


# --- the ranking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    """A failed entry rule of one applicant, and whether staff overrode it with a written reason."""

    rule: str
    reason: str
    overridden: bool


@dataclass
class Ranked:
    """One applicant in the ranking: their scores, rule results, documents, and rank (None: not ranked)."""

    enrollment: Enrollment
    score: Decimal | None  # the weighted score, not rounded: the ranking's order
    rules: list[RuleResult]
    missing_documents: list[str]
    missing_scores: list[str]
    rank: int | None = None
    # Why the person cannot be ranked at all (rules failed without an override, documents missing,
    # identity to verify; after the decision, the reason they were turned down).
    unranked_reasons: list[str] = field(default_factory=list)
    # What the person typed online that meets a rule the record fails ("AK/1 3375-2026-00012, 5 Januari
    # 2026"): staff check the documents and update the record before the decision (`typed_differs`).
    typed: list[str] = field(default_factory=list)

    @property
    def typed_differs(self) -> bool:
        return bool(self.typed)

    @property
    def weighted(self) -> Decimal | None:
        """The weighted score as shown, two decimals."""
        return None if self.score is None else self.score.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def failed_rules(self) -> list[RuleResult]:
        return [rule for rule in self.rules if not rule.overridden]

    @property
    def rankable(self) -> bool:
        """Meets the rules (or is overridden), documents complete, identity settled: only scores may be missing."""
        return not self.unranked_reasons

    @property
    def unranked_notes(self) -> list[str]:
        """Why the person is not ranked, beyond the failed rules listed with them."""
        rule_reasons = {rule.reason for rule in self.failed_rules}
        return [reason for reason in self.unranked_reasons if reason not in rule_reasons]

    @property
    def awaiting_scores(self) -> bool:
        return self.rankable and self.rank is None and bool(self.missing_scores)

    @property
    def moved(self) -> bool:
        return self.enrollment.selection_position is not None


def required_documents(package: TrainingPackage) -> list[str]:
    """The documents staff check for this package: KTP and KK always; the AK/1 where the program asks
    for one; the employer's letter (work at the factory, or family of a worker) in factory-worker packages."""
    documents = ["doc_ktp", "doc_kk"]
    if package.cohort.program.require_ak1:
        documents.append("doc_ak1")
    if package.category == TrainingPackage.Category.FACTORY_WORKERS:
        documents.append("doc_employer")
    return documents


def _covered(enrollment: Enrollment, rule: str) -> bool:
    """A failed rule is covered by an override reason written for it (or for every rule, when none is named)."""
    return bool(enrollment.override_reason) and (not enrollment.overridden_rules or rule in enrollment.overridden_rules)


def _listed(package: TrainingPackage):
    """The enrollments the ranking shows: applicants; after the decision also those it decided (a rank),
    and those turned down."""
    enrollments = Enrollment.objects.filter(package=package)
    if package.selection_decided_at is None:
        return enrollments.filter(status=Status.APPLIED)
    return enrollments.filter(Q(status__in=[Status.APPLIED, Status.REJECTED]) | Q(selection_rank__isnull=False))


def selection_ranking(package: TrainingPackage) -> list[Ranked]:
    """The package's applicants in rank order, each with the facts the rank rests on.

    Before the decision: applicants with every rule met (or overridden), documents complete and the
    scores in, by weighted score (highest first), ties to the earlier application (then the lower
    id); a person moved by staff takes the rank they were moved to. Then those still waiting for a
    score, then those who cannot be ranked, with the reason. After the decision: the ranks it
    recorded, then those it turned down (with the reason: the failed rules as they read now, else
    the reason they were told) and anyone who applied since.

    An applicant on record who registered online is also checked on what they typed last
    (`_typed_people`): a rule the record fails but the typed answers meet is not a reason to turn
    them down unseen; the row says what was typed (`Ranked.typed`) and the decision waits until
    staff update the record or reject the applicant (`selection_plan`). A fixed number of queries,
    whatever the number of applicants: the typed copies are checked in the same call as the records.
    """
    decided = package.selection_decided_at is not None
    enrollments = list(
        _listed(package).select_related("participant__kelurahan").order_by("created_at", "pk"),
    )
    people = [enrollment.participant for enrollment in enrollments]
    typed_people = {} if decided else _typed_people(enrollments)
    checked = eligibility_failures_for([*people, *(copy for copy, _values in typed_people.values())], package)
    failures = checked[: len(people)]
    typed_failures = dict(zip(typed_people, checked[len(people) :], strict=True))
    documents = required_documents(package)
    with_weight = [name for name in SCORE_FIELDS if getattr(package, name.replace("_score", "_weight"))]
    rows = []
    for position, (enrollment, failed) in enumerate(zip(enrollments, failures, strict=True)):
        rules = [RuleResult(f.rule, f.reason, _covered(enrollment, f.rule)) for f in failed]
        row = Ranked(
            enrollment=enrollment,
            score=weighted_score_exact(enrollment.test_score, enrollment.interview_score, package),
            rules=rules,
            missing_documents=[str(DOCUMENT_LABELS[name]) for name in documents if not getattr(enrollment, name)],
            missing_scores=[str(SCORE_LABELS[name]) for name in with_weight if getattr(enrollment, name) is None],
        )
        if decided and enrollment.status != Status.APPLIED:
            row.rank = enrollment.selection_rank
            if row.rank is None:  # turned down: why, as the rules say now (in the page's language), or as told
                row.unranked_reasons = _unranked_reasons(row) or [
                    enrollment.decision_reason or str(enrollment.get_status_display())
                ]
        elif decided:
            row.unranked_reasons = [_("Applied after the selection was decided.")]
        else:
            if position in typed_people:
                row.typed = _typed_passing(row, *typed_people[position], typed_failures[position])
            row.unranked_reasons = _unranked_reasons(row)
        rows.append(row)
    if decided:
        ranked = sorted((row for row in rows if row.rank is not None), key=lambda row: row.rank)
    else:
        ranked = _ranked_with_moves([row for row in rows if row.rankable and not row.missing_scores])
        for rank, row in enumerate(ranked, start=1):
            row.rank = rank
    waiting = [row for row in rows if row.rank is None and row.rankable]
    unranked = [row for row in rows if not row.rankable]
    return [*ranked, *waiting, *unranked]


def _unranked_reasons(row: Ranked) -> list[str]:
    reasons = [rule.reason for rule in row.failed_rules]
    if row.typed:
        reasons.append(_("%(differs)s Typed: %(typed)s.") % {"differs": TYPED_DIFFERS, "typed": "; ".join(row.typed)})
    if row.missing_documents:
        reasons.append(_("Documents incomplete: %(documents)s.") % {"documents": ", ".join(row.missing_documents)})
    if row.enrollment.identity_to_verify:
        reasons.append(_("The identity is still to verify (the name or birth date typed differs from the record)."))
    return reasons


def _typed_people(enrollments: list[Enrollment]) -> dict[int, tuple[Participant, dict]]:
    """By position in `enrollments`: for an online application whose last submission typed, for a field
    a rule reads, something else than the record says, the person as typed (an unsaved copy of the
    record with the typed values in) and those values (field: value).

    Only what was typed counts, not a field left empty. A value that cannot be read (a date that is
    no date, a choice the form no longer offers, a kelurahan no longer listed) is left out: the record
    stands for it. One query at most, for the kelurahan typed by people whose record has none.
    """
    typed = {}
    for position, enrollment in enumerate(enrollments):
        if enrollment.source != Enrollment.Source.REGISTRATION or not enrollment.submitted:
            continue
        last = enrollment.submitted[-1]
        if isinstance(last, dict):
            values = _typed_values(enrollment.participant, last)
            if values:
                typed[position] = values
    codes = {
        values["kelurahan"]
        for position, values in typed.items()
        if "kelurahan" in values and enrollments[position].participant.kelurahan_id is None
    }
    kelurahan = Kelurahan.objects.filter(code__in=codes).in_bulk(field_name="code") if codes else {}
    people = {}
    for position, values in typed.items():
        person = enrollments[position].participant
        if "kelurahan" in values:
            found = kelurahan.get(values["kelurahan"])
            if person.kelurahan_id is not None or found is None:
                del values["kelurahan"]  # on record, a resident already; or a code no longer listed
            else:
                values["kelurahan"] = found
        if not values:
            continue
        copy = Participant(**{f.attname: getattr(person, f.attname) for f in Participant._meta.concrete_fields})
        for name, value in values.items():
            if name == "kelurahan":
                copy.kelurahan_id = value.pk
            else:
                setattr(copy, name, value)
        people[position] = (copy, values)
    return people


def _typed_passing(row: Ranked, person: Participant, values: dict, typed_failures) -> list[str]:
    """What was typed for each rule the record fails (without an override) and the typed answers meet,
    as staff read it on the documents: "AK/1 3375-2026-00012, 5 Januari 2026"."""
    still = {failure.rule for failure in typed_failures}
    texts = []
    for rule in row.failed_rules:
        names = TYPED_RULE_FIELDS.get(rule.rule, ())
        if rule.rule in still or not any(name in values for name in names):
            continue
        for text in _typed_text(rule.rule, person, values):
            if text not in texts:
                texts.append(text)
    return texts


def _typed_text(rule: str, person: Participant, values: dict) -> list[str]:
    """The typed person's fields of one rule, as the check read them."""
    if rule == "ak1":
        if person.ak1_issued_on is None:
            return [_("AK/1 %(number)s") % {"number": person.ak1_number}]
        return [
            _("AK/1 %(number)s, %(date)s") % {"number": person.ak1_number, "date": date_format(person.ak1_issued_on)}
        ]
    if rule == "domicile":
        return [_("kelurahan %(name)s") % {"name": values["kelurahan"].name}]
    if rule in ("working", "in_school"):
        return [str(person.get_employment_status_at_intake_display())]
    texts = [str(person.get_beneficiary_group_display())]  # factory_worker
    if person.employer_name:
        texts.append(_("employer %(name)s") % {"name": person.employer_name})
    if person.kk_number:
        texts.append(_("No. KK %(number)s") % {"number": person.kk_number})
    return texts


def _typed_values(person: Participant, submitted: dict) -> dict:
    """The rule fields of one submission that were typed and differ from the record, read as the record holds them."""
    values = {}
    for name in TYPED_FIELDS:
        raw = submitted.get(name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        value = raw.strip()
        if name == "ak1_issued_on":
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                continue
        elif name in CHOICE_FIELDS and value not in CHOICE_FIELDS[name]:
            continue
        if name == "kelurahan":
            on_record = person.kelurahan.code if person.kelurahan_id is not None else ""
        else:
            on_record = getattr(person, name)
        if value != on_record:
            values[name] = value
    return values


def _ranked_with_moves(rows: list[Ranked]) -> list[Ranked]:
    """By weighted score, ties to the earlier application; then each person moved by staff put at
    their rank (the lower rank first; two moved to the same rank keep their order by score)."""
    by_score = sorted(rows, key=lambda row: (-row.score, row.enrollment.created_at, row.enrollment.pk))
    order = [row for row in by_score if not row.moved]
    moved = sorted((row for row in by_score if row.moved), key=lambda row: row.enrollment.selection_position)
    last = -1
    for row in moved:
        index = min(max(row.enrollment.selection_position - 1, last + 1), len(order))
        order.insert(index, row)
        last = index
    return order


# --- what a decision would do ----------------------------------------------------------------------


@dataclass
class SelectionPlan:
    """What deciding now does: who is accepted, waitlisted and rejected, and what stops the decision."""

    seats: int
    accepted: list[Ranked]
    waitlisted: list[Ranked]
    rejected: list[Ranked]  # ranked below the waitlist: "did not pass the selection"
    unranked: list[Ranked]  # cannot be ranked: rejected with the reason
    problems: list[str]

    @property
    def rejected_total(self) -> int:
        return len(self.rejected) + len(self.unranked)

    @property
    def counts(self) -> dict[str, int]:
        return {"accepted": len(self.accepted), "waitlisted": len(self.waitlisted), "rejected": self.rejected_total}


def default_waitlist(package: TrainingPackage) -> int:
    """As many on the waitlist as the class has seats: a second class's worth of people who passed."""
    return package.quota


def selection_plan(
    package: TrainingPackage, *, ranking: list[Ranked] | None = None, waitlist: int | None = None
) -> SelectionPlan:
    """What `selection_decide` would do now, and why it would refuse (nothing is written)."""
    ranking = selection_ranking(package) if ranking is None else ranking
    waitlist = default_waitlist(package) if waitlist is None else max(waitlist, 0)
    seats = max(seats_left(package), 0)
    problems = []
    if package.selection_decided_at is not None:
        problems.append(
            _("The selection of %(code)s was decided on %(date)s.")
            % {"code": package.code, "date": date_format(timezone.localtime(package.selection_decided_at))}
        )
        return SelectionPlan(seats, [], [], [], [], problems)
    when = lifecycle.timing(package)
    if not (
        lifecycle.may_now(Status.APPLIED, Status.ENROLLED, Role.STAFF, when)
        and lifecycle.may_now(Status.APPLIED, Status.WAITLISTED, Role.STAFF, when)
    ):
        problems.append(
            _("Package %(code)s has ended or is closed: its selection can no longer be decided.")
            % {"code": package.code}
        )
    if not ranking:
        problems.append(_("Nobody has applied to package %(code)s yet.") % {"code": package.code})
    to_verify = [row for row in ranking if row.enrollment.identity_to_verify]
    if to_verify:
        problems.append(
            ngettext(
                "%(count)s applicant's identity is still to verify: %(names)s. Verify it on the enrollment page, "
                "or reject the application.",
                "%(count)s applicants' identities are still to verify: %(names)s. Verify them on the enrollment "
                "page, or reject the applications.",
                len(to_verify),
            )
            % {"count": len(to_verify), "names": _names(to_verify)}
        )
    typed = [row for row in ranking if row.typed_differs]
    if typed:
        problems.append(
            ngettext(
                "%(count)s applicant typed online what the record does not say, and meets the entry rules on "
                "what was typed: %(names)s. Check the documents and update the person's record, or reject the "
                "application.",
                "%(count)s applicants typed online what the record does not say, and meet the entry rules on "
                "what was typed: %(names)s. Check the documents and update the people's records, or reject the "
                "applications.",
                len(typed),
            )
            % {"count": len(typed), "names": _names(typed)}
        )
    no_scores = [row for row in ranking if row.awaiting_scores]
    if no_scores:
        problems.append(
            ngettext(
                "%(count)s applicant who meets the rules has no score yet: %(names)s. Enter the score, or reject "
                "an applicant who did not come to the test.",
                "%(count)s applicants who meet the rules have no score yet: %(names)s. Enter their scores, or "
                "reject applicants who did not come to the test.",
                len(no_scores),
            )
            % {"count": len(no_scores), "names": _names(no_scores)}
        )
    ranked = [row for row in ranking if row.rank is not None]
    return SelectionPlan(
        seats=seats,
        accepted=ranked[:seats],
        waitlisted=ranked[seats : seats + waitlist],
        rejected=ranked[seats + waitlist :],
        unranked=[row for row in ranking if row.rank is None and not row.awaiting_scores],
        problems=problems,
    )


def _names(rows: list[Ranked], shown: int = 10) -> str:
    names = [row.enrollment.participant.full_name for row in rows[:shown]]
    if len(rows) > shown:
        names.append(_("and %(count)s more") % {"count": len(rows) - shown})
    return ", ".join(names)


# --- writes --------------------------------------------------------------------------------------


def _check_staff(by) -> None:
    """Dinas staff run the selection; no user is a management command or a test, acting as staff."""
    if by is not None and not is_dinas_staff(by):
        raise ValidationError(_("Only dinas staff run the selection."))


def _lock_package(package: TrainingPackage) -> TrainingPackage:
    """Lock the package's row only: without `of`, PostgreSQL also locks every joined row (here the wave
    and the program, which would hold up every other package of the program)."""
    return TrainingPackage.objects.select_for_update(of=("self",)).select_related("cohort__program").get(pk=package.pk)


def _refuse_when_decided(package: TrainingPackage) -> None:
    if package.selection_decided_at is not None:
        raise ValidationError(
            _("The selection of %(code)s was decided on %(date)s; the ranking no longer changes.")
            % {"code": package.code, "date": date_format(timezone.localtime(package.selection_decided_at))}
        )


@transaction.atomic
def selection_weights_set(*, package: TrainingPackage, test_weight: int, interview_weight: int, by) -> TrainingPackage:
    """Set the package's weights (percent, adding up to 100), before the decision only."""
    _check_staff(by)
    package = _lock_package(package)
    _refuse_when_decided(package)
    errors = {}
    for name, value in (("test_weight", test_weight), ("interview_weight", interview_weight)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            errors[name] = [_("A weight is a whole number from 0 to 100.")]
    if not errors and test_weight + interview_weight != 100:
        errors["interview_weight"] = [
            _("The two weights must add up to 100; now they add up to %(sum)s.")
            % {"sum": test_weight + interview_weight}
        ]
    if errors:
        raise ValidationError(errors)
    if (package.test_weight, package.interview_weight) != (test_weight, interview_weight):
        package.test_weight, package.interview_weight = test_weight, interview_weight
        package._history_user = by
        package._change_reason = "selection weights"
        package.save(update_fields=["test_weight", "interview_weight"])
    return package


@transaction.atomic
def selection_scores_save(*, package: TrainingPackage, rows: list[dict], by) -> int:
    """Save documents checked and scores for applicants of this package; all rows or none.

    Each row is {"enrollment": id, "test_score": ..., "interview_score": ..., "doc_ktp": bool, ...};
    a key left out leaves the stored value as it is, an empty score clears it. Scores are read as
    typed (`parse_score`). Refused, naming the row and the field ("test_score-12"), for a score that
    cannot be read and for an id that is not an applicant of this package; refused after the
    decision. Returns how many enrollments changed.
    """
    _check_staff(by)
    package = _lock_package(package)
    _refuse_when_decided(package)
    ids = []
    errors: dict[str, list[str]] = {}
    for row in rows:
        pk = whole_number(row.get("enrollment"))
        if pk is None:
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("A row of the list is not an applicant of this package."))
        else:
            ids.append(pk)
    # The enrollments' rows only (`of`): locking the people joined here, after the package, would be
    # the reverse of the enrollment services' order (person, then package) and deadlock with them.
    enrollments = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(package=package, status=Status.APPLIED, pk__in=ids)
        .select_related("participant")
        .in_bulk()
    )
    if len(enrollments) < len(set(ids)):
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("A row of the list is not an applicant of package %(code)s; nothing was saved.") % {"code": package.code}
        )
    changed = {}
    for row in rows:
        enrollment = enrollments.get(whole_number(row.get("enrollment")))
        if enrollment is None:
            continue
        values = {}
        for name in SCORE_FIELDS:
            if name in row:
                try:
                    values[name] = parse_score(row[name])
                except ValidationError as error:
                    errors[f"{name}-{enrollment.pk}"] = error.messages
        for name in DOC_FIELDS:
            if name in row:
                values[name] = bool(row[name])
        for name, value in values.items():
            if getattr(enrollment, name) != value:
                setattr(enrollment, name, value)
                changed[enrollment.pk] = enrollment
    if errors:
        raise ValidationError(errors)
    if changed:
        bulk_update_with_history(
            list(changed.values()),
            Enrollment,
            [*SCORE_FIELDS, *DOC_FIELDS],
            batch_size=500,
            default_user=by,
            default_change_reason="selection scores",
        )
    return len(changed)


@transaction.atomic
def selection_move(*, enrollment: Enrollment, position: int | None, reason: str, by) -> Enrollment:
    """Staff move an applicant to a rank (None: back to their rank by score), with a written reason.

    The reason is kept on the enrollment and in its history. Before the decision only: after it,
    a move is a change of status (`selection_status_change`).
    """
    _check_staff(by)
    package = _lock_package(enrollment.package)
    # The enrollment's row only, not the person's (see selection_scores_save).
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("participant").get(pk=enrollment.pk)
    _refuse_when_decided(package)
    errors: dict[str, list[str]] = {}
    if enrollment.status != Status.APPLIED:
        raise ValidationError(_("Only an applicant waiting for the selection can be moved in the ranking."))
    if position is not None and not (isinstance(position, int) and 1 <= position <= 9999):
        errors["position"] = [_("Write the rank as a whole number, 1 for the first place.")]
    if not reason.strip():
        errors["reason"] = [_("Write why this person is moved; the reason is kept.")]
    if errors:
        raise ValidationError(errors)
    if position is not None:
        row = next((row for row in selection_ranking(package) if row.enrollment.pk == enrollment.pk), None)
        if row is not None and not row.rankable:
            raise ValidationError(
                {
                    "position": [
                        _("%(name)s cannot be ranked: %(reasons)s")
                        % {"name": enrollment.participant.full_name, "reasons": " ".join(row.unranked_reasons)}
                    ]
                }
            )
    enrollment.selection_position = position
    enrollment.selection_position_reason = reason.strip() if position is not None else ""
    if position is None:
        note = f"selection move removed: {reason.strip()}"
    else:
        note = f"moved to rank {position}: {reason.strip()}"
    enrollment._change_reason = note[:CHANGE_REASON_LENGTH]
    enrollment._history_user = by
    enrollment.save(update_fields=["selection_position", "selection_position_reason"])
    return enrollment


@dataclass(frozen=True)
class SelectionResult:
    accepted: int
    waitlisted: int
    rejected: int


@transaction.atomic
def selection_decide(*, package: TrainingPackage, by, waitlist: int | None = None) -> SelectionResult:
    """Decide the selection: the top of the ranking up to the seats left are accepted, the next
    `waitlist` (by default as many as the quota) go on the waitlist in rank order, the rest are
    rejected, "did not pass the selection"; those who cannot be ranked are rejected with the reason
    (for a rule that reads the record, a general one: `_reasons_told`).

    Seats staff already filled count (`seats_left`). Refused when already decided, when an applicant
    who meets the rules has no score, an identity is still to verify, or an applicant typed online
    what meets a rule the record fails (`Ranked.typed`). Every applicant gets their
    rank (shown in the announcement) and a receipt number if they had none (people entered by staff),
    so the announcement can list them. Under concurrent requests only one decision is made and the
    quota holds.
    """
    _check_staff(by)
    # The people first, then the package: the lock order of every enrollment service.
    applicant_ids = list(
        Enrollment.objects.filter(package=package, status=Status.APPLIED).values_list("participant_id", flat=True)
    )
    locked = set(
        Participant.objects.select_for_update().filter(pk__in=applicant_ids).order_by("pk").values_list("pk", flat=True)
    )
    package = _lock_package(package)
    _refuse_when_decided(package)
    with translation.override(settings.LANGUAGE_CODE):  # the reasons are told to the people, in Indonesian
        ranking = selection_ranking(package)
        not_passed = _("did not pass the selection")
    if {row.enrollment.participant_id for row in ranking} - locked:
        raise ValidationError(
            _("New applications came in while the selection was being decided. Look at the ranking again, then decide.")
        )
    plan = selection_plan(package, ranking=ranking, waitlist=waitlist)
    if plan.problems:
        raise ValidationError(plan.problems)
    with translation.override(settings.LANGUAGE_CODE):
        told = _reasons_told(plan.unranked, package)
    now = timezone.now()
    receipts: set[str] = set()
    for row in ranking:
        enrollment = row.enrollment
        enrollment.selection_rank = row.rank
        if not enrollment.receipt_number:
            number = _fresh_receipt_number(package)
            while number in receipts:
                number = _fresh_receipt_number(package)
            enrollment.receipt_number = number
            receipts.add(number)
    for place, row in enumerate(plan.waitlisted):
        # The waitlist is served by time (Enrollment.objects.waitlist()): times in rank order keep it.
        row.enrollment.waitlisted_at = now + datetime.timedelta(microseconds=place)
    # Kept on the rows before the statuses change, so each person's history row holds the rank too.
    Enrollment.objects.bulk_update(
        [row.enrollment for row in ranking], ["selection_rank", "receipt_number", "waitlisted_at"], batch_size=500
    )

    def change(row: Ranked, status: str, reason: str = "") -> StatusChange:
        return enrollment_change_status(
            enrollment=row.enrollment, status=status, reason=reason, actor=by, role=Role.STAFF
        )

    for row in plan.accepted:
        change(row, Status.ENROLLED)
    for row in plan.waitlisted:
        change(row, Status.WAITLISTED)
    for row in plan.rejected:
        change(row, Status.REJECTED, not_passed)
    for row in plan.unranked:
        reason, on_record = told[row.enrollment.pk]
        change(row, Status.REJECTED, reason or not_passed)
        if on_record:
            _history_note(row.enrollment, " ".join(on_record))
    package.selection_decided_at = now
    package.selection_decided_by = by
    package._history_user = by
    package._change_reason = "selection decided"
    package.save(update_fields=["selection_decided_at", "selection_decided_by"])
    return SelectionResult(len(plan.accepted), len(plan.waitlisted), plan.rejected_total)


def _reasons_told(rows: list[Ranked], package: TrainingPackage) -> dict[int, tuple[str, list[str]]]:
    """Per enrollment: the reason a person turned down without a rank is told, and the reasons kept
    from them (the rules that read the record, ON_RECORD_REASON in their place).

    A rule reads the record when the typed answers alone pass it (`typed_only`): the seat elsewhere,
    the earlier training, the worker of the same No. KK. The rules on what the person typed (age,
    domicile, school, work, AK/1) and the documents keep their own reason, so the person knows what
    to bring or fix.
    """
    if not rows:
        return {}
    typed = eligibility_failures_for([row.enrollment.participant for row in rows], package, typed_only=True)
    told = {}
    for row, typed_failures in zip(rows, typed, strict=True):
        typed_rules = {failure.rule for failure in typed_failures}
        reasons = [rule.reason for rule in row.failed_rules if rule.rule in typed_rules]
        on_record = [rule.reason for rule in row.failed_rules if rule.rule not in typed_rules]
        if on_record:
            reasons.append(str(ON_RECORD_REASON))
        told[row.enrollment.pk] = (" ".join([*reasons, *row.unranked_notes]), on_record)
    return told


def _history_note(enrollment: Enrollment, note: str) -> None:
    """Put the reasons kept from the person as the change reason of the history row their rejection just
    wrote: staff find them in the history, the person reads the decision reason."""
    latest = enrollment.history.order_by("-history_date", "-history_id").values_list("history_id", flat=True)[:1]
    Enrollment.history.filter(history_id__in=list(latest)).update(history_change_reason=note[:CHANGE_REASON_LENGTH])


@transaction.atomic
def selection_status_change(*, enrollment: Enrollment, status: str, reason: str, by) -> StatusChange:
    """After the decision, staff move a person by changing their status (the lifecycle's rules), always
    with a written reason: a waitlisted person accepted into a seat, an accepted one withdrawing."""
    _check_staff(by)
    if not reason.strip():
        raise ValidationError({"reason": [_("Write the reason for this change; it is kept with the history.")]})
    package = enrollment.package
    if package.selection_decided_at is None:
        raise ValidationError(_("The selection is not decided yet: move the person in the ranking instead."))
    return enrollment_change_status(enrollment=enrollment, status=status, reason=reason, actor=by, role=Role.STAFF)


@transaction.atomic
def selection_announce(*, package: TrainingPackage, by, notify: bool = True) -> TrainingPackage:
    """Publish the decided result and, once the transaction commits, have every applicant told theirs.

    The messages are written by a task (`participants.tasks.selection_results_send`), not in the
    staff member's request: a few queries per applicant, for hundreds of applicants, and an error
    halfway fails the task, not the announcement; the task run again sends each message once (by
    its key). notify=False publishes without telling anyone (the demo city, whose phone numbers are
    made up).
    """
    _check_staff(by)
    package = _lock_package(package)
    if package.selection_decided_at is None:
        raise ValidationError(_("Decide the selection before announcing it."))
    if package.announcement_published_at is not None:
        raise ValidationError(
            _("The result was announced on %(date)s.")
            % {"date": date_format(timezone.localtime(package.announcement_published_at))}
        )
    package.announcement_published_at = timezone.now()
    package._history_user = by
    package._change_reason = "selection announced"
    package.save(update_fields=["announcement_published_at"])
    if notify:
        transaction.on_commit(lambda: selection_results_send.enqueue(package.pk))
    return package
