"""Browser tests drive the system Chromium with Playwright (its own browser download cannot work here)."""

import os
import select
import shutil
import threading
import time

import pytest

from tests.browser.server import ONE_AT_A_TIME

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but Chromium is not at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 390 x 844, as operators use it in class."""
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "id-ID"}


@pytest.fixture(autouse=True)
def _fail_fast(page, reference_data):
    """Ten seconds is plenty on localhost; a missing element should not stall the suite."""
    page.set_default_timeout(10_000)


@pytest.fixture(scope="session")
def _requests_in_flight(live_server):
    """Serve one request at a time, and count them from the moment the server takes one off its
    socket to the end of its thread.

    The server is one for the whole session and answers each connection in a thread of its own; two
    requests at once (a page and the service worker keeping the marking pages) must not share
    SQLite's one in-memory connection (tests/browser/server.py). The count lets a test's end wait
    for what a page's scripts were still asking, before the database is emptied."""
    httpd = live_server.thread.httpd
    idle = threading.Condition()
    count = [0]
    get_request, accept, serve = httpd.get_request, httpd.process_request, httpd.process_request_thread
    app, served = httpd.get_app(), []

    def counted_get_request():
        # Counted before it is taken off the listening socket (the server's thread calls this only
        # when the socket has one waiting): there is no moment when a connection is neither in the
        # socket's queue nor counted. Taken off outside the lock, which the teardown waits on.
        with idle:
            count[0] += 1
        try:
            return get_request()
        except BaseException:
            with idle:
                count[0] -= 1
                idle.notify_all()
            raise

    def counted_accept(request, client_address):
        try:
            accept(request, client_address)
        except BaseException:
            with idle:
                count[0] -= 1
                idle.notify_all()
            raise

    def counted_serve(request, client_address):
        try:
            serve(request, client_address)
        finally:
            with idle:
                count[0] -= 1
                idle.notify_all()

    def serialised_app(environ, start_response):
        with ONE_AT_A_TIME:
            served.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
            result = app(environ, start_response)
            try:
                return [b"".join(result)]  # a streamed body reads the database too: read it here
            finally:
                if hasattr(result, "close"):
                    result.close()

    httpd.get_request, httpd.process_request = counted_get_request, counted_accept
    httpd.process_request_thread = counted_serve
    httpd.set_app(serialised_app)
    return httpd, idle, count, served


@pytest.fixture
def served_requests(_requests_in_flight):
    """What the live server is asked from now on, as (method, path), in the order it answers."""
    served = _requests_in_flight[3]
    with ONE_AT_A_TIME:
        served.clear()
    return served


@pytest.fixture(autouse=True)
def _quiet_server_before_the_flush(_live_server_helper, _requests_in_flight, page, browser):
    """After each test, before its database is emptied: close every browser context (no page or
    service worker asks anything more), then wait until the server has answered what it was asked,
    including a connection still waiting in the listening socket's queue."""
    yield
    for context in list(browser.contexts):
        context.close()
    httpd, idle, count, _ = _requests_in_flight
    deadline = time.monotonic() + 10
    with idle:
        while time.monotonic() < deadline:
            if count[0] > 0:
                idle.wait(0.1)
            elif select.select([httpd.socket], [], [], 0)[0]:
                idle.wait(0.05)  # accepted on the server's own thread in a moment
            else:
                break
        waiting = select.select([httpd.socket], [], [], 0)[0]
        assert count[0] == 0 and not waiting, f"the live server still answers {count[0]} request(s) after ten seconds"
