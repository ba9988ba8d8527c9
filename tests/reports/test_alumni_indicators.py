"""The alumni's indicators (waiting time, response by channel, satisfaction, what would help) against
a dataset worked out by hand below.

The dataset (fixed dates in the past, so every round of A and B is due; today is the real date):
- package A ends on 31 August 2023, a month's last day: + 3 months = 30 November 2023, + 6 months =
  29 February 2024 (a leap year), + 12 months = 31 August 2024. Completers a1..a8; a9 dropped out.
- package B ends on 15 January 2024: + 3 = 15 April, + 6 = 15 July 2024. Completers b1..b5.
- package C (cancelled) ends on 15 January 2024: completer c1, left out everywhere.
- package D ended 4 months ago: completer d1, due for round 3 only, with an early round-6 answer.

The answers (ANSWERS) and the links sent but not answered (UNANSWERED_LINKS) give, by hand:

Waiting time to the first work (the earliest start over working answers of any round), days from
the package's last day:
  a1 20 Aug 2023 (before the last day)  0  within 3
  a8 10 Sep 2023                       10  within 3
  a2 30 Nov 2023 (= + 3 months; its round-6 business from 10 Jan 2024 is later)  91  within 3
  b1 15 Apr 2024 (= + 3 months; a start on a not-working answer, 1 Feb 2024, is ignored)  91  within 3
  a3  1 Dec 2023 (one day after + 3 months)   92  4-6
  b2 16 Apr 2024 (one day after + 3 months)   92  4-6
  a4 29 Feb 2024 (= + 6 months, month's end)  182  4-6
  b3 15 Jul 2024 (= + 6 months; its round-3 work had no start date)  182  4-6
  a5  1 Mar 2024 (one day after + 6 months)  183  7-12
  a6 31 Aug 2024 (= + 12 months)             366  7-12
  a7  1 Sep 2024 (one day after + 12 months)  367  over 12
  b4 (working, never a start date), b5, d1: no known first work.
  All: n = 11, median the 6th of 0 10 91 91 92 92 182 182 183 366 367 = 92 days;
  bands 4, 4, 2, 1 of 11. A alone: n = 8 (even), median (92 + 182) / 2 = 137. B alone: n = 3, 92.

Round 3 (due: a1-a8, b1-b5, d1 = 14):
  links sent a1 a2 a4 b2 b4 + a6 a7 (unanswered) = 7; answered through the link a1 a2 a3 b2 b4 = 5,
  of them sent a link a1 a2 b2 b4 = 4: link response 4 of 7 (57,1%). (a3's link was copied into a chat.)
  staff calls a8 a4 a5 b1 b3 b5 = 6, answered a8 a5 b1 b3 = 4: 4 of 6 (66,7%).
  reached 9 of 14 (64,3%); not reachable a4 b5; pending a6 a7 d1.
  scores: a1 5, a2 4, a8 3, a3 2, b1 4, b2 3, b3 3, b4 2 (a5 gave none; b5's on "not reachable" is a
  slip, not counted): n 8, total 26, mean 3,25 -> 3,3 (half up); 1:0 2:2 3:3 4:2 5:1.
  help among those 8: capital a1 a8 b2 = 3 (37,5%), tools a1 a2 b1 b2 = 4 (50,0%), internship a3 = 1
  (12,5%), placement a3 b4 = 2 (25,0%). (a5's "tools" without a score is not counted.)
Round 6 (due 13: d1 is not due, its early answer and link are left out):
  links a2 a3 + a6 = 3, answered through them a2 a3: 2 of 3 (66,7%); calls a4 b1 b3, all answered:
  3 of 3; reached 5 of 13 (38,5%). scores a2 5, a3 4, a4 5, b3 4: n 4, mean 4,5; 4:2 5:2.
  capital a2 a3 = 2 of 4. (4 answers: the dashboard shows their counts only.)
Round 12 (due 13): links a6 a7 b4, all answered: 3 of 3; calls a5 b1 b2 b5, answered a5 b1 b2: 3 of 4
  (75,0%); reached 6 of 13 (46,2%). scores a5 3, a6 4, a7 1, b1 4, b4 3: n 5, total 15, mean 3,0;
  1:1 3:2 4:2. capital a7 1, tools a5 b4 2, internship a6 b4 2, placement a7 1, of 5.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from participants.models import FollowUpInvitation, Outcome
from pekalongan_training.dates import add_months
from reports import indicators
from reports.indicators import Filters, Rate
from reports.tables import Kind, dashboard_data, tables
from tests import factories

pytestmark = pytest.mark.django_db

day = datetime.date
SELF, CALL = Outcome.Source.SELF_REPORTED, Outcome.Source.STAFF_CALL
OWN, EMPLOYED, NOT_WORKING, GONE = "self_employed", "employed", "not_working", "unreachable"

# person, round, status, source, satisfaction, what would help, work started, link sent for the round
ANSWERS = [
    ("a1", 3, EMPLOYED, SELF, 5, ["capital", "tools"], day(2023, 8, 20), True),
    ("a2", 3, EMPLOYED, SELF, 4, ["tools"], day(2023, 11, 30), True),
    ("a8", 3, OWN, CALL, 3, ["capital"], day(2023, 9, 10), False),
    ("a3", 3, NOT_WORKING, SELF, 2, ["placement", "internship"], None, False),
    ("a4", 3, GONE, CALL, None, [], None, True),
    ("a5", 3, NOT_WORKING, CALL, None, ["tools"], None, False),
    ("b1", 3, EMPLOYED, CALL, 4, ["tools"], day(2024, 4, 15), False),
    ("b2", 3, OWN, SELF, 3, ["capital", "tools"], day(2024, 4, 16), True),
    ("b3", 3, EMPLOYED, CALL, 3, [], None, False),
    ("b4", 3, NOT_WORKING, SELF, 2, ["placement"], None, True),
    ("b5", 3, GONE, CALL, 5, [], None, False),
    ("a2", 6, OWN, SELF, 5, ["capital"], day(2024, 1, 10), True),
    ("a3", 6, OWN, SELF, 4, ["capital"], day(2023, 12, 1), True),
    ("a4", 6, EMPLOYED, CALL, 5, [], day(2024, 2, 29), False),
    ("b1", 6, OWN, CALL, None, [], day(2024, 6, 1), False),
    ("b3", 6, EMPLOYED, CALL, 4, [], day(2024, 7, 15), False),
    ("a5", 12, EMPLOYED, CALL, 3, ["tools"], day(2024, 3, 1), False),
    ("a6", 12, EMPLOYED, SELF, 4, ["internship"], day(2024, 8, 31), True),
    ("a7", 12, EMPLOYED, SELF, 1, ["placement", "capital"], day(2024, 9, 1), True),
    ("b1", 12, NOT_WORKING, CALL, 4, [], day(2024, 2, 1), False),
    ("b2", 12, EMPLOYED, CALL, None, [], day(2024, 4, 16), False),
    ("b4", 12, EMPLOYED, SELF, 3, ["tools", "internship"], None, True),
    ("b5", 12, GONE, CALL, None, [], None, False),
    # Left out: a9 dropped out, c1's package was cancelled, d1's round 6 is not due yet.
    ("a9", 3, EMPLOYED, SELF, 5, ["capital"], day(2023, 9, 1), True),
    ("c1", 3, EMPLOYED, SELF, 1, ["tools"], day(2024, 1, 20), True),
    ("d1", 6, EMPLOYED, SELF, 1, ["capital"], None, True),
]
UNANSWERED_LINKS = [("a6", 3), ("a7", 3), ("a6", 6)]


def _answer(enrollment, round_, status, source, satisfaction=None, help_needed=(), started=None, sent=False):
    Outcome.objects.create(
        enrollment=enrollment,
        round=round_,
        status=status,
        source=source,
        recorded_on=add_months(enrollment.package.ends_on, round_),
        satisfaction=satisfaction,
        help_needed=list(help_needed),
        work_started_on=started,
    )
    if sent:
        _link(enrollment, round_)


def _link(enrollment, round_):
    now = timezone.now()
    FollowUpInvitation.objects.create(enrollment=enrollment, round=round_, sent_at=now, last_sent_at=now)


@pytest.fixture
def alumni():
    today = timezone.localdate()
    providers = {name: factories.ProviderFactory(name=f"Penyelenggara {name}") for name in "ABCD"}

    def package(name, ends_on, status="completed"):
        return factories.TrainingPackageFactory(
            provider=providers[name], starts_on=ends_on - datetime.timedelta(days=30), ends_on=ends_on, status=status
        )

    packages = {
        "a": package("A", day(2023, 8, 31)),
        "b": package("B", day(2024, 1, 15)),
        "c": package("C", day(2024, 1, 15), status="cancelled"),
        "d": package("D", add_months(today, -4)),
    }
    people = {}
    for letter, count in (("a", 9), ("b", 5), ("c", 1), ("d", 1)):
        for n in range(1, count + 1):
            status = "dropped_out" if f"{letter}{n}" == "a9" else "completed"
            people[f"{letter}{n}"] = factories.EnrollmentFactory(package=packages[letter], status=status)
    for who, round_, status, source, satisfaction, help_needed, started, sent in ANSWERS:
        _answer(people[who], round_, status, source, satisfaction, help_needed, started, sent)
    for who, round_ in UNANSWERED_LINKS:
        _link(people[who], round_)
    return {"today": today, "providers": providers, "people": people}


def test_the_waiting_time_to_the_first_work(alumni):
    waiting = indicators.waiting_time(Filters())
    assert waiting.known == 11
    assert waiting.median_days == 92  # the 6th of 11 (odd n)
    assert waiting.bands == {"within_3": 4, "months_4_6": 4, "months_7_12": 2, "over_12": 1}
    assert [waiting.share(key) for key in ("within_3", "months_4_6", "months_7_12", "over_12")] == [
        Rate(4, 11),
        Rate(4, 11),
        Rate(2, 11),
        Rate(1, 11),
    ]
    # A alone, the month's-end package: 0 10 91 92 | 182 183 366 367, an even n.
    a = indicators.waiting_time(Filters(provider=alumni["providers"]["A"]))
    assert (a.known, a.median_days) == (8, 137)
    assert a.bands == {"within_3": 3, "months_4_6": 2, "months_7_12": 2, "over_12": 1}
    b = indicators.waiting_time(Filters(provider=alumni["providers"]["B"]))
    assert (b.known, b.median_days) == (3, 92)
    assert b.bands == {"within_3": 1, "months_4_6": 2, "months_7_12": 0, "over_12": 0}
    # The cancelled package is left out, even when asked for by its provider.
    c = indicators.waiting_time(Filters(provider=alumni["providers"]["C"]))
    assert (c.known, c.median_days, c.bands["within_3"]) == (0, None, 0)


def test_an_even_number_of_waits_has_the_mean_of_the_middle_two_rounded_half_up():
    ends = day(2024, 1, 15)
    package = factories.TrainingPackageFactory(status="completed", starts_on=day(2024, 1, 2), ends_on=ends)
    for started in (day(2024, 1, 10), day(2024, 1, 16)):  # 0 days (before the last day) and 1 day
        enrollment = factories.EnrollmentFactory(package=package, status="completed")
        _answer(enrollment, 3, EMPLOYED, CALL, started=started)
    waiting = indicators.waiting_time(Filters())
    assert (waiting.known, waiting.median_days) == (2, 1)  # 0,5 rounded half up
    assert waiting.bands["within_3"] == 2


# Package last days where add_months clamps or crosses a year, and starts on both sides of each threshold.
LAST_DAYS = [
    day(2023, 8, 31),
    day(2023, 11, 30),
    day(2023, 12, 31),
    day(2024, 1, 31),
    day(2024, 2, 29),
    day(2023, 5, 31),
    day(2024, 3, 15),
]


def _band(ends_on: datetime.date, started: datetime.date) -> str:
    """The band by the project's month rule, in Python."""
    for key, months in indicators.WAITING_BANDS:
        if started <= add_months(ends_on, months):
            return key
    return indicators.OVER_12


