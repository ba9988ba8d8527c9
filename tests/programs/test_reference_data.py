import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from pekalongan_training.roles import OFFICIAL_GROUP, OPERATOR_GROUP, STAFF_GROUP
from programs.models import Kecamatan, Kelurahan

pytestmark = pytest.mark.django_db

# Kemendagri codes of Kota Pekalongan (33.75), written out here so the test can fail.
EXPECTED = """33.75.01,Pekalongan Barat,33.75.01.1002,Medono
33.75.01,Pekalongan Barat,33.75.01.1003,Podosugih
33.75.01,Pekalongan Barat,33.75.01.1004,Sapuro Kebulen
33.75.01,Pekalongan Barat,33.75.01.1006,Bendan Kergon
33.75.01,Pekalongan Barat,33.75.01.1008,Pasirkratonkramat
33.75.01,Pekalongan Barat,33.75.01.1009,Tirto
33.75.01,Pekalongan Barat,33.75.01.1012,Pringrejo
33.75.02,Pekalongan Timur,33.75.02.1002,Noyontaansari
33.75.02,Pekalongan Timur,33.75.02.1004,Kauman
33.75.02,Pekalongan Timur,33.75.02.1007,Poncol
33.75.02,Pekalongan Timur,33.75.02.1008,Klego
33.75.02,Pekalongan Timur,33.75.02.1009,Gamer
33.75.02,Pekalongan Timur,33.75.02.1010,Setono
33.75.02,Pekalongan Timur,33.75.02.1012,Kali Baros
33.75.03,Pekalongan Utara,33.75.03.1002,Krapyak
33.75.03,Pekalongan Utara,33.75.03.1003,Kandang Panjang
33.75.03,Pekalongan Utara,33.75.03.1004,Panjang Wetan
33.75.03,Pekalongan Utara,33.75.03.1006,Padukuhan Kraton
33.75.03,Pekalongan Utara,33.75.03.1007,Degayu
33.75.03,Pekalongan Utara,33.75.03.1009,Bandengan
33.75.03,Pekalongan Utara,33.75.03.1010,Panjang Baru
33.75.04,Pekalongan Selatan,33.75.04.1002,Banyurip
33.75.04,Pekalongan Selatan,33.75.04.1003,Buaran Kradenan
33.75.04,Pekalongan Selatan,33.75.04.1004,Jenggot
33.75.04,Pekalongan Selatan,33.75.04.1006,Kuripan Kertoharjo
33.75.04,Pekalongan Selatan,33.75.04.1008,Kuripan Yosorejo
33.75.04,Pekalongan Selatan,33.75.04.1010,Sokoduwet"""


def test_the_four_kecamatan_and_27_kelurahan_with_their_codes():
    expected = {tuple(row) for row in csv.reader(io.StringIO(EXPECTED))}
    seeded = set(Kelurahan.objects.values_list("kecamatan__code", "kecamatan__name", "code", "name"))
    assert seeded == expected
    assert Kelurahan.objects.count() == 27
    assert dict(Kecamatan.objects.values_list("code", "name")) == {
        "33.75.01": "Pekalongan Barat",
        "33.75.02": "Pekalongan Timur",
        "33.75.03": "Pekalongan Utara",
        "33.75.04": "Pekalongan Selatan",
    }
    assert not Kelurahan.objects.filter(code="33.75.01.1001").exists()


def _codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_dinas_staff_may_run_the_back_office():
    codenames = _codenames(STAFF_GROUP)
    for model in [
        "program",
        "cohort",
        "trainingpackage",
        "session",
        "provider",
        "vocation",
        "participant",
        "enrollment",
        "attendance",
        "outcome",
    ]:
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert "view_kelurahan" in codenames
    assert "change_kelurahan" not in codenames


def test_operators_mark_attendance_but_never_delete_or_manage_people():
    codenames = _codenames(OPERATOR_GROUP)
    assert {"add_attendance", "change_attendance", "change_enrollment", "view_trainingpackage"} <= codenames
    assert "view_participant" not in codenames
    assert not {c for c in codenames if c.startswith("delete_")}
    assert "add_participant" not in codenames
    assert "change_participant" not in codenames
    assert "add_enrollment" not in codenames


def test_officials_see_no_model_with_personal_data():
    codenames = _codenames(OFFICIAL_GROUP)
    assert "view_program" in codenames and "view_trainingpackage" in codenames
    assert not {c for c in codenames if c.split("_", 1)[1] in {"participant", "enrollment", "attendance", "outcome"}}
    assert all(c.startswith("view_") for c in codenames)


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
