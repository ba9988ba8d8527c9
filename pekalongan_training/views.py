from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pekalongan_training.roles import is_dinas_staff, is_official, is_operator


@login_required
def home(request):
    """Send each role where it belongs: staff to the admin, operators to the portal, officials to their page.

    By the same role checks as the admin site and the pages themselves: "staff status" alone does
    not open the admin, so an operator whose account has it ticked still goes to the portal.
    """
    user = request.user
    if is_dinas_staff(user):
        return redirect("admin:index")
    if is_operator(user):
        return redirect("provider:package-list")
    if is_official(user):
        return redirect("dashboard:index")
    return render(request, "home.html")


@require_safe
@never_cache
def healthz(request):
    """Liveness for the load balancer: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means: take this host out of rotation
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
