"""The marking page cannot misfire: Enter, "Semua hadir", slow taps, failures, focus; at 390 and 1280 px."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Attendance
from tests.browser.server import ONE_AT_A_TIME
from tests.browser.test_login import log_in
from tests.factories import (
    EnrollmentFactory,
    OperatorFactory,
    ParticipantFactory,
    ProviderFactory,
    SessionFactory,
    TrainingPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [
    pytest.param({"width": 390, "height": 844}, id="390"),
    pytest.param({"width": 1280, "height": 800}, id="1280"),
]
NAMES = [
    "Ahmad Fauzi",
    "Bayu Saputra",
    "Citra Lestari",
    "Dewi Anggraini",
    "Eko Prasetyo",
    "Fitri Handayani",
    "Gilang Ramadhan",
    "Hana Pertiwi",
    "Indra Gunawan",
    "Joko Susilo",
    "Kartika Sari",
    "Lukman Hakim",
    "Maya Safitri",
    "Nur Aini",
]


@pytest.fixture
def marking(page, live_server):
    """Fourteen people at today's meeting, the operator on its marking page; returns helpers."""
    today = timezone.localdate()
    operator = OperatorFactory(username="operator-blk")
    package = TrainingPackageFactory(
        code="BLK-07",
        provider=ProviderFactory(operators=[operator]),
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
        quota=20,
    )
    session = SessionFactory(package=package, date=today)
    people = {
        name: EnrollmentFactory(package=package, participant=ParticipantFactory(full_name=name)) for name in NAMES
    }
    log_in(page, live_server, "operator-blk")
    url = f"{live_server.url}/provider/sessions/{session.pk}/attendance/"
    page.goto(url)
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    return {"session": session, "people": people, "url": url, "dialogs": dialogs}


def _row(page, name):
    return page.locator("fieldset.att-row", has_text=name)


def _marks(session):
    with ONE_AT_A_TIME:  # the service worker may be fetching pages meanwhile
        return {
            name: (status, remark)
            for name, status, remark in Attendance.objects.filter(session=session).values_list(
                "enrollment__participant__full_name", "status", "remark"
            )
        }


