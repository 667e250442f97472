import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_is_valid_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert text.startswith("openapi: 3.")
    for path in ["/api/v1/me/", "/api/v1/members/", "/api/v1/members/{id}/"]:
        assert f"{path}:" in text
    assert "tokenAuth" in text


@pytest.mark.django_db
def test_the_interactive_docs_load_only_local_assets(client):
    from tests.conftest import signed_in_client
    from tests.factories import MembershipFactory

    page = signed_in_client(MembershipFactory()).get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, "the docs page loads no assets at all"
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
    assert any("swagger-ui" in s for s in sources)


@pytest.mark.django_db
def test_every_operation_documents_its_error_answers_in_the_one_shape(client):
    schema = client.get("/api/schema/?format=json").json()

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            for status in ("400", "401", "403", "429"):
                assert answers[status]["content"] == error, (method, path, status)
            if "{id}" in path:
                assert "404" in answers, (method, path)
            if "requestBody" in operation:
                assert "415" in answers, (method, path)
    assert "404" in schema["paths"]["/api/v1/leads/"]["get"]["responses"]  # a page past the end
    assert "404" not in schema["paths"]["/api/v1/me/"]["get"]["responses"]
