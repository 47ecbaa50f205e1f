from django.urls import path

from . import exports, views, views_actions, views_import, views_permits, views_register

app_name = "declarations"
urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("export.csv", exports.export_csv, name="export-csv"),
    path("export.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("new/", views_register.declaration_register, name="register"),
    path("import/", views_import.import_upload, name="import"),
    path("import/template.<str:fmt>", views_import.import_template_file, name="import-template"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views_actions.declaration_action, name="action"),
    path("<int:pk>/arrival/evidence/", views.arrival_evidence, name="arrival-evidence"),
    path("<int:pk>/permit/", views_permits.permit_new, name="permit-new"),
    path("permits/", views_permits.permit_list, name="permits"),
    path("permits/<int:pk>/exit/", views_permits.permit_exit, name="permit-exit"),
    path("permits/<int:pk>/stop/", views_permits.permit_stop, name="permit-stop"),
    path("<int:pk>/permit/waive/", views_permits.permit_waive, name="permit-waive"),
    path("vehicles/", views.vehicle_search, name="vehicle-search"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle"),
]
