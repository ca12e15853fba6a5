"""The JSON API's base: health, the OpenAPI document, bearer tokens, query validation and error shape."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from roi_tracker import models
from roi_tracker.api.registry import OPERATIONS
from roi_tracker.api.schemas import audit as audit_schemas
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from tests.web.conftest import SYSTEM
from tests.web.conftest import logged
from tests.web.conftest import token_for

PREFIX = "/api/v1"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)


def _resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/components/schemas/"), ref
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.fixture
def auditor_token(make_user: Callable, runtime: Runtime) -> str:
    """A token for an auditor, who may read the access log."""
    make_user("avery", "auditor")
    return token_for(runtime, "avery")


def test_answers_health_without_a_token(client: FlaskClient) -> None:
    """GET /api/v1/health answers 200 {"status": "ok"} to anyone."""
    response = client.get(f"{PREFIX}/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.mimetype == "application/json"


def test_documents_every_api_route_in_openapi_3_1(app: Flask, client: FlaskClient) -> None:
    """openapi.json is OpenAPI 3.1 and lists exactly the /api/v1 routes and methods the app serves."""
    document = client.get(f"{PREFIX}/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    served = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == served


def test_documents_query_and_body_schemas_from_the_pydantic_models(client: FlaskClient) -> None:
    """Each operation with a query or body documents it, generated from its model in api/schemas/."""
    document = client.get(f"{PREFIX}/openapi.json").json
    with_input = [op for op in OPERATIONS if op.query is not None or op.body is not None]
    assert with_input, "no operation takes input: this test would check nothing"
    for op in with_input:
        entry = document["paths"][PREFIX + op.path][op.method]
        if op.query is not None:
            model = op.query.model_json_schema()
            listed = {p["name"]: p for p in entry["parameters"] if p["in"] == "query"}
            assert set(listed) == set(op.query.model_fields), op.path
            for name, parameter in listed.items():
                assert parameter["schema"] == model["properties"][name]
                assert parameter["required"] == (name in model.get("required", []))
        if op.body is not None:
            schema = entry["requestBody"]["content"]["application/json"]["schema"]
            expected = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
            nested = expected.pop("$defs", {})
            assert _resolve(document, schema["$ref"]) == expected
            for name, definition in nested.items():  # nested models move to components
                assert document["components"]["schemas"][name] == definition


def test_documents_the_audit_events_query_fields(client: FlaskClient) -> None:
    """The audit-events operation lists limit, cursor and the filters with their bounds."""
    entry = client.get(f"{PREFIX}/openapi.json").json["paths"][f"{PREFIX}/audit-events"]["get"]
    params = {p["name"]: p["schema"] for p in entry["parameters"]}
    assert set(params) == set(audit_schemas.AuditEventQuery.model_fields)
    assert params["limit"]["maximum"] == 500
    assert params["limit"]["minimum"] == 1


def test_documents_a_response_schema_for_every_success(client: FlaskClient) -> None:
    """Every documented success names a schema present in components, except files and the document itself."""
    document = client.get(f"{PREFIX}/openapi.json").json
    without_schema = set()
    for path, operations in document["paths"].items():
        for method, entry in operations.items():
            successes = [code for code in entry["responses"] if code.startswith("2")]
            assert len(successes) == 1, f"{method} {path}"
            success = entry["responses"][successes[0]]
            if "application/json" not in success.get("content", {}):
                without_schema.add(path)  # a file (PDF, CSV) or the document itself
                continue
            ref = success["content"]["application/json"]["schema"]["$ref"]
            assert _resolve(document, ref), f"{method} {path}"
    assert without_schema == {
        f"{PREFIX}/openapi.json",
        f"{PREFIX}/documents/{{document_id}}",
        f"{PREFIX}/disclosures/{{disclosure_id}}/packet",
        f"{PREFIX}/clients/{{client_id}}/release-forms",
        f"{PREFIX}/clients/{{client_id}}/fhir/consents",
        f"{PREFIX}/clients/{{client_id}}/fhir/audit-events",
        f"{PREFIX}/incidents/hhs-log",
        f"{PREFIX}/incidents/{{incident_id}}/notices/{{client_id}}",
        f"{PREFIX}/requests/{{request_id}}/letters/{{letter_id}}",
    }


def test_accepts_a_bearer_token(client: FlaskClient, make_user: Callable, runtime: Runtime) -> None:
    """GET /me with a valid token answers who the token acts for."""
    alice = make_user("alice", "clinician")
    response = client.get(f"{PREFIX}/me", headers=_bearer(token_for(runtime, "alice")))
    assert response.status_code == 200
    assert response.json == {
        "id": str(alice.id),
        "username": "alice",
        "display_name": "Alice",
        "role": "clinician",
    }


def test_refuses_and_logs_a_bad_token(client: FlaskClient, runtime: Runtime) -> None:
    """An unknown token gets 401 in the JSON error shape and is logged as auth:token:rejected."""
    response = client.get(f"{PREFIX}/me", headers=_bearer("roi_not-a-real-token"))
    assert response.status_code == 401
    assert set(response.json["error"]) >= {"code", "message"}
    rejected = logged(runtime, Action.TOKEN_REJECTED)
    assert [(e.outcome, e.object_id) for e in rejected] == [(Outcome.REFUSED.value, "api.me")]
    assert "roi_not-a-real-token" not in {e.object_id for e in rejected} | {e.basis for e in rejected}


def test_refuses_a_request_without_a_token(client: FlaskClient, runtime: Runtime) -> None:
    """No Authorization header: 401, and nothing to log as a rejected token."""
    assert client.get(f"{PREFIX}/me").status_code == 401
    assert logged(runtime, Action.TOKEN_REJECTED) == []


@pytest.mark.parametrize("header", ["Basic YWxpY2U6cGFzcw==", "Bearer", "Bearer    ", "roi_token"])
def test_refuses_a_malformed_authorization_header(header: str, client: FlaskClient) -> None:
    """Anything but `Bearer <token>` is no token at all: 401."""
    assert client.get(f"{PREFIX}/me", headers={"Authorization": header}).status_code == 401


def test_refuses_the_token_of_a_disabled_user(
    client: FlaskClient, make_user: Callable, runtime: Runtime
) -> None:
    """Once the account is disabled its token gets 401."""
    alice = make_user("alice", "clinician")
    token = token_for(runtime, "alice")
    assert client.get(f"{PREFIX}/me", headers=_bearer(token)).status_code == 200
    with runtime.sessions() as session:
        users.set_active(session, runtime.env, SYSTEM, alice.id, active=False)
    assert client.get(f"{PREFIX}/me", headers=_bearer(token)).status_code == 401


def test_stores_only_the_sha256_of_a_token(make_user: Callable, runtime: Runtime) -> None:
    """api_tokens.token_hash is the token's SHA-256; the token itself is stored nowhere in the row."""
    make_user("alice", "clinician")
    token = token_for(runtime, "alice")
    with runtime.sessions() as session:
        (row,) = session.execute(select(models.ApiToken)).scalars()
    stored = bytes(row.token_hash)
    assert stored != token.encode()
    assert stored == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in stored


