"""The open data under /data/: public, no login, GET (and HEAD) only, never an error page for any input.

    GET /data/                          the datasets: title, description, formats, years
    GET /data/catalog.json              a DCAT catalogue (Project Open Data v1.1), which CKAN harvests
    GET /data/<slug>/                   one dataset: its metadata after BPS's MS-Ind, a preview, downloads
    GET /data/<slug>.csv|.xlsx|.json    the dataset over every year (UTF-8 CSV with commas; XLSX with
                                        numbers as numbers and the metadata on a second sheet; JSON, a
                                        flat list of records)
    GET /data/<slug>.meta.json          the metadata alone
    GET /data/hasil/[<year>/]           the results page for residents and journalists

The tables (reports/open_data.py) are protected by reports.disclosure and are the same for every
visitor; the files are Indonesian whatever the visitor's language, the pages are translated. An
unknown slug or year is the 404 page.
"""

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from participants.public_pages import dinas_contact
from pekalongan_training import formatting
from pekalongan_training.spreadsheets import OPEN_DATA, Sheet, csv_response, xlsx_response
from reports import open_data
from reports.disclosure import MIN_RATE_BASE

FORMATS = (
    # (fmt, DCAT format, media type)
    ("csv", "CSV", "text/csv"),
    ("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("json", "JSON", "application/json"),
)
SPATIAL = "Kota Pekalongan, Jawa Tengah, Indonesia"


def _dataset_or_404(slug: str) -> open_data.Dataset:
    try:
        return open_data.DATASETS[slug]
    except KeyError:
        raise Http404 from None


def _open(response):
    """Open data may be read by any site's scripts (no cookies are sent with such a request)."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _absolute(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"data:{name}", kwargs=kwargs))


def _temporal(covered: list[int]) -> str:
    return f"{covered[0]}-01-01/{covered[-1]}-12-31" if covered else ""


def _years_text(covered: list[int]) -> str:
    if not covered:
        return ""
    return str(covered[0]) if len(covered) == 1 else f"{covered[0]}–{covered[-1]}"


@require_safe
def index(request):
    covered = open_data.years()
    return render(
        request,
        "data/index.html",
        {
            "datasets": open_data.DATASET_LIST,
            "formats": [fmt for fmt, _format, _type in FORMATS],
            "years_text": _years_text(covered),
            "min_rate_base": MIN_RATE_BASE,
            "catalog_url": _absolute(request, "catalog"),
        },
    )


def catalog_payload(request, covered: list[int], today) -> dict:
    """The catalogue in Project Open Data v1.1's shape (DCAT), with absolute addresses."""
    contact = dinas_contact()
    contact_point = {"@type": "vcard:Contact", "fn": contact.name}
    if contact.email:
        contact_point["hasEmail"] = f"mailto:{contact.email}"
    datasets = []
    for dataset in open_data.DATASET_LIST:
        entry = {
            "@type": "dcat:Dataset",
            "title": dataset.title,
            "description": dataset.description,
            "keyword": list(dataset.keywords),
            "modified": today.isoformat(),
            "publisher": {"@type": "org:Organization", "name": contact.name},
            "contactPoint": contact_point,
            "identifier": _absolute(request, "dataset", slug=dataset.slug),
            "accessLevel": "public",
            "license": open_data.LICENSE,
            "spatial": SPATIAL,
            "temporal": _temporal(covered),
            "accrualPeriodicity": "R/P1Y",
            "language": ["id"],
            "theme": ["Ketenagakerjaan"],
            "landingPage": _absolute(request, "dataset", slug=dataset.slug),
            "describedBy": _absolute(request, "metadata", slug=dataset.slug),
            "describedByType": "application/json",
            "distribution": [
                {
                    "@type": "dcat:Distribution",
                    "title": f"{dataset.title} ({label})",
                    "downloadURL": _absolute(request, "download", slug=dataset.slug, fmt=fmt),
                    "mediaType": media_type,
                    "format": label,
                }
                for fmt, label, media_type in FORMATS
            ],
        }
        if not covered:
            del entry["temporal"]
        datasets.append(entry)
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": datasets,
    }


@require_safe
def catalog(request):
    payload = catalog_payload(request, open_data.years(), timezone.localdate())
    return _open(JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1}))


def _metadata(request, dataset, today) -> dict:
    meta = open_data.metadata(dataset, dinas_contact(), open_data.years(), today)
    meta["unduhan"] = {fmt: _absolute(request, "download", slug=dataset.slug, fmt=fmt) for fmt, *_rest in FORMATS}
    return meta


