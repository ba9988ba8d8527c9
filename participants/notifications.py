"""What the system tells people, through the message service (pekalongan_training.messaging).

Placeholder while the message service is built: each function is replaced by one that queues the
message. Callers call these after their writes; the messages go out once the transaction commits.
"""


def registration_receipt(*, enrollment, phone: str, email: str = "") -> None:
    """The receipt of an online registration, to the number typed on the form."""


def owner_notice(*, enrollment, phone: str, text: str) -> None:
    """To the person on record: an application was made with their NIK."""


def selection_results(*, package) -> int:
    """Each applicant of a decided package their own result; returns how many messages were queued."""
    return 0


def schedule_changed(*, session, old_date) -> int:
    """Everyone holding a seat in the meeting's package: the meeting moved from old_date."""
    return 0