def test_the_bands_in_the_database_follow_add_months_for_every_kind_of_last_day():
    providers = []
    for ends_on in LAST_DAYS:
        provider = factories.ProviderFactory()
        providers.append(provider)
        package = factories.TrainingPackageFactory(
            provider=provider, status="completed", starts_on=ends_on - datetime.timedelta(days=20), ends_on=ends_on
        )
        for months in (3, 6, 12):
            threshold = add_months(ends_on, months)
            for started in (threshold - datetime.timedelta(days=1), threshold, threshold + datetime.timedelta(days=1)):
                enrollment = factories.EnrollmentFactory(package=package, status="completed")
                _answer(enrollment, 3, OWN, CALL, started=started)
    for ends_on, provider in zip(LAST_DAYS, providers, strict=True):
        expected = dict.fromkeys(["within_3", "months_4_6", "months_7_12", "over_12"], 0)
        for months in (3, 6, 12):
            threshold = add_months(ends_on, months)
            for started in (threshold - datetime.timedelta(days=1), threshold, threshold + datetime.timedelta(days=1)):
                expected[_band(ends_on, started)] += 1
        # Each threshold and the day before it in its band, the day after in the next: 2, 3, 3, 1.
        assert expected == {"within_3": 2, "months_4_6": 3, "months_7_12": 3, "over_12": 1}
        assert indicators.waiting_time(Filters(provider=provider)).bands == expected, ends_on


