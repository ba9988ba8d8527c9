"""axe-core (from npm, node_modules/axe-core) on every page of every role, at 390 and 1280 px: no
serious or critical violation of WCAG 2.1 A/AA."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import a_city_for_every_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [390, 1280]
RUN = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


@pytest.fixture
def world(reference_data):
    city = a_city_for_every_page(tag="a11y")
    return {**city, "package": city["open"], "users": {role: city[role] for role in ("operator", "official", "staff")}}


def pages(world):
    running, session = world["running"], world["session"]
    return [
        (None, reverse("login")),
        (None, reverse("password_reset")),
        (None, reverse("public:package-list")),
        (None, reverse("public:register", args=[world["package"].pk])),
        (None, reverse("public:status")),
        (None, reverse("public:announcement-list")),
        (None, reverse("public:announcement", args=[world["announced"].pk])),
        ("operator", reverse("provider:package-list")),
        ("operator", reverse("provider:package-detail", args=[running.pk])),
        ("operator", reverse("provider:session-attendance", args=[session.pk])),
        ("operator", reverse("provider:package-results", args=[running.pk])),
        ("operator", reverse("provider:package-attendance-sheet", args=[running.pk])),
        ("operator", reverse("account")),
        ("official", reverse("dashboard:index")),
        ("official", reverse("dashboard:indicators")),
        ("official", reverse("dashboard:print")),
        ("staff", reverse("intake:package-enrollment", args=[running.pk])),
        ("staff", reverse("intake:import-upload")),
        ("staff", reverse("intake:selection", args=[world["package"].pk])),
        ("staff", reverse("intake:selection-import", args=[world["package"].pk])),
        ("staff", reverse("intake:followup-list")),
        ("staff", reverse("intake:followup-record", args=[world["completed"].pk, 3])),
        ("staff", "/admin/"),
        ("staff", reverse("admin:programs_trainingpackage_change", args=[running.pk])),
        ("staff", reverse("password_change")),
    ]


def signed_in(browser, live_server, user, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900}, locale="id-ID")
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


def audit(page):
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_violation_on_any_page(browser, live_server, world, width):
    found = {}
    contexts = {}
    for role, url in pages(world):
        if role not in contexts:
            user = world["users"][role] if role else None
            contexts[role] = signed_in(browser, live_server, user, width)
        page = contexts[role].new_page()
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (role, url, response.status)
        violations = audit(page)
        if url == reverse("public:register", args=[world["package"].pk]):
            # and its error state: the form sent empty
            page.locator("form[method=post] [type=submit]").last.click()
            page.wait_for_load_state()
            violations += audit(page)
        if violations:
            found[f"{role or 'anonymous'} {url}"] = violations
        page.close()
    for context in contexts.values():
        context.close()
    assert not found, "\n".join(
        f"{where}: {v['id']} ({v['impact']}): {v['help']}\n      " + "\n      ".join(v["nodes"])
        for where, violations in found.items()
        for v in violations
    )
