"""schemathesis against the OpenAPI document, over a real socket: no 5xx, no answer outside the schema.

Bounded: a fixed number of generated requests per operation, derandomized, no shrinking.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def schema(static_url: str) -> Any:
    import httpx
    import schemathesis

    httpx.post(f"{static_url}/v1/collections", json={"name": "docs"})
    document = {"id": "a", "text": "cats purr at night"}
    httpx.post(f"{static_url}/v1/collections/docs/documents", json={"documents": [document]})
    return schemathesis.openapi.from_url(f"{static_url}/openapi.json")


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_openapi_document_describes_every_route(schema) -> None:  # type: ignore[no-untyped-def]
    paths = set(schema.raw_schema["paths"])
    assert {"/v1/embeddings", "/v1/models", "/v1/rerank", "/tokenize", "/detokenize", "/health", "/ready"} <= paths
    assert {"/v1/collections/{name}/search", "/v1/collections/{name}/ask", "/metrics"} <= paths
    embeddings = schema.raw_schema["paths"]["/v1/embeddings"]["post"]
    assert set(embeddings["responses"]) >= {"200", "400", "401", "404", "413", "422"}
    error = schema.raw_schema["components"]["schemas"]["ErrorResponse"]
    assert error["examples"][0]["error"]["param"] == "input"


@pytest.mark.parametrize(("mode", "examples"), [("positive", 16), ("negative", 8)])
def test_generated_requests_get_no_5xx_and_conform_to_the_schema(schema, static_url: str, mode, examples) -> None:  # type: ignore[no-untyped-def]
    """Positive: valid requests per the schema; negative: requests that break it (all must be 4xx)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    checks, calls = _checks(), []
    if mode == "negative":
        from schemathesis.specs.openapi.checks import negative_data_rejection

        checks.append(negative_data_rejection)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(GenerationMode(mode)))
        def run(case: Any) -> None:
            if case.method == "DELETE" and (case.path_parameters or {}).get("name") == "docs":
                return  # keep the fixture collection for the other operations
            calls.append(case.call_and_validate(base_url=static_url, checks=checks).status_code)

        try:
            run()
        except Unsatisfiable:
            assert mode == "negative"  # an operation without parameters or body has nothing to break
    assert examples * 5 <= len(calls) <= examples * len(operations)
    assert not [c for c in calls if c >= 500]