def test_refuses_a_malformed_limit_naming_the_field(client: FlaskClient, auditor_token: str) -> None:
    """limit=abc on /audit-events answers 422 and names `limit`."""
    response = client.get(f"{PREFIX}/audit-events?limit=abc", headers=_bearer(auditor_token))
    assert response.status_code == 422
    assert [p["field"] for p in response.json["error"]["problems"]] == ["limit"]


def test_refuses_an_unknown_query_field(client: FlaskClient, auditor_token: str) -> None:
    """A query field the API does not know answers 422 naming it, instead of being ignored."""
    response = client.get(f"{PREFIX}/audit-events?colour=blue", headers=_bearer(auditor_token))
    assert response.status_code == 422
    assert [p["field"] for p in response.json["error"]["problems"]] == ["colour"]


def test_pages_audit_events_with_a_cursor(
    client: FlaskClient, auditor_token: str, make_user: Callable
) -> None:
    """limit and next_cursor walk the log newest first without overlap."""
    for n in range(4):
        make_user(f"person{n}", "clinician")
    first = client.get(f"{PREFIX}/audit-events?limit=2", headers=_bearer(auditor_token)).json
    assert len(first["items"]) == 2
    second = client.get(
        f"{PREFIX}/audit-events?limit=2&cursor={first['next_cursor']}", headers=_bearer(auditor_token)
    ).json
    seqs = [i["seq"] for i in first["items"]] + [i["seq"] for i in second["items"]]
    assert len(seqs) == 4
    assert seqs == sorted(seqs, reverse=True)
    assert len(set(seqs)) == len(seqs)


