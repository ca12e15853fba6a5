"""One source of truth: each operation registers its models, which validate traffic and build OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from flask import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from roi_tracker import __version__
from roi_tracker.api.schemas import common as common_schemas
from roi_tracker.domain.roles import Access
from roi_tracker.domain.roles import Permission
from roi_tracker.http.security import requires


@dataclass(frozen=True)
class Operation:
    """One documented API operation."""

    path: str
    method: str
    summary: str
    need: Permission | Access
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    media: tuple[str, ...] = ()
    file: str = "file"  # the multipart part that carries the uploaded file
    file_required: bool = True


OPERATIONS: list[Operation] = []
_ERRORS = {
    400: "Malformed request",
    401: "No valid token",
    403: "Not permitted",
    404: "Not found",
    409: "Conflicts with the current state (already revoked, reviewed, extended...)",
    410: "The client's records were destroyed at the end of retention",
    413: "The file is too large",
    415: "Not a PDF, PNG or JPEG, or an encrypted PDF",
    422: "Invalid request",
    503: "The access log could not record the request",
}


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    need: Permission | Access,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | None],
    media: tuple[str, ...] = (),
    file: str = "file",
    file_required: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view as an API operation and declare its permission."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)
        op = Operation(path, method.lower(), summary, need, query, body, form, responses, media)
        OPERATIONS.append(replace(op, file=file, file_required=file_required))
        requires(need)(view)
        bp.add_url_rule(rule, view_func=view, methods=[method])
        return view

    return wrap


def openapi(prefix: str) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from the registered operations."""
    components: dict[str, Any] = {}

    def ref(model: type[BaseModel], mode: JsonSchemaMode = "validation") -> dict[str, str]:
        # Responses are described as they are sent: by their serialization aliases ("from", not "from_").
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            components[name] = definition
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{op.method}_{op.path}".replace("/", "_"),
        }
        entry["x-permission"] = str(op.need)
        if op.need != Access.PUBLIC:
            entry["security"] = [{"bearer": []}]
        params = re.findall(r"{([a-z_]+)}", op.path)
        parameters = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
        ]
        if op.query is not None:
            schema = op.query.model_json_schema()
            for name, prop in schema.get("properties", {}).items():
                parameters.append(
                    {
                        "name": name,
                        "in": "query",
                        "required": name in schema.get("required", []),
                        "schema": prop,
                    }
                )
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(op.body)}},
            }
        if op.form is not None:
            schema = op.form.model_json_schema()
            schema["properties"][op.file] = {"type": "string", "format": "binary"}
            if op.file_required:
                schema["required"] = [*schema.get("required", []), op.file]
            entry["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
        responses: dict[str, Any] = {}
        for status, model in op.responses.items():
            content = {"application/json": {"schema": ref(model, "serialization")}} if model else {}
            # Files the success may answer with instead of JSON (the accounting as PDF or CSV).
            content |= {media: {"schema": {"type": "string", "format": "binary"}} for media in op.media}
            responses[str(status)] = {"description": "OK" if status < 300 else _ERRORS.get(status, "Error")}
            if content:
                responses[str(status)]["content"] = content
        codes = [400, 422, 503] if op.need == Access.PUBLIC else [400, 401, 403, 422, 503]
        if params or op.body is not None or op.form is not None:
            codes += [404]  # a path or a body naming a client, recipient or document that is not there
        if params:
            codes += [410]
        if op.method == "post" and op.need != Access.PUBLIC:
            codes += [409]
        if op.form is not None:
            codes += [413, 415]
        for status in codes:
            responses.setdefault(
                str(status),
                {
                    "description": _ERRORS[status],
                    "content": {"application/json": {"schema": ref(common_schemas.Error)}},
                },
            )
        entry["responses"] = responses
        paths.setdefault(prefix + op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "roi-tracker", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
