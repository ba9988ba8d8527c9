from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Attendance


def test_marks_have_no_default_ordering_that_joins_the_meetings(db):
    with CaptureQueriesContext(connection) as queries:
        list(Attendance.objects.filter(status=Attendance.Status.PRESENT)[:5])
    sql = queries.captured_queries[0]["sql"]
    assert "JOIN" not in sql.upper()
    assert "ORDER BY" not in sql.upper()
