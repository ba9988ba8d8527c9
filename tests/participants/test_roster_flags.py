"""The portal roster's warnings use the package's one completion threshold (TrainingPackage.present_needed)."""

import pytest

from participants.models import Enrollment
from participants.selectors import Roster, RosterRow, SessionColumn
from programs.models import Session, TrainingPackage


def _flag(*, percent, planned, held, present, marked=None):
    package = TrainingPackage(min_attendance_percent=percent)
    columns = [
        SessionColumn(session=Session(), held=i < held, present=0, excused=0, sick=0, absent=0) for i in range(planned)
    ]
    roster = Roster(package=package, columns=columns, rows=[])
    row = RosterRow(enrollment=Enrollment(status=Enrollment.Status.ENROLLED), present=present, marked_held=held)
    row.marked = held if marked is None else marked
    roster.rate(row)
    return row.flag


@pytest.mark.parametrize(
    ("percent", "held", "present", "flag"),
    [
        (80, 5, 4, None),  # 4 of 5 held = 80%: on track
        (80, 5, 3, "slipping"),  # 60%
        (75, 3, 3, None),
        (75, 3, 2, "slipping"),  # 66,7% < 75%: present_needed(3) = 3
        (75, 4, 3, None),  # exactly 75%
        (0, 4, 0, None),  # no minimum
    ],
)
def test_slipping_is_below_the_packages_threshold_over_the_meetings_held(percent, held, present, flag):
    assert _flag(percent=percent, planned=20, held=held, present=present) == flag


def test_cannot_reach_when_every_meeting_left_is_not_enough():
    # 10 planned, 80% needs 8; 5 held with 2 present: at most 7 -> cannot reach.
    assert _flag(percent=80, planned=10, held=5, present=2) == "cannot_reach"
    assert _flag(percent=80, planned=10, held=5, present=3) == "slipping"  # 8 still possible
    assert _flag(percent=80, planned=10, held=0, present=0) is None  # nothing held yet
