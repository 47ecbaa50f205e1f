"""API routes of declarations (mounted under /api/ by transit_monitor/urls.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.api import TokenObtainApi

from . import api

router = SimpleRouter()
router.register("declarations", api.DeclarationViewSet, basename="api-declaration")
router.register("offices", api.OfficeViewSet, basename="api-office")
router.register("vehicles", api.VehicleViewSet, basename="api-vehicle")
router.register("permits", api.PermitViewSet, basename="api-permit")
router.register("imports", api.ImportBatchViewSet, basename="api-import")

urlpatterns = [
    path("token/", TokenObtainApi.as_view(), name="api-token"),
    path("", include(router.urls)),
]
