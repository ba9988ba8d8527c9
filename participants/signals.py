"""What participants does when the apps below it report a change (connected in ParticipantsConfig.ready)."""

from django.dispatch import receiver

from participants import notifications
from programs.models import Session
from programs.signals import session_rescheduled


@receiver(session_rescheduled, sender=Session, dispatch_uid="participants.tell_schedule_changed")
def tell_schedule_changed(sender, *, session, old_date, **kwargs):
    """The people enrolled hear of a moved meeting (the messages go out when the move commits)."""
    notifications.schedule_changed(session=session, old_date=old_date)