def test_the_response_by_channel(alumni):
    three, six, twelve = indicators.follow_up_answers(Filters(), alumni["today"])
    assert (three.links_sent, three.by_link, three.by_link_of_sent) == (7, 5, 4)
    assert three.link_response == Rate(4, 7)
    assert (three.calls, three.by_call, three.call_response) == (6, 4, Rate(4, 6))
    assert (six.links_sent, six.by_link, six.link_response) == (3, 2, Rate(2, 3))
    assert (six.calls, six.call_response) == (3, Rate(3, 3))
    assert (twelve.links_sent, twelve.by_link, twelve.link_response) == (3, 3, Rate(3, 3))
    assert (twelve.calls, twelve.call_response) == (4, Rate(3, 4))
    # The overall response, for reference: reached / due.
    rounds = indicators.outcomes(Filters(), alumni["today"])
    assert [(r.due, r.response) for r in rounds] == [(14, Rate(9, 14)), (13, Rate(5, 13)), (13, Rate(6, 13))]


def test_satisfaction_and_what_would_help(alumni):
    three, six, twelve = indicators.follow_up_answers(Filters(), alumni["today"])
    assert (three.rated, three.satisfaction_total, three.satisfaction_mean) == (8, 26, Decimal("3.3"))
    assert three.scores == {1: 0, 2: 2, 3: 3, 4: 2, 5: 1}
    assert three.help == {"capital": 3, "tools": 4, "internship": 1, "placement": 2}
    assert [three.help_share(v) for v in ("capital", "tools", "internship", "placement")] == [
        Rate(3, 8),
        Rate(4, 8),
        Rate(1, 8),
        Rate(2, 8),
    ]
    assert (six.rated, six.satisfaction_mean, six.scores) == (4, Decimal("4.5"), {1: 0, 2: 0, 3: 0, 4: 2, 5: 2})
    assert six.help == {"capital": 2, "tools": 0, "internship": 0, "placement": 0}
    assert (twelve.rated, twelve.satisfaction_mean) == (5, Decimal("3.0"))
    assert twelve.scores == {1: 1, 2: 0, 3: 2, 4: 2, 5: 0}
    assert twelve.help == {"capital": 1, "tools": 2, "internship": 2, "placement": 1}
    assert twelve.help_share("tools") == Rate(2, 5)


