"""The follow-up links' work in the task queue (django-tasks; `manage.py db_worker` runs it).

Apart from participants/tasks.py, which the services import to queue their own tasks: these tasks
call the services, so they live where the services do not import them.
"""

from django_tasks import task

from participants.services.followup_links import follow_up_links_send, follow_up_reminders_send


@task()
def follow_up_links_send_task(round_: int) -> int:
    """Send the personal link of a round to everyone due it (staff clicked "send" on the follow-up list)."""
    return follow_up_links_send(round=round_)


@task()
def follow_up_reminders_send_task() -> int:
    """Send the reminders due today (the button on the follow-up list; cron runs `manage.py follow_up_reminders`)."""
    return follow_up_reminders_send()
