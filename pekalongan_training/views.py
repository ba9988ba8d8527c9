from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pekalongan_training.roles import is_official, is_operator


@login_required
def home(request):
    """Send each role where it belongs: staff to the admin, operators and officials to their page."""
    user = request.user
    if user.is_staff:
        return redirect("admin:index")
    context = {
        "is_operator": is_operator(user),
        "is_official": is_official(user),
        "providers": user.providers.order_by("name") if is_operator(user) else [],
    }
    return render(request, "home.html", context)
