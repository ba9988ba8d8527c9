"""Seed the 4 kecamatan and 27 kelurahan of Kota Pekalongan (33.75) with their Kemendagri codes.

Codes as in every Kemendagri edition from 2015 to 2025. Kelurahan codes have gaps: never assume
a sequence.
"""

from django.db import migrations

KECAMATAN = [
    ("33.75.01", "Pekalongan Barat"),
    ("33.75.02", "Pekalongan Timur"),
    ("33.75.03", "Pekalongan Utara"),
    ("33.75.04", "Pekalongan Selatan"),
]

KELURAHAN = [
    ("33.75.01.1002", "Medono"),
    ("33.75.01.1003", "Podosugih"),
    ("33.75.01.1004", "Sapuro Kebulen"),
    ("33.75.01.1006", "Bendan Kergon"),
    ("33.75.01.1008", "Pasirkratonkramat"),
    ("33.75.01.1009", "Tirto"),
    ("33.75.01.1012", "Pringrejo"),
    ("33.75.02.1002", "Noyontaansari"),
    ("33.75.02.1004", "Kauman"),
    ("33.75.02.1007", "Poncol"),
    ("33.75.02.1008", "Klego"),
    ("33.75.02.1009", "Gamer"),
    ("33.75.02.1010", "Setono"),
    ("33.75.02.1012", "Kali Baros"),
    ("33.75.03.1002", "Krapyak"),
    ("33.75.03.1003", "Kandang Panjang"),
    ("33.75.03.1004", "Panjang Wetan"),
    ("33.75.03.1006", "Padukuhan Kraton"),
    ("33.75.03.1007", "Degayu"),
    ("33.75.03.1009", "Bandengan"),
    ("33.75.03.1010", "Panjang Baru"),
    ("33.75.04.1002", "Banyurip"),
    ("33.75.04.1003", "Buaran Kradenan"),
    ("33.75.04.1004", "Jenggot"),
    ("33.75.04.1006", "Kuripan Kertoharjo"),
    ("33.75.04.1008", "Kuripan Yosorejo"),
    ("33.75.04.1010", "Sokoduwet"),
]


def seed(apps, schema_editor):
    Kecamatan = apps.get_model("programs", "Kecamatan")
    Kelurahan = apps.get_model("programs", "Kelurahan")
    by_code = {}
    for code, name in KECAMATAN:
        by_code[code], _ = Kecamatan.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in KELURAHAN:
        Kelurahan.objects.update_or_create(code=code, defaults={"name": name, "kecamatan": by_code[code[:8]]})


def unseed(apps, schema_editor):
    apps.get_model("programs", "Kelurahan").objects.filter(code__in=[code for code, _ in KELURAHAN]).delete()
    apps.get_model("programs", "Kecamatan").objects.filter(code__in=[code for code, _ in KECAMATAN]).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
