"""API routes of declarations (mounted under /api/ by transit_monitor/urls.py)."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("declarations", api.DeclarationViewSet, basename="api-declaration")
router.register("offices", api.OfficeViewSet, basename="api-office")
router.register("vehicles", api.VehicleViewSet, basename="api-vehicle")
router.register("permits", api.PermitViewSet, basename="api-permit")

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
