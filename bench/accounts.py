"""An account in a group for the benchmarks (import after django.setup())."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def account(username, group, staff=False):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": staff})
    user.groups.add(Group.objects.get(name=group))
    return user
