from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from pekalongan_training import accounts, two_factor, views
from pekalongan_training.converters import IdConverter
from pekalongan_training.forms import AdminLoginForm, LoginForm
from pekalongan_training.roles import is_dinas_staff

register_converter(IdConverter, "id")

admin.site.site_header = _("Dinperinaker Kota Pekalongan: job training")
admin.site.site_title = _("Job training")
admin.site.index_title = _("Back office")
admin.site.site_url = "/provider/"  # "View site" from the admin opens the provider portal
# The back office is for dinas staff only: "staff status" alone (say, ticked on an operator's
# account by mistake) does not open it.
admin.site.has_permission = lambda request: is_dinas_staff(request.user)
# The admin's login form too refuses an overlong username (a 500 on PostgreSQL otherwise).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    # Ours before Django's, under the same name: answers alike for every address, throttled.
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/me/", two_factor.account, name="account"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/recovery-codes/", two_factor.recovery_codes, name="two_factor_recovery_codes"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("provider/", include("participants.portal_urls")),
    path("intake/", include("participants.urls")),
    path("pelatihan/", include("participants.public_urls")),
    path("alumni/", include("participants.alumni_urls")),  # the personal follow-up link
    path("sertifikat/", include("participants.certificate_urls")),  # public verification of a certificate
    path("dashboard/", include("reports.urls")),
    path("data/", include("reports.data_urls")),  # open data, public (reports/data_views.py)
]