def test_under_a_filter_only_its_completers_count(alumni):
    three, six, _twelve = indicators.follow_up_answers(Filters(provider=alumni["providers"]["B"]), alumni["today"])
    # B at round 3: links b2 b4, both answered; calls b1 b3 b5, answered b1 b3; scores 4 3 3 2.
    assert (three.links_sent, three.link_response, three.call_response) == (2, Rate(2, 2), Rate(2, 3))
    assert (three.rated, three.satisfaction_mean, three.help["tools"]) == (4, Decimal("3.0"), 2)
    assert (six.links_sent, six.calls, six.rated) == (0, 2, 1)
    nothing = indicators.follow_up_answers(Filters(year=1999), alumni["today"])
    assert all(a.rated == 0 and a.satisfaction_mean is None and a.link_response.percent is None for a in nothing)


def test_the_tables_type_every_new_figure(alumni):
    with translation.override("id"):
        by_key = {table.key: table for table in tables(dashboard_data(Filters(), alumni["today"]))}
    waiting = by_key["waiting_time"]
    assert waiting.rows == [[waiting.rows[0][0], 11, 92, Rate(4, 11), Rate(4, 11), Rate(2, 11), Rate(1, 11)]]
    assert waiting.columns[2].kind is Kind.NUMBER
    channels = by_key["channels"]
    assert [row[1:] for row in channels.rows] == [
        [14, 7, 5, Rate(4, 7), 6, 4, Rate(4, 6), Rate(9, 14)],
        [13, 3, 2, Rate(2, 3), 3, 3, Rate(3, 3), Rate(5, 13)],
        [13, 3, 3, Rate(3, 3), 4, 3, Rate(3, 4), Rate(6, 13)],
    ]
    assert [row[1:] for row in by_key["satisfaction"].rows] == [
        [8, Decimal("3.3"), 0, 2, 3, 2, 1],
        [4, Decimal("4.5"), 0, 0, 0, 2, 2],
        [5, Decimal("3.0"), 1, 0, 2, 2, 0],
    ]
    assert by_key["satisfaction"].columns[2].kind is Kind.NUMBER
    assert by_key["help_needed"].rows[0][1:] == [8, 3, Rate(3, 8), 4, Rate(4, 8), 1, Rate(1, 8), 2, Rate(2, 8)]


