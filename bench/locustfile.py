"""The load test's people (run by bench/loadtest.py, which writes the plan in LOAD_PLAN).

Three in five are operators marking a class on their phones, one in five officials reading the
dashboard, one in five dinas staff searching for participants. Each starts logged in.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
_operators = itertools.cycle(PLAN["operators"])
_officials = itertools.cycle(PLAN["officials"])
_staff = itertools.cycle(PLAN["staff"])
STATUSES = ["present", "sick", "excused", "present", "absent"]


class LoggedIn(HttpUser):
    abstract = True

    def log_in(self, session_key):
        self.client.cookies.set(PLAN["session_cookie"], session_key)


class Operator(LoggedIn):
    weight = 3
    wait_time = between(1, 3)  # a tap every one to three seconds

    def on_start(self):
        self.plan = next(_operators)
        self.log_in(self.plan["cookie"])
        self.open_marking_page()

    def open_marking_page(self):
        self.client.get(self.plan["marking"], name="marking page")

    @task(10)
    def tap(self):
        mark = random.choice(self.plan["marks"])
        self.client.post(
            mark["url"],
            {mark["field"]: random.choice(STATUSES)},
            headers={"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name="save a mark",
        )

    @task(1)
    def roster(self):
        self.client.get(self.plan["roster"], name="roster")

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
        self.client.get(PLAN["dashboard"], params=random.choice(PLAN["dashboard_filters"]), name="dashboard")


class Staff(LoggedIn):
    weight = 1
    wait_time = between(1, 4)

    def on_start(self):
        self.log_in(next(_staff))

    @task
    def search(self):
        self.client.get(PLAN["search"], params={"q": random.choice(PLAN["search_terms"])}, name="participant search")
