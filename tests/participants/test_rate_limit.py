"""The registration rate limit counts every post, also when posts arrive at the same moment."""

import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from participants.views.public import _rate_limited
from tests import factories

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}


def _post(address="203.0.113.7"):
    return RequestFactory().post("/pelatihan/", REMOTE_ADDR=address)


@pytest.mark.parametrize("posts", [1, 5, 12])
def test_every_post_counts_once(settings, posts):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REGISTRATION_RATE_LIMIT = (posts, 3600)
    assert [_rate_limited(_post()) for _ in range(posts)] == [False] * posts
    assert _rate_limited(_post()) is True  # the limit was reached by exactly `posts` posts
    assert _rate_limited(_post("203.0.113.8")) is False  # another address has its own count


@pytest.mark.django_db
def test_every_post_counts_once_in_the_database_cache(settings):
    settings.CACHES = DATABASE_CACHE
    settings.REGISTRATION_RATE_LIMIT = (3, 3600)
    assert [_rate_limited(_post()) for _ in range(4)] == [False, False, False, True]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database locks whole tables: concurrent writers fail instead of racing",
)
@pytest.mark.django_db(transaction=True)
def test_twenty_posts_at_once_let_through_no_more_than_the_limit(settings, reference_data):
    settings.CACHES = DATABASE_CACHE
    settings.REGISTRATION_RATE_LIMIT = (5, 3600)
    package = factories.TrainingPackageFactory(
        status="open", cohort=factories.CohortFactory(registration_opens=None, registration_closes=None)
    )
    url = reverse("public:register", args=[package.pk])
    barrier = threading.Barrier(20)
    statuses = []

    def post():
        try:
            client = Client()
            barrier.wait()
            statuses.append(client.post(url, {}).status_code)  # an empty form: only the limit matters here
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 20
    assert statuses.count(429) == 15, statuses


@pytest.mark.django_db
def test_status_lookups_count_in_the_database_cache_without_the_address_or_the_receipt(client, settings):
    settings.CACHES = DATABASE_CACHE
    settings.STATUS_LOOKUP_RATE_LIMIT = {"client": 2, "receipt": 50, "seconds": 3600}
    data = {"receipt_number": "2026-ABCDEF", "birth_date": "1999-03-14"}
    statuses = [client.post(reverse("public:status"), data).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM django_cache WHERE cache_key LIKE %s", ["%status-lookup%"])
        keys = [row[0] for row in cursor.fetchall()]
    # Both counts are claimed on every lookup: the connection's two places (its limit), the receipt's three.
    assert sorted(key.split(":")[2] for key in keys) == ["status-lookup-client"] * 2 + ["status-lookup-receipt"] * 3
    assert not any("127.0.0.1" in key or "ABCDEF" in key for key in keys)
