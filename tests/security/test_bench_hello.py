"""The benchmark's JSON baseline is the benchmark's own URL: the app never serves /api/hello/."""

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_the_app_does_not_serve_the_hello_endpoint(client):
    assert client.get("/api/hello/").status_code == 404


@pytest.mark.django_db
def test_the_benchmark_serves_its_baseline_without_the_database(client, django_assert_num_queries):
    with override_settings(ROOT_URLCONF="bench.urls"), django_assert_num_queries(0):
        response = client.get("/api/hello/")
    assert response.json() == {"hello": "world"}
