"""Put what a service refused onto the form that asked, so the page comes back with what was typed.

A view catches the domain error of a form submission, calls `mark` (or `mark_error`), and renders the same
template with status 422; the template shows `form_errors(form)` at the top (templates/_form_errors.html)
and each message at its field (templates/_field.html). A message with a rule id reads "RULE: sentence",
which the templates show as the sentence with the rule in small type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from roi_tracker.domain import errors
from roi_tracker.http import errors as http_errors

# A rule id: the product's own ("H-D3", "X-FIELDS", "P2-X1") or a regulation's section ("164.512(j)(1)(i)").
RULE_ID = r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|\d+(?:\.\d+)+(?:\([a-z0-9]+\))*)"
_RULE = re.compile(rf"^{RULE_ID}: ")

# The domain errors a form answers itself; anything else (forbidden, not found) keeps its error page.
FORM_ERRORS: tuple[type[errors.DomainError], ...] = (
    errors.InvalidInput,
    errors.Defective,
    errors.DisclosureRefused,
    errors.UnsupportedType,
    errors.TooLarge,
    errors.Conflict,
)


def text_of(problem: Mapping[str, Any]) -> str:
    """Return a problem as one message: "RULE: sentence", or the sentence alone."""
    message = str(problem.get("message", ""))
    return f"{problem['rule']}: {message}" if problem.get("rule") else message


def mark(
    form: Any, problems: Iterable[Mapping[str, Any]], *, aliases: Mapping[str, str] | None = None
) -> None:
    """Attach each problem to its field (by name; "a.b" is the field a_b), else to the whole form."""
    for problem in problems:
        name = str(problem.get("field") or "").replace(".", "_")
        name = (aliases or {}).get(name, name)
        target = getattr(form, name, None) if name else None
        text = text_of(problem)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, _at_field(text, name)]
        else:
            form.form_errors = [*form.form_errors, text]


def _at_field(text: str, name: str) -> str:
    """Under its field, "received_on must be ..." reads "This must be ..." (the label names the field)."""
    rule, sep, sentence = text.partition(": ") if _RULE.match(text) else ("", "", text)
    for lead in (name + " ", name.replace("_", " ") + " "):
        if sentence.lower().startswith(lead):
            sentence = "This " + sentence[len(lead) :]
            break
    return f"{rule}{sep}{sentence}"


def problems_of(exc: errors.DomainError, field: str | None = None) -> list[dict[str, Any]]:
    """Return the problems a domain error carries (one made of its message when it has no list)."""
    listed = getattr(exc, "problems", None)
    if listed:
        return [dict(p) for p in listed]
    return [{"field": getattr(exc, "field", None) or field or "", "message": str(exc)}]


def status_of(exc: errors.DomainError) -> int:
    """The status of a form that came back: the one the error would have had on its own (413, 415, 422)."""
    return http_errors.status_of(exc)


def mark_error(
    form: Any, exc: errors.DomainError, field: str | None = None, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Attach a domain error to the form: its problems, or its message at `field` (its own field first)."""
    mark(form, problems_of(exc, field), aliases=aliases)
