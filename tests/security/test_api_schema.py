"""Schemathesis against /api/v1/openapi.json, once per role, in-process through the WSGI app.

Every operation gets valid and invalid requests (sometimes aimed at a real client, document, authorization,
disclosure or exception of the seeded demo practice) and must answer without a 5xx, only with a status its
document lists, with the documented content type and a body that matches the documented schema, and must
refuse schema-violating input with a 4xx. Operations the role may not call get a few examples (they answer
403 before reading input); the ones it may call get more. Bounded by example counts, not by time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import checks as core_checks
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from roi_tracker.app import create_app
from roi_tracker.domain import roles
from roi_tracker.runtime import Runtime
from tests.security.conftest import Practice
from tests.security.live_server import ACCOUNTS

CHECKS = [
    core_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
PERMITTED_EXAMPLES = 20
FORBIDDEN_EXAMPLES = 3


def _may_call(role: str, operation: Any) -> bool:
    need = operation.definition.raw["x-permission"]
    if need in {a.value for a in roles.Access}:
        return True
    return roles.is_granted(role, roles.Permission(need))


def _fuzz(
    operation: Any, practice: Practice, headers: dict[str, str], seen: Counter[int], examples: int
) -> None:
    """Send `examples` generated requests to one operation and validate every answer against the document."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=headers),
    )

    @given(case=cases, aim_at_real_rows=st.booleans())
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def send(case: Any, aim_at_real_rows: bool) -> None:
        if aim_at_real_rows:
            for name in case.path_parameters or {}:
                case.path_parameters[name] = practice.ids[name]
        response = case.call()
        seen[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    send()


@pytest.mark.slow
# Werkzeug spools a large fuzzed multipart body to a temporary file; when it refuses the body part-way,
# the garbage collector releases that file. Only that warning is let through, and only for this fuzz.
@pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <_io\.FileIO:pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_operation_answers_only_as_the_openapi_document_says(
    runtime: Runtime, demo_practice: Practice, role: str
) -> None:
    """No 5xx, no undocumented status or content type, no schema violation, invalid input refused."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(runtime))
    headers = {"Authorization": f"Bearer {demo_practice.tokens[role]}"}
    failures: list[str] = []
    seen: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "the document lists fewer operations than the API serves"
    for operation in operations:
        examples = PERMITTED_EXAMPLES if _may_call(role, operation) else FORBIDDEN_EXAMPLES
        try:
            _fuzz(operation, demo_practice, headers, seen, examples)
        except BaseException as exc:  # noqa: BLE001 - gather every operation's failure, then report them all
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The token worked and real rows were reached: otherwise every answer would be a 401 or a 404.
    assert sum(n for status, n in seen.items() if 200 <= status < 300) > 2, seen


# -- what schemathesis found, pinned down -------------------------------------------------------------------


def _client(runtime: Runtime) -> Any:
    return create_app(runtime).test_client()


def _bearer(practice: Practice, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {practice.tokens[role]}"}


@pytest.mark.parametrize("since", ["0", "86400", "1.5e-145", "2026-3-1"])
def test_a_date_that_is_not_yyyy_mm_dd_is_refused_not_read_as_a_unix_time(
    runtime: Runtime, demo_practice: Practice, since: str
) -> None:
    """?since=0 once answered 200 as if 1970-01-01 were asked for; now it is a 422 naming the field."""
    response = _client(runtime).get(
        "/api/v1/audit-events", query_string={"since": since}, headers=_bearer(demo_practice, "auditor")
    )
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json["error"]["problems"]] == ["since"]


def test_a_json_number_is_no_date_of_birth(runtime: Runtime, demo_practice: Practice) -> None:
    """A JSON body's date is ISO text too: 0 is refused, not registered as born on 1970-01-01."""
    body = {"given_name": "Maya", "family_name": "Okafor", "date_of_birth": 0}
    response = _client(runtime).post(
        "/api/v1/clients", json=body, headers=_bearer(demo_practice, "clinician")
    )
    assert response.status_code == 422, response.text


def test_the_accounting_is_documented_as_sent_with_from_and_its_pdf_and_csv_forms(runtime: Runtime) -> None:
    """The document named the field `from_` while the API sends `from`, and listed no PDF or CSV answer."""
    document = _client(runtime).get("/api/v1/openapi.json").json
    success = document["paths"]["/api/v1/clients/{client_id}/accounting"]["get"]["responses"]["200"]
    assert set(success["content"]) == {"application/json", "application/pdf", "text/csv"}
    assert "from" in document["components"]["schemas"]["AccountingOut"]["required"]


def test_conflicts_and_missing_rows_named_in_a_body_are_documented(runtime: Runtime) -> None:
    """A repeated expiry event answers 409, a check naming an unknown client 404: both are listed."""
    paths = _client(runtime).get("/api/v1/openapi.json").json["paths"]
    assert "409" in paths["/api/v1/authorizations/{auth_id}/expiry-event"]["post"]["responses"]
    assert "404" in paths["/api/v1/disclosure-checks"]["post"]["responses"]
