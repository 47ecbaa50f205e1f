"""The project's URLs plus the benchmark's baseline, ``/api/hello/``: never served by the app itself.

``bench/wsgi_timed.py`` (what ``bench/dashboard.py`` runs under gunicorn) points Django at this
module, so the baseline goes through the same middleware as the pages it is compared with.
"""

from django.http import JsonResponse
from django.urls import path

from transit_monitor.urls import urlpatterns as project_urlpatterns


def hello(request):
    """Plain JSON baseline for the dashboard benchmark: no database, no session."""
    return JsonResponse({"hello": "world"})


urlpatterns = [path("api/hello/", hello, name="api-hello"), *project_urlpatterns]

handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
