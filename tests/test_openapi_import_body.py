"""The import's body was described in the schema as «array of object»: an integrator could not learn the
record's fields from /api/docs/. It is an array of ``ImportRecordIn`` (the registration's fields, goods
nested, and the status ICS gives)."""

from drf_spectacular.generators import SchemaGenerator


def test_the_import_body_names_the_record_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/declarations/import/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array" and body["items"]["$ref"].endswith("/ImportRecordIn")
    record = schema["components"]["schemas"]["ImportRecordIn"]
    for field in ("serial", "declared_at", "origin", "destination", "plate", "goods", "status", "unsettled_reason"):
        assert field in record["properties"], field
    assert {"serial", "origin", "destination", "goods"} <= set(record["required"])
