"""``/api/schema/`` asked for by several clients at once, before anything has loaded the schema's extensions.

drf-spectacular loads each extension's target class on first use; two threads doing so at once for a library
that is not installed made one of them fail with a 500 (found with 8 concurrent first requests to a fresh
``make run``: 7 answered 500).
"""

from __future__ import annotations

import threading
import urllib.request

import pytest
from drf_spectacular.plumbing import OpenApiGeneratorExtension

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_first_requests_for_the_schema_all_get_it(live_server, hq, api_token_for, monkeypatch):
    # As before the first schema: every extension whose library is absent is unloaded again (a module path
    # that does not import), so each request has to load it.
    for extension in list(OpenApiGeneratorExtension._registry):
        if extension.target_class is None:
            monkeypatch.setattr(extension, "target_class", "absent_library_for_the_test.fields.Field")
    token = api_token_for(hq)
    statuses: list[int] = []

    def fetch() -> None:
        request = urllib.request.Request(f"{live_server.url}/api/schema/", headers={"Authorization": f"Token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