def _region(page: str, title: str) -> str:
    """The HTML of the dashboard table with this title."""
    start = page.index(f'aria-label="{title}"')
    return page[start : page.index("</table>", start)]


def _title(msgid: str) -> str:
    with translation.override("id"):
        return gettext(msgid)


def test_the_dashboard_shows_them_with_their_denominators(client, alumni):
    client.force_login(factories.OfficialFactory())
    page = client.get(reverse("dashboard:index")).content.decode()
    waiting = _region(page, _title("Waiting time to the first work after training"))
    assert ">11<" in waiting and ">92<" in waiting
    assert waiting.count("36,4% dari 11") == 2 and "18,2% dari 11" in waiting and "9,1% dari 11" in waiting
    channels = _region(page, _title("Response rate by channel"))
    rows = channels.split("<tr>")[2:]
    assert ">3 bulan<" in rows[0] and "57,1% dari 7" in rows[0] and "66,7% dari 6" in rows[0]
    assert "64,3% dari 14" in rows[0]
    assert "66,7% dari 3" in rows[1] and "100,0% dari 3" in rows[1] and "38,5% dari 13" in rows[1]
    assert "75,0% dari 4" in rows[2] and "46,2% dari 13" in rows[2]
    satisfaction = _region(page, _title("Satisfaction with the training"))
    three, six, twelve = satisfaction.split("<tr>")[2:]
    assert '<td class="text-end text-nowrap">3,3</td>' in three and ">8<" in three
    assert '<td class="text-end text-nowrap">3,0</td>' in twelve
    # Round 6: 4 answers, fewer than 5: their counts only, no mean.
    assert six.count("&lt; 5") == 6 and "4,5" not in six and ">–<" in six  # n and every score
    helps = _region(page, _title("What alumni say would help"))
    assert all(f"{share} dari 8" in helps for share in ("37,5%", "50,0%", "12,5%", "25,0%"))
    assert "40,0% dari 5" in helps  # tools and internship at 12 months
    assert reverse("dashboard:indicators") + "#waiting-time" in page
    assert reverse("dashboard:indicators") + "#response-by-channel" in page
    definitions = client.get(reverse("dashboard:indicators")).content.decode()
    for anchor in ("waiting-time", "response-by-channel", "satisfaction", "help-needed"):
        assert f'id="{anchor}"' in definitions


