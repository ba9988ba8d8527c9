"""The public verification of a training certificate, at /sertifikat/<code>/ (no login).

Not namespaced: DESIGN.md names the page "certificate-verify". A module of its own because the root
URLconf (pekalongan_training) may not import a view of participants (the layers, "Where code lives").
"""

from django.urls import path

from participants.views import certificates

urlpatterns = [
    path("<str:code>/", certificates.certificate_verify, name="certificate-verify"),
]
