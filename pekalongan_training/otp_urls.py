"""The second factor for dinas staff and superusers (set up, recovery codes)."""

app_name = "otp"

urlpatterns = []