def test_the_print_view_and_the_csv_have_them(client, alumni):
    client.force_login(factories.OfficialFactory())
    printed = client.get(reverse("dashboard:print")).content.decode()
    assert f"<h2>{_title('Response rate by channel')}</h2>" in printed
    assert '<td class="n">3,3</td>' in printed and '<td class="n">92</td>' in printed
    response = client.get(reverse("dashboard:export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    start = rows.index([_title("Satisfaction with the training")])
    assert rows[start + 2][:3] == ["3 bulan", "8", "3,3"]
    assert rows[start + 3][1:] == ["< 5", "", "< 5", "< 5", "< 5", "< 5", "< 5"]
    waiting = rows[rows.index([_title("Waiting time to the first work after training")]) + 2]
    assert waiting[1:5] == ["11", "92", "36,4%", "11"]


def test_a_small_selection_shows_counts_only(client, alumni):
    """Provider B: 5 completers, 3 with a known first work: the waiting time shows its count only."""
    client.force_login(factories.OfficialFactory())
    page = client.get(reverse("dashboard:index"), {"provider": alumni["providers"]["B"].pk}).content.decode()
    waiting = _region(page, _title("Waiting time to the first work after training"))
    cells = waiting.split("<tbody>")[1]
    assert cells.count("&lt; 5") == 1 and cells.count(">–<") == 5 and "%" not in cells


def _alumni(package, n):
    """n completers, each with a round-3 answer through the link, a score, help and a start date."""
    for i in range(n):
        enrollment = factories.EnrollmentFactory(package=package, status="completed")
        _answer(
            enrollment,
            3,
            OWN if i % 2 else EMPLOYED,
            SELF if i % 3 else CALL,
            satisfaction=i % 5 + 1,
            help_needed=["capital", "tools"][: i % 3],
            started=package.ends_on + datetime.timedelta(days=30 * i),
            sent=bool(i % 2),
        )


def test_the_new_indicators_take_a_fixed_number_of_queries(client, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    package = factories.TrainingPackageFactory(
        status="completed", starts_on=add_months(today, -15), ends_on=add_months(today, -14)
    )
    _alumni(package, 6)

    def count():
        with CaptureQueriesContext(connection) as queries:
            indicators.waiting_time(Filters())
            indicators.follow_up_answers(Filters(), today)
        return len(queries)

    # One statement each (reports/one_pass.py): the waiting time with its median, the answers with the links.
    assert count() == 2
    client.force_login(factories.OfficialFactory())
    url = reverse("dashboard:index")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed writes: the cached figures go
        _alumni(package, 60)
    assert count() == 2
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200 and len(many) == len(few)
    assert ">66<" in _region(page.content.decode(), _title("Waiting time to the first work after training"))
