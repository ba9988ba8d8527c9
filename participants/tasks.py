"""Participants' work in the task queue (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from participants import notifications
from programs.models import TrainingPackage


@task()
def selection_results_send(package_id: int) -> int:
    """Tell every applicant of an announced package their own result; returns how many messages were queued.

    Enqueued by `selection_announce` once its transaction commits. Each message has a key naming the
    applicant and the decision (`notifications.selection_results`), so a second run (a worker
    restarted, the task queued again after an error) sends only what the first did not.
    """
    package = TrainingPackage.objects.select_related("vocation", "venue_kelurahan").filter(pk=package_id).first()
    if package is None:  # deleted since
        return 0
    return notifications.selection_results(package=package)
