from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pekalongan_training.roles import is_official, is_operator


@login_required
def home(request):
    """Send each role where it belongs: staff to the admin, operators to the portal, officials to their page."""
    user = request.user
    if user.is_staff:
        return redirect("admin:index")
    if is_operator(user):
        return redirect("provider:package-list")
    if is_official(user):
        return redirect("dashboard:index")
    return render(request, "home.html")
