"""The load test's people (run by bench/loadtest.py, which writes the plan in LOAD_PLAN).

Three in five are operators marking a class on their phones, one in five officials reading the
dashboard, one in five dinas staff searching for participants. Each starts logged in.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

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
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")


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
    weight = 1
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
