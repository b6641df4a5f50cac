from __future__ import annotations

import jsonschema
import pytest

from devussy.web.openapi import build_openapi
from devussy.web.routes import ROUTES
from tests.web import samples


def test_every_route_is_documented_and_nothing_else() -> None:
    document = build_openapi()
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    assert documented == {(route.path, route.method) for route in ROUTES}


def test_every_reference_resolves() -> None:
    document = build_openapi()
    schemas = document["components"]["schemas"]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                assert ref.removeprefix("#/components/schemas/") in schemas, ref
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def _validator(name: str) -> jsonschema.protocols.Validator:
    document = build_openapi()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        (
            "DetailRequest",
            {"plan": samples.plan().to_json_dict(), "phaseNumber": 2, "modelConfig": {"maxTokens": 5}},
        ),
        ("DesignRequest", {"projectName": "x", "requirements": "y", "apis": ["Stripe"]}),
        (
            "PhaseDone",
            {
                "type": "done",
                "done": True,
                "phase": samples.phase(2, steps=1).to_json_dict(),
                "usage": {"promptTokens": 1, "completionTokens": 2},
            },
        ),
        ("ErrorResponse", {"error": "x", "code": "invalid_json"}),
    ],
)
def test_schemas_accept_what_the_code_sends_and_takes(name: str, instance: dict[str, object]) -> None:
    _validator(name).validate(instance)


def test_the_artifacts_endpoint_documents_zip_and_json() -> None:
    operation = build_openapi()["paths"]["/api/artifacts"]["post"]
    assert set(operation["responses"]["200"]["content"]) == {"application/zip", "application/json"}
    assert operation["parameters"][0]["name"] == "format"
    detail = build_openapi()["paths"]["/api/plan/detail"]["post"]["responses"]
    assert {"400", "401", "404", "413", "415", "422"} <= set(detail)