def test_answers_an_unknown_api_route_with_a_json_404(client: FlaskClient) -> None:
    """An unknown /api/v1 address answers 404 as {"error": {"code", "message"}}, not an HTML page."""
    response = client.get(f"{PREFIX}/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}
    assert {"code", "message"} <= set(response.json["error"])


def test_answers_a_wrong_method_with_a_json_405(client: FlaskClient) -> None:
    """A method the route does not serve answers 405 in the JSON error shape."""
    response = client.post(f"{PREFIX}/health")
    assert response.status_code == 405
    assert {"code", "message"} <= set(response.json["error"])


QUERY_FIELDS = [*audit_schemas.AuditEventQuery.model_fields, "unknown"]


@pytest.mark.parametrize(
    "query",
    [
        "actor=%00",
        "client_id=a%00b",
        "since=2024-02-30",
        "until=0000-01-01",
        "cursor=-1",
        "cursor=0",
        "limit=100000",
        "outcome=maybe",
    ],
)
def test_refuses_bad_query_values_as_invalid_input(
    query: str, client: FlaskClient, auditor_token: str
) -> None:
    """Bad values in the query answer 422 naming the field, never a server error."""
    response = client.get(f"{PREFIX}/audit-events?{query}", headers=_bearer(auditor_token))
    assert response.status_code == 422, response.json
    assert [p["field"] for p in response.json["error"]["problems"]] == [query.split("=")[0]]


def test_refuses_a_cursor_beyond_the_largest_sequence_number(client: FlaskClient, auditor_token: str) -> None:
    """A cursor beyond BIGINT answers 422 naming the field, not 500."""
    response = client.get(
        f"{PREFIX}/audit-events?cursor=99999999999999999999", headers=_bearer(auditor_token)
    )
    assert response.status_code == 422
    assert "cursor" in response.text


def test_accepts_the_last_representable_day_as_until(client: FlaskClient, auditor_token: str) -> None:
    """until=9999-12-31 means no upper bound: 200, not a server error."""
    response = client.get(f"{PREFIX}/audit-events?until=9999-12-31", headers=_bearer(auditor_token))
    assert response.status_code == 200


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.dictionaries(
        st.sampled_from(QUERY_FIELDS),
        st.one_of(
            st.text(max_size=12),
            st.integers(min_value=-(2**40), max_value=2**40).map(str),
            st.dates().map(str),
        ),
        max_size=4,
    )
)
def test_never_answers_500_to_any_query(
    client: FlaskClient, auditor_token: str, query: dict[str, str]
) -> None:
    """Whatever the query string holds, /audit-events answers 200 or 422 in the documented shape."""
    response = client.get(f"{PREFIX}/audit-events", query_string=query, headers=_bearer(auditor_token))
    assert response.status_code in {200, 422}, (query, response.json)
    if response.status_code == 422:
        assert {"code", "message"} <= set(response.json["error"])


def test_multipart_uploads_are_documented_under_the_part_names_the_views_read(client: FlaskClient) -> None:
    """`file` for a document, `signed_form` (optional beside a `signature`) for a release, `document` for a
    revocation: the served document says what a caller must send."""
    paths = client.get(f"{PREFIX}/openapi.json").json["paths"]

    def upload(path: str) -> dict[str, Any]:
        return paths[f"{PREFIX}{path}"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]

    document = upload("/clients/{client_id}/documents")
    release = upload("/clients/{client_id}/authorizations")
    revocation = upload("/authorizations/{auth_id}/revoke")
    assert document["properties"]["file"]["format"] == "binary"
    assert "file" in document["required"]
    assert release["properties"]["signed_form"]["format"] == "binary"
    assert "signed_form" not in release["required"]
    assert "signature" in release["properties"]
    assert "file" not in release["properties"]
    assert revocation["properties"]["document"]["format"] == "binary"
    assert "document" in revocation["required"]
