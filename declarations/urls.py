from django.urls import path

from . import (
    exports,
    views,
    views_actions,
    views_arrival_reads,
    views_import,
    views_permits,
    views_register,
    views_serials,
)

app_name = "declarations"
urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("export.csv", exports.export_csv, name="export-csv"),
    path("export.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("new/", views_register.declaration_register, name="register"),
    path("import/", views_import.import_upload, name="import"),
    path("import/template.<str:fmt>", views_import.import_template_file, name="import-template"),
    path("import/<int:pk>/", views_import.import_batch, name="import-batch"),
    path("import/<int:pk>/status/", views_import.import_status, name="import-status"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views_actions.declaration_action, name="action"),
    path("<int:pk>/arrival/evidence/", views.arrival_evidence, name="arrival-evidence"),
    path("<int:pk>/arrival/read-review/", views_arrival_reads.arrival_read_review, name="arrival-read-review"),
    path("<int:pk>/permit/", views_permits.permit_new, name="permit-new"),
    path("permits/", views_permits.permit_list, name="permits"),
    path("permits/<int:pk>/exit/", views_permits.permit_exit, name="permit-exit"),
    path("<int:pk>/serials/", views_serials.arrival_serials, name="arrival-serials"),
    path("<int:pk>/settlement-override/", views_serials.settlement_override, name="settlement-override"),
    path("<int:pk>/imei-check/", views_serials.imei_check, name="imei-check"),
    path("<int:pk>/transport-document/", views_serials.transport_document, name="transport-document"),
    path("discrepancies/<int:pk>/resolve/", views_serials.discrepancy_resolve, name="discrepancy-resolve"),
    path("transport-documents/import/", views_serials.transport_documents_import, name="transport-documents-import"),
    path("covered-goods/", views_serials.covered_goods, name="covered-goods"),
    path("covered-goods/<int:pk>/remove/", views_serials.covered_goods_remove, name="covered-goods-remove"),
    path("permits/<int:pk>/stop/", views_permits.permit_stop, name="permit-stop"),
    path("<int:pk>/permit/waive/", views_permits.permit_waive, name="permit-waive"),
    path("vehicles/", views.vehicle_search, name="vehicle-search"),
    path("persons/", views.person_search, name="person"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle"),
]
