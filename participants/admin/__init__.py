"""The staff's back office for participants, enrollments, attendance and follow-ups (registered on import).

`site` sets up the admin's front page: today's work and the sections in working order.
"""

from participants.admin import (  # noqa: F401
    allowances,
    certificates,
    enrollments,
    imports,
    meetings,
    people,
    records,
    site,
)
