from __future__ import annotations

import jsonschema
import pytest

from devussy.errors import ProviderError
from devussy.events import CoverageChecked
from devussy.requirements import check_coverage
from devussy.web.openapi import build_openapi
from devussy.web.routes import ROUTES
from tests import samples
from tests.web.helpers import call, load_api_handler
from tests.web.mock_engine import StageAnswers


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
                "requirements": [{"id": "R1", "text": "Track tasks", "kind": "feature", "source": "brief"}],
                "coverage": check_coverage(samples.plan()).to_json_dict(),
                "usage": {"promptTokens": 1, "completionTokens": 2},
            },
        ),
        (
            "ProgressEvent",
            CoverageChecked(coverage=check_coverage(samples.plan()), repaired=True, unresolved=["x"])
            .wire_json(),
        ),
        (
            "BasicPlanRequest",
            {
                "design": samples.design().to_json_dict(),
                "requirements": [{"id": "R1", "text": "Track tasks"}],
                "instruction": "Split phase 2",
                "previousPlan": samples.plan().to_json_dict(),
            },
        ),
        ("CoverageResponse", {"coverage": check_coverage(samples.plan()).to_json_dict()}),
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


def _stream_validator(path: str) -> jsonschema.protocols.Validator:
    document = build_openapi()
    schema = document["paths"][path]["post"]["responses"]["200"]["content"]["text/event-stream"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def test_streams_document_their_events_by_type_and_progress_by_event() -> None:
    document = build_openapi()
    schemas = document["components"]["schemas"]
    stream = document["paths"]["/api/plan/basic"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    members = [ref["$ref"].rsplit("/", 1)[1] for ref in stream["schema"]["oneOf"]]
    assert members == ["StartEvent", "TokenEvent", "ProgressEvent", "PlanDone", "ErrorEvent"]
    types = {name: schemas[name]["properties"]["type"]["const"] for name in members if "Progress" not in name}
    assert types == {"StartEvent": "start", "TokenEvent": "token", "PlanDone": "done", "ErrorEvent": "error"}
    progress = schemas["ProgressEvent"]
    assert progress["discriminator"]["propertyName"] == "event"
    assert set(progress["discriminator"]["mapping"]) == {"phase", "repair", "coverage"}
    assert schemas["StageName"]["enum"] == [
        "interview",
        "design",
        "design_review",
        "basic_plan",
        "phase_detail",
        "handoff",
    ]
    assert schemas["StageLabel"]["enum"] == ["interview", "design", "review", "plan", "detail", "handoff"]
    assert schemas["StartEvent"]["properties"]["stage"]["enum"] == schemas["StageLabel"]["enum"]
    providers = schemas["ModelsResponse"]["properties"]["providers"]
    assert providers["items"] == {"$ref": "#/components/schemas/ProviderInfo"}


@pytest.mark.parametrize(
    ("api_file", "path", "body"),
    [
        ("plan/basic.py", "/api/plan/basic", {"design": samples.design().to_json_dict()}),
        ("plan/detail.py", "/api/plan/detail", {"plan": samples.plan().to_json_dict(), "phaseNumber": 2}),
        ("interview.py", "/api/interview", {"userInput": "a todo app"}),
    ],
)
def test_every_event_a_stream_sends_matches_its_documented_schema(
    engine: StageAnswers, api_file: str, path: str, body: dict[str, object]
) -> None:
    engine.error = None
    events = call(load_api_handler(api_file), "POST", path, body).events
    validator = _stream_validator(path)
    assert {event.event for event in events} >= {"start", "token", "done"}
    for event in events:
        validator.validate(event.data)
    engine.error = ProviderError("upstream down", code="provider_unavailable")
    for event in call(load_api_handler(api_file), "POST", path, body).events:
        validator.validate(event.data)


def test_the_stream_schema_refuses_what_the_server_never_sends() -> None:
    validator = _stream_validator("/api/design")
    for wrong in (
        {"type": "progress", "event": "start"},  # a runner event, never streamed
        {"type": "done", "done": True, "usage": {"promptTokens": 1, "completionTokens": 1}},  # no design
        {"type": "start", "stage": "basic_plan"},  # the wire says "plan"
    ):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(wrong)
