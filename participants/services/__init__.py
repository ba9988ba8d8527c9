"""Writes with rules on people, enrollments, marks and follow-ups, by audience.

Every function is atomic, raises a translated ValidationError (with field names where a form can
show it next to a field) and writes nothing when a rule says no. The modules:
- enrollments: seats, the waitlist, the entry rules (staff, intake);
- completion: completion proposed from attendance and confirmed by a person;
- portal: what providers record in class (marks, results);
- public: online registration;
- followups: follow-up answers;
- followup_links: the alumni's personal follow-up links and their own answers;
- privacy: erasure on request;
- selection: scores, the ranking, the decision and its announcement.
Callers import from `participants.services`.
"""

from participants.services.certificates import certificate_revoke, certificates_issue
from participants.services.completion import can_confirm_completion, completion_confirm, completion_propose
from participants.services.enrollments import (
    CREATE_STATUSES,
    applicant_accept,
    applicant_reject,
    enrollment_change_status,
    enrollment_create,
    enrollment_rule_errors,
    enrollment_withdraw,
    seats_left,
)
from participants.services.followup_links import (
    follow_up_link,
    follow_up_links_send,
    follow_up_reminders_send,
    follow_up_target,
    follow_up_url,
    outcome_self_report,
    outcome_verify,
)
from participants.services.followups import outcome_record
from participants.services.portal import (
    attendance_mark_all_present,
    attendance_record,
    attendance_rule_errors,
    attendance_unmarked,
    enrollment_record_results,
    enrollment_results_errors,
)
from participants.services.privacy import participant_anonymise
from participants.services.public import (
    CONSENT_VERSION,
    receipt_of,
    registration_create,
    registration_places_left,
    registration_verify,
)
from participants.services.selection import (
    selection_announce,
    selection_decide,
    selection_move,
    selection_plan,
    selection_ranking,
    selection_scores_save,
    selection_status_change,
    selection_weights_set,
)

__all__ = [
    "CONSENT_VERSION",
    "CREATE_STATUSES",
    "applicant_accept",
    "applicant_reject",
    "attendance_mark_all_present",
    "attendance_record",
    "attendance_rule_errors",
    "attendance_unmarked",
    "can_confirm_completion",
    "certificate_revoke",
    "certificates_issue",
    "completion_confirm",
    "completion_propose",
    "enrollment_change_status",
    "enrollment_create",
    "enrollment_record_results",
    "enrollment_results_errors",
    "enrollment_rule_errors",
    "enrollment_withdraw",
    "follow_up_link",
    "follow_up_links_send",
    "follow_up_reminders_send",
    "follow_up_target",
    "follow_up_url",
    "outcome_record",
    "outcome_self_report",
    "outcome_verify",
    "participant_anonymise",
    "registration_create",
    "receipt_of",
    "registration_places_left",
    "registration_verify",
    "seats_left",
    "selection_announce",
    "selection_decide",
    "selection_move",
    "selection_plan",
    "selection_ranking",
    "selection_scores_save",
    "selection_status_change",
    "selection_weights_set",
]