def _tap(page, name, letter):
    """Tap H/I/S/A for one person and wait for the server's answer."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/attendance/" in r.url):
        _row(page, name).locator("label.btn", has_text=re.compile(rf"^{letter}")).click()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_enter_in_a_remark_field_saves_that_row_only(page, marking, viewport):
    page.set_viewport_size(viewport)
    page.evaluate("window.notReloaded = true")
    _tap(page, "Bayu Saputra", "S")
    remark = _row(page, "Bayu Saputra").get_by_placeholder(re.compile("Keterangan|Remark"))
    remark.fill("demam")
    with page.expect_response(lambda r: r.request.method == "POST" and "/attendance/" in r.url) as answer:
        remark.press("Enter")
    assert "all-present" not in answer.value.url
    expect(_row(page, "Bayu Saputra").locator(".att-state")).to_contain_text("operator-blk")
    # Enter again, and leaving the field: the remark is saved once, nothing else happens.
    remark = _row(page, "Bayu Saputra").get_by_placeholder(re.compile("Keterangan|Remark"))
    remark.press("Enter")
    # Enter on an H/I/S/A button of someone else, and in an unmarked person's remark: nothing is marked.
    _row(page, "Citra Lestari").locator("input[value=present]").focus()
    page.keyboard.press("Enter")
    _row(page, "Dewi Anggraini").get_by_placeholder(re.compile("Keterangan|Remark")).press("Enter")
    page.wait_for_timeout(500)
    assert page.evaluate("window.notReloaded") is True  # no form was submitted
    assert marking["dialogs"] == []  # "Semua hadir" never asked
    assert _marks(marking["session"]) == {"Bayu Saputra": ("sick", "demam")}
    assert Attendance.history.count() == 2  # the tap, then the remark
    expect(page.locator(".att-row.att-unmarked")).to_have_count(13)
    page.screenshot(path=f"/tmp/marking/enter-{viewport['width']}.png", full_page=True)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_all_present_asks_how_many_and_marks_only_after_confirmation(page, marking, viewport):
    page.set_viewport_size(viewport)
    _tap(page, "Ahmad Fauzi", "S")
    _tap(page, "Nur Aini", "A")
    button = page.get_by_role("button", name=re.compile("Semua hadir"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    page.wait_for_timeout(300)
    assert len(marking["dialogs"]) == 1 and re.search(r"\b12\b", marking["dialogs"][0])
    assert len(_marks(marking["session"])) == 2  # cancelled: nobody marked

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: "all-present" in r.url):
        button.click()
    assert re.search(r"\b12\b", marking["dialogs"][1])
    expect(page.locator("#all-present-status .alert-success")).to_contain_text("12")
    expect(page.locator("#marked-count")).to_contain_text("14")
    expect(page.locator(".att-row.att-unmarked")).to_have_count(0)
    marks = _marks(marking["session"])
    assert marks.pop("Ahmad Fauzi") == ("sick", "") and marks.pop("Nur Aini") == ("absent", "")
    assert set(marks) == set(NAMES) - {"Ahmad Fauzi", "Nur Aini"}
    assert {status for status, _ in marks.values()} == {"present"}
    page.screenshot(path=f"/tmp/marking/all-present-{viewport['width']}.png", full_page=True)

    # Everyone is marked now: it asks nothing and marks nothing.
    button.click()
    expect(page.locator("#all-present-status .alert-info")).to_be_visible()
    assert len(marking["dialogs"]) == 2


@pytest.mark.parametrize("viewport", WIDTHS)
def test_on_a_slow_connection_the_last_tap_wins_on_the_server(page, marking, viewport):
    page.set_viewport_size(viewport)
    eid = marking["people"]["Eko Prasetyo"].pk
    held, sent = [], []

    def slow_first(route):
        sent.append(route.request.post_data)
        if not held:
            held.append(route)  # the first tap hangs on a weak signal
        else:
            route.continue_()

    page.route(re.compile(rf"/attendance/{eid}/$"), slow_first)
    row = _row(page, "Eko Prasetyo")
    row.locator("label.btn", has_text=re.compile("^A")).click()
    row.locator("label.btn", has_text=re.compile("^I")).click()
    expect(row).to_have_class(re.compile("att-saving"))
    expect(row.locator(".att-state")).not_to_be_empty()
    page.screenshot(path=f"/tmp/marking/saving-{viewport['width']}.png")
    page.wait_for_timeout(300)
    assert len(sent) == 1  # I waits for A's answer: taps on one person go out in order
    with page.expect_response(lambda r: r.request.post_data and "excused" in r.request.post_data):
        held[0].continue_()
    expect(_row(page, "Eko Prasetyo")).not_to_have_class(re.compile("att-saving"))
    expect(_row(page, "Eko Prasetyo").locator("input[value=excused]")).to_be_checked()
    assert _marks(marking["session"]) == {"Eko Prasetyo": ("excused", "")}
    assert list(Attendance.history.values_list("status", flat=True).order_by("history_date")) == [
        "absent",
        "excused",
    ]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_failures_say_so_on_the_row_and_on_all_present(page, marking, viewport):
    """A server that fails (not a missing signal: that keeps the tap, tests/browser/test_marking_offline.py)."""
    page.set_viewport_size(viewport)
    page.route(re.compile(r"/attendance/"), lambda route: route.fulfill(status=502, body="Bad Gateway"))
    row = _row(page, "Fitri Handayani")
    row.locator("label.btn", has_text=re.compile("^H")).click()
    expect(row).to_have_class(re.compile("att-unsaved"))
    expect(row.locator(".att-error")).not_to_be_empty()
    expect(row.locator("input[value=present]")).not_to_be_checked()  # not shown as saved
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Semua hadir")).click()
    failure = page.locator("#all-present-status .alert-danger")
    expect(failure).to_be_visible()
    assert page.locator("#all-present-status").get_attribute("aria-live") == "polite"
    assert failure.get_attribute("role") == "alert"
    assert re.search(r"\b14\b", marking["dialogs"][0])  # the failed row still counts as unmarked
    page.screenshot(path=f"/tmp/marking/failed-{viewport['width']}.png", full_page=True)
    with ONE_AT_A_TIME:
        assert not Attendance.objects.exists()

    # The connection drops instead: the tap is kept on the phone, to be sent later.
    page.unroute(re.compile(r"/attendance/"))
    page.route(re.compile(r"/attendance/"), lambda route: route.abort("internetdisconnected"))
    row.locator("label.btn", has_text=re.compile("^S")).click()
    expect(row).to_have_class(re.compile("att-queued"))
    expect(row.locator("input[value=sick]")).to_be_checked()
    expect(page.locator("#unsent-count")).to_be_visible()


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _rgb(css):
    return [int(v) for v in re.findall(r"\d+", css)[:3]]


def _contrast(first, second):
    light, dark = sorted((_luminance(_rgb(first)), _luminance(_rgb(second))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_focus_ring_shows_and_the_sticky_counter_never_covers_the_focused_field(page, marking, viewport):
    page.set_viewport_size(viewport)
    page.get_by_role("button", name=re.compile("Semua hadir")).focus()
    page.keyboard.press("Tab")  # onto the first person's H/I/S/A
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("st-")
    label = page.locator(f"label[for={focused}]")
    style = label.evaluate(
        "l => { const s = getComputedStyle(l); return [s.outlineStyle, s.outlineWidth, s.outlineColor] }"
    )
    card = label.evaluate("l => getComputedStyle(l.closest('.att-row')).backgroundColor")
    assert style[0] == "solid" and float(style[1].rstrip("px")) >= 2
    assert _contrast(style[2], card) >= 3, (style, card)
    label.locator("xpath=ancestor::fieldset").screenshot(path=f"/tmp/marking/focus-{viewport['width']}.png")
    page.keyboard.press("Tab")  # on to the remark
    remark = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.type, s.outlineStyle, s.outlineColor] })()"
    )
    assert remark[:2] == ["text", "solid"] and _contrast(remark[2], card) >= 3, remark

    # Tab back up the list from the bottom: each focused field stays clear of the sticky counter.
    page.locator(".att-row input[type=text]").last.focus()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    counter = page.locator(".att-counter")
    for _ in range(len(NAMES) * 2 - 1):
        page.keyboard.press("Shift+Tab")
        box = page.evaluate(
            """() => {
                const el = document.activeElement;
                // H/I/S/A: the whole row, with the person's name; a remark: the field.
                const shown = el.type === 'radio' ? el.closest('.att-row') : el;
                const r = shown.getBoundingClientRect();
                return {top: r.top, bottom: r.bottom, id: el.id};
            }"""
        )
        bar = counter.bounding_box()
        assert box["top"] >= bar["y"] + bar["height"] - 1 or box["bottom"] <= bar["y"], (box, bar)
    page.screenshot(path=f"/tmp/marking/tab-back-{viewport['width']}.png")
    # Nothing on the marking page itself spills over the side.
    assert (
        page.evaluate("Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right))")
        <= viewport["width"]
    )


@pytest.mark.parametrize("viewport", WIDTHS)
def test_without_javascript_enter_saves_the_chosen_marks_and_all_present_asks_first(
    browser, live_server, marking, viewport
):
    context = browser.new_context(java_script_enabled=False, viewport=viewport, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "operator-blk")
    page.goto(marking["url"])
    _row(page, "Gilang Ramadhan").locator("label.btn", has_text=re.compile("^I")).click()
    remark = _row(page, "Gilang Ramadhan").get_by_placeholder(re.compile("Keterangan|Remark"))
    remark.fill("kondangan")
    with page.expect_navigation():
        remark.press("Enter")  # the form's default button: save marks, not "Semua hadir"
    assert _marks(marking["session"]) == {"Gilang Ramadhan": ("excused", "kondangan")}

    page.get_by_role("button", name=re.compile("Semua hadir")).click()
    expect(page.locator("main ul li")).to_have_count(13)  # who will be marked, listed by name
    assert re.search(r"\b13\b", page.locator("main p.fs-5").inner_text())
    assert len(_marks(marking["session"])) == 1  # asked, nothing marked yet
    page.screenshot(path=f"/tmp/marking/nojs-confirm-{viewport['width']}.png", full_page=True)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#marked-count")).to_contain_text("14")
    marks = _marks(marking["session"])
    assert marks.pop("Gilang Ramadhan") == ("excused", "kondangan")
    assert len(marks) == 13 and {status for status, _ in marks.values()} == {"present"}
    context.close()
