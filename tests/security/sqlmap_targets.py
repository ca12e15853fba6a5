"""What sqlmap attacks: every form the pages show each role, and every parameter of every JSON operation."""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from roi_tracker.domain import roles
from tests.security.live_server import Browser

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=/)\d+(?=/|$)")
# Never crawled: downloads, files and exports are not pages with forms.
NOT_PAGES = re.compile(r"^/(static/|documents/|disclosures/)|\.csv$|/packet$|/log\.csv|/letters/|/notices/")
# Never attacked: signing out would end the session the attack runs in (it takes no input but the token).
NOT_ATTACKED = {"/signout"}
PAGES_PER_ROLE = 60


@dataclass(frozen=True)
class Target:
    """One request for sqlmap: who sends it, where, and the data whose every parameter is attacked."""

    role: str
    method: str
    url: str
    data: str
    kind: str  # "form" or "json"
    page: str = ""  # where a form's CSRF token comes from

    @property
    def route(self) -> str:
        """The path with ids folded, so one form shown on many pages is attacked once."""
        return UUID.sub("{id}", self.url.split("?")[0]).replace("*", "")


class _Forms(HTMLParser):
    """Collect each form's method, action and fields with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("method", "get").lower(), a.get("action", ""), {}))
        elif not self.forms or not a.get("name") and tag != "option":
            return
        elif tag == "input" and a.get("type") not in {"submit", "file", "button"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                self.forms[-1][2][a["name"]] = a.get("value") or "1"
        elif tag in {"textarea", "select"}:
            self.forms[-1][2].setdefault(a["name"], "x")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and a.get("value"):
            self.forms[-1][2][self._select] = a["value"]
            self._select = None


def forms_of(role: str, browser: Browser, *starts: str) -> list[Target]:
    """Crawl the pages `browser` can reach from `starts` (or /) and return their forms that take input."""
    seen_routes: set[str] = set()
    queue, targets = deque(starts or ["/"]), []
    while queue and len(seen_routes) < PAGES_PER_ROLE:
        path = queue.popleft()
        route = UUID.sub("{id}", path)
        if route in seen_routes or NOT_PAGES.search(path):
            continue
        seen_routes.add(route)
        status, media, html = browser.get(path)
        if status != 200 or media != "text/html":
            continue
        queue.extend(h for h in re.findall(r'href="(/[^"#?]*)', html) if not h.startswith("//"))
        parser = _Forms()
        parser.feed(html)
        for method, action, fields in parser.forms:
            action = action or path
            if action in NOT_ATTACKED or not set(fields) - {"csrf_token"}:
                continue  # a form of buttons only (discharge, disable) has no field to inject into
            data = "&".join(f"{k}={v}" for k, v in fields.items())
            if method == "get":
                targets.append(Target(role, "GET", f"{action}?{data}", "", "form"))
            else:
                targets.append(Target(role, "POST", action, data, "form", page=path))
    return targets


def _example(schema: dict[str, Any], document: dict[str, Any], ids: dict[str, str], name: str = "") -> Any:
    """A valid-looking value for `schema`, with real ids for fields that name a row."""
    if "$ref" in schema:
        return _example(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], document, ids)
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _example(option, document, ids, name)
    if "enum" in schema or "const" in schema:
        return schema.get("enum", [schema.get("const")])[0]
    kind = schema.get("type", "string")
    if kind == "object":
        props = schema.get("properties", {})
        return {key: _example(value, document, ids, key) for key, value in props.items()}
    if kind == "array":
        return [_example(schema.get("items", {}), document, ids, name)]
    if kind in {"integer", "number"}:
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    formats = {"date": "2026-01-05", "date-time": "2026-01-05T10:00:00Z"}
    return ids.get(name) or formats.get(schema.get("format", ""), "x")


def _first_role_allowed(entry: dict[str, Any]) -> str:
    need = entry["x-permission"]
    for role in ("clinician", "front_desk", "auditor", "admin"):
        if need in {a.value for a in roles.Access} or roles.is_granted(role, roles.Permission(need)):
            return role
    raise AssertionError(f"no role may call {entry['operationId']}")


def json_targets(document: dict[str, Any], ids: dict[str, str]) -> list[Target]:
    """One target per JSON operation that takes input: body, query and path parameters all attacked."""
    targets = []
    for path, operations in document["paths"].items():
        for method, entry in operations.items():
            body = entry.get("requestBody", {}).get("content", {}).get("application/json")
            params = entry.get("parameters", [])
            if body is None and (method != "get" or not params):
                continue  # multipart uploads: their fields are attacked through the web forms (same services)
            url = path
            for p in params:
                if p["in"] == "path":  # `*` marks a custom injection point for sqlmap
                    url = url.replace("{" + p["name"] + "}", ids[p["name"]] + "*")
            query = [f"{p['name']}={_example(p['schema'], document, ids, p['name'])}" for p in params]
            query = [q for q, p in zip(query, params, strict=True) if p["in"] == "query"]
            if query:
                url += "?" + "&".join(query)
            data = json.dumps(_example(body["schema"], document, ids)) if body else ""
            targets.append(Target(_first_role_allowed(entry), method.upper(), url, data, "json"))
    return targets
