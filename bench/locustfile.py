"""The load test's people (run by bench/loadtest.py, which writes the plan in LOAD_PLAN).

Exactly ten officials read the dashboard and one dinas clerk records a follow-up every 2 s, each
save a change the dashboard counts; of the others, three in four are operators marking a class on
their phones and one in four dinas staff searching for participants. Each starts logged in.
"""

import itertools
import json
import os
import random
from html.parser import HTMLParser

from locust import HttpUser, between, constant_pacing, task

with open(os.environ["LOAD_PLAN"]) as plan_file:
    PLAN = json.load(plan_file)
_operators = itertools.cycle(PLAN["operators"])
_officials = itertools.cycle(PLAN["officials"])
_staff = itertools.cycle(PLAN["staff"])
STATUSES = ["present", "sick", "excused", "present", "absent"]


class LoggedIn(HttpUser):
    abstract = True

    def log_in(self, session_key):
        self.client.cookies.set(PLAN["session_cookie"], session_key)

    def expect(self, method, url, name, **kwargs):
        """A request that counts as failed unless it answers 200 itself (a redirect to the login fails)."""
        with self.client.request(method, url, name=name, allow_redirects=False, catch_response=True, **kwargs) as r:
            if r.status_code != 200:
                r.failure(_failed(r))


def _failed(response) -> str:
    """What went wrong, for locust's failure lines: the status and where it sent, or why nothing came."""
    if response.status_code == 0:
        return f"no response: {response.error!r}"
    return f"{response.status_code} {response.headers.get('Location', '')}"


class Operator(LoggedIn):
    weight = 3
    wait_time = between(1, 3)  # a tap every one to three seconds

    def on_start(self):
        self.plan = next(_operators)
        self.log_in(self.plan["cookie"])
        self.open_marking_page()

    def open_marking_page(self):
        self.expect("GET", self.plan["marking"], "marking page")

    @task(10)
    def tap(self):
        mark = random.choice(self.plan["marks"])
        self.expect(
            "POST",
            mark["url"],
            "save a mark",
            data={mark["field"]: random.choice(STATUSES)},
            headers={"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")},
        )

    @task(1)
    def roster(self):
        self.expect("GET", self.plan["roster"], "roster")

    @task(1)
    def reopen(self):
        self.open_marking_page()


class Official(LoggedIn):
    fixed_count = 10
    wait_time = between(2, 6)  # reads the figures before choosing other filters

    def on_start(self):
        self.log_in(next(_officials))

    @task
    def dashboard(self):
        self.expect("GET", PLAN["dashboard"], "dashboard", params=random.choice(PLAN["dashboard_filters"]))


class Staff(LoggedIn):
    weight = 1
    wait_time = between(1, 4)

    def on_start(self):
        self.log_in(next(_staff))

    @task
    def search(self):
        self.expect("GET", PLAN["search"], "participant search", params={"q": random.choice(PLAN["search_terms"])})


class Writer(LoggedIn):
    """A dinas clerk working down the call list: opens a completer's follow-up form and saves the
    answer it shows (as after a call), one follow-up every 2 s. The save answers with a redirect to
    the list, which is not followed: the clerk goes on to the next form, whose page shows the
    "saved" message (at province size the list takes over a second, and would hold the pace down)."""

    fixed_count = 1
    wait_time = constant_pacing(2)

    def on_start(self):
        self.log_in(PLAN["writer"]["cookie"])
        self.forms = itertools.cycle(PLAN["writer"]["forms"])

    @task
    def record(self):
        url = next(self.forms)
        with self.client.get(url, name="follow-up form", allow_redirects=False, catch_response=True) as page:
            fields = form_fields(page.text, "status") if page.status_code == 200 else []
            if not fields:
                page.failure(
                    f"no follow-up form: {page.status_code} {page.headers.get('Location', '')} {page.error or ''}"
                )
        if not fields:
            return
        with self.client.post(
            url, data=fields, name="record a follow-up", allow_redirects=False, catch_response=True
        ) as saved:
            if saved.status_code != 302 or saved.headers.get("Location") != PLAN["writer"]["saved"]:
                saved.failure(f"not saved: {_failed(saved)}")


def form_fields(html: str, field: str) -> list[tuple[str, str]]:
    """What a browser submits from the page's form that has `field`: its inputs as they stand."""
    parser = _FormParser()
    parser.feed(html)
    return next((form for form in parser.forms if any(name == field for name, _value in form)), [])


class _FormParser(HTMLParser):
    """The fields of each form: text-like inputs, checked boxes and radios, textareas, selected options
    (the first option when none is marked selected, as a browser does)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = []
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "reset", "file", "image"):
                self._form.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._form.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] if self._select["selected"] is not None else self._select["first"]
            if chosen is not None:
                self._form.append((self._select["name"], chosen))
            self._select = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None
