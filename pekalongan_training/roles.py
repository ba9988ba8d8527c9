"""The three roles of DESIGN.md, as Django groups, and how to tell which one a user has."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

STAFF_GROUP = "Dinas staff"
OPERATOR_GROUP = "Provider operator"
OFFICIAL_GROUP = "Official"


def _in_group(user, name: str) -> bool:
    if not user.is_authenticated:
        return False
    names = getattr(user, "_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._group_names = names
    return name in names


def is_dinas_staff(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and _in_group(user, STAFF_GROUP)))
    )


def is_operator(user) -> bool:
    return _in_group(user, OPERATOR_GROUP)


def is_official(user) -> bool:
    return _in_group(user, OFFICIAL_GROUP)


def role_required(*checks):
    """A view decorator: login required, then 403 unless one of the role checks says yes."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not any(check(request.user) for check in checks):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_view = role_required(is_dinas_staff)  # login required; dinas staff only (others get 403)
