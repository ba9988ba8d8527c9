"""The alumni's personal follow-up links, at /alumni/<token>/ (public, no login).

Not namespaced: DESIGN.md names the page "alumni-followup". A module of its own because the root
URLconf (pekalongan_training) may not import a view of participants (the layers, "Where code lives").
"""

from django.urls import path

from participants.views import alumni

urlpatterns = [
    path("<str:token>/", alumni.alumni_followup, name="alumni-followup"),
]
