"""The OpenAPI schema is generated once per process, not on every request (it takes seconds)."""

from drf_spectacular.generators import SchemaGenerator

from config.schema_view import SchemaView


def test_two_requests_for_the_schema_generate_it_once(client, db, monkeypatch):
    calls = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    monkeypatch.setattr(SchemaView, "_schemas", {})

    first = client.get("/api/v1/schema/?format=json")
    second = client.get("/api/v1/schema/?format=json")

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(calls) == 1
    assert second.json() == first.json() and "/api/v1/cards/" in second.json()["paths"]


def test_the_yaml_schema_comes_from_the_same_generation(client, db, monkeypatch):
    monkeypatch.setattr(SchemaView, "_schemas", {})
    client.get("/api/v1/schema/?format=json")
    monkeypatch.setattr(SchemaGenerator, "get_schema", None)  # generating again would fail

    response = client.get("/api/v1/schema/")

    assert response.status_code == 200 and b"openapi: 3" in response.content