@require_safe
def dataset(request, slug):
    dataset = _dataset_or_404(slug)
    today = timezone.localdate()
    covered = open_data.years()
    latest = covered[-1] if covered else None
    preview = open_data.year_tables(latest, today)[slug] if latest else []
    shown = [c for c in dataset.columns if c not in open_data.REGION and c not in ("satuan", "tahun")]
    measures = {m.column for m in dataset.measures}
    return render(
        request,
        "data/dataset.html",
        {
            "dataset": dataset,
            "meta": _metadata(request, dataset, today),
            "formats": [fmt for fmt, _format, _type in FORMATS],
            "years_text": _years_text(covered),
            "latest": latest,
            "min_rate_base": MIN_RATE_BASE,
            "columns": [(c, c in measures) for c in shown],
            "preview": [[(row[c], c in measures) for c in shown] for row in preview],
        },
    )


def _metadata_rows(meta: dict) -> list[list]:
    """The metadata as a sheet: a field a line, then one line per measure."""
    rows = [["Metadata", ""]]
    for key in ("judul", "deskripsi", "konsep", "klasifikasi_penyajian", "wilayah", "kode_wilayah", "frekuensi"):
        rows.append([key, meta[key]])
    rows.append(["tahun_tersedia", ", ".join(str(year) for year in meta["tahun_tersedia"])])
    for key in ("sumber_data", "produsen_data", "metode_pengamanan_data", "lisensi", "tanggal_data"):
        rows.append([key, meta[key]])
    rows.append(["kontak", ", ".join(value for value in meta["kontak"].values() if value)])
    rows += [[], ["kolom", "nama_indikator", "definisi", "rumus", "ukuran", "satuan"]]
    rows += [
        [m[key] for key in ("kolom", "nama_indikator", "definisi", "rumus", "ukuran", "satuan")]
        for m in meta["indikator"]
    ]
    return rows


@require_safe
def download(request, slug, fmt):
    dataset = _dataset_or_404(slug)
    today = timezone.localdate()
    columns = dataset.columns
    records = [{c: row[c] for c in columns} for row in open_data.dataset_rows(dataset, today)]
    if fmt == "csv":
        rows = [columns, *([record[c] for c in columns] for record in records)]
        return _open(csv_response(slug, rows, style=OPEN_DATA))
    if fmt == "xlsx":
        meta_rows = _metadata_rows(_metadata(request, dataset, today))
        data = Sheet(
            "Data",
            [columns, *([record[c] for c in columns] for record in records)],
            bold_rows={0},
            freeze="A2",
        )
        described = Sheet("Metadata", meta_rows, bold_rows={0, len(meta_rows) - len(dataset.measures) - 1})
        described.widths = {"A": 28, "B": 60, "C": 60, "D": 60}
        return _open(xlsx_response(slug, data, described))
    body = json.dumps(records, ensure_ascii=False, indent=1)
    return _open(HttpResponse(body, content_type="application/json; charset=utf-8"))


@require_safe
def metadata(request, slug):
    dataset = _dataset_or_404(slug)
    payload = _metadata(request, dataset, timezone.localdate())
    return _open(JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1}))


# --- the results page ---------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return formatting.percent(value, 1)


def _default_year(headlines: list[open_data.Headline]) -> int:
    """The latest year in which someone was trained; else the latest year."""
    trained = [h.year for h in headlines if h.trained]
    return trained[-1] if trained else headlines[-1].year


def _kecamatan_rows(tables: dict) -> list[dict]:
    """The city's kecamatan ranked by people trained (most first), then the people from outside the city."""
    rows = tables["peserta-per-kecamatan"]
    inside = sorted(
        (row for row in rows if row["kode_kecamatan"]),
        key=lambda row: (-row["jumlah_peserta"], row["nama_kecamatan"]),
    )
    return [*inside, *(row for row in rows if not row["kode_kecamatan"])]


@require_safe
def results(request, year=None):
    covered = open_data.years()
    if year is not None and int(year) not in covered:
        raise Http404
    today = timezone.localdate()
    tables = {y: open_data.year_tables(y, today) for y in covered}
    headlines = [open_data.headline(y, tables[y]) for y in covered]
    shown = [
        {"headline": h, "working": _percent(h.working_rate_6), "response": _percent(h.response_rate_6)}
        for h in reversed(headlines)
    ]
    context = {
        "years": shown,
        "datasets": open_data.DATASET_LIST,
        "min_rate_base": MIN_RATE_BASE,
        "contact": dinas_contact(),
    }
    if headlines:
        selected = int(year) if year is not None else _default_year(headlines)
        kecamatan = _kecamatan_rows(tables[selected])
        context.update(
            {
                "year": selected,
                "current": next(item for item in shown if item["headline"].year == selected),
                "kecamatan": kecamatan,
                "chart": {
                    "labels": [row["nama_kecamatan"] for row in kecamatan],
                    "trained": [row["jumlah_peserta"] for row in kecamatan],
                    "completers": [row["jumlah_lulus"] for row in kecamatan],
                    "legend": [_("People trained"), _("Completed the training")],
                },
            }
        )
    return render(request, "data/results.html", context)
