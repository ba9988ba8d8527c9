"""The staff's back office for participants, enrollments, attendance and follow-ups (registered on import)."""

from participants.admin import enrollments, people, records  # noqa: F401
