"""Send the follow-up reminders due today: run once a day (cron), e.g. `0 9 * * * manage.py follow_up_reminders`."""

from django.core.management.base import BaseCommand

from participants.services import follow_up_reminders_send


class Command(BaseCommand):
    help = "Send the reminders of unanswered personal follow-up links that are due today (7 and 14 days)."

    def handle(self, *args, **options):
        queued = follow_up_reminders_send()
        self.stdout.write(f"{queued} reminder(s) queued.")
