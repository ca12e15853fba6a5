"""Parsing an authorization's fields into the domain's Draft, and its stored terms (JSON, then encrypted)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from roi_tracker.domain import clients as rules
from roi_tracker.domain import consent
from roi_tracker.domain import expiry
from roi_tracker.domain import inputs
from roi_tracker.domain.errors import InvalidInput


def _date(fields: dict[str, Any], name: str) -> date | None:
    raw = fields.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return inputs.plausible(raw, name)
    try:
        parsed = date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"{name} must be a date as YYYY-MM-DD", field=name) from None
    return inputs.plausible(parsed, name)


def _many(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, Iterable):
        return [str(x) for x in raw]
    raise InvalidInput("expected a list", field="categories")


def _vocab(values: list[str], kind: type[Any], name: str) -> frozenset[Any]:
    out = set()
    for value in values:
        try:
            out.add(kind(value))
        except ValueError:
            raise InvalidInput(f"unknown {name} {value!r}", field=name) from None
    return frozenset(out)


def _text(fields: dict[str, Any], name: str, limit: int = 500) -> str:
    value = inputs.text(str(fields.get(name) or ""), name).strip()
    if len(value) > limit:
        raise InvalidInput(f"{name} must be at most {limit} characters", field=name)
    return value


_KINDS = ", ".join(k.value for k in expiry.EventKind if k is not expiry.EventKind.DESCRIBED)


def _expiry_event(raw: Any) -> str:
    """Read a kind by name, or {"kind", "description"}: free text only for a described event (H-C5)."""
    if raw in (None, ""):
        return ""
    if isinstance(raw, str):
        raw = {"kind": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
        raise InvalidInput(
            f"H-C5: expiry_event must be one of {_KINDS}, or a described event", field="expiry_event"
        )
    try:
        kind = expiry.EventKind(raw["kind"].strip())
    except ValueError:
        raise InvalidInput(
            f"H-C5: expiry_event must be one of {_KINDS}, or {{'kind': 'described', 'description': ...}}",
            field="expiry_event",
        ) from None
    description = _text(raw, "description", 200) if kind is expiry.EventKind.DESCRIBED else ""
    # A described event with no usable text is left to the H-C5 rule, which says why.
    return expiry.encode(expiry.Event(kind, description))


def parse_draft(fields: dict[str, Any], *, signed_form_attached: bool) -> consent.Draft:
    """Turn submitted fields into a Draft: unknown vocabulary refused, missing elements left to the rules."""
    kind = _vocab([fields["kind"]], consent.Kind, "kind") if fields.get("kind") else frozenset()
    signed_by = (
        _vocab([fields["signed_by"]], consent.Signer, "signed_by") if fields.get("signed_by") else frozenset()
    )
    statements = fields.get("statements") or []
    if isinstance(statements, dict):
        statements = [name for name, present in statements.items() if present]
    return consent.Draft(
        kind=next(iter(kind), None),
        recipient_id=str(fields["recipient_id"]) if fields.get("recipient_id") else None,
        recipient_class=_text(fields, "recipient_class", 200),
        intermediary_participants=_text(fields, "intermediary_participants", 500),
        categories=_vocab(_many(fields.get("categories")), rules.Category, "category"),
        purposes=_vocab(_many(fields.get("purposes")), consent.Purpose, "purpose"),
        purpose_text=_text(fields, "purpose_text"),
        disclosing_party=_text(fields, "disclosing_party", 200) or "the practice",
        effective_on=_date(fields, "effective_on"),
        expires_on=_date(fields, "expires_on"),
        expiry_event=_expiry_event(fields.get("expiry_event")),
        records_from=_date(fields, "records_from"),
        records_to=_date(fields, "records_to"),
        signed_on=_date(fields, "signed_on"),
        signed_by=next(iter(signed_by), None),
        representative_name=_text(fields, "representative_name", 200),
        representative_relationship=_text(fields, "representative_relationship", 200),
        representative_authority=_text(fields, "representative_authority", 300),
        minor_may_consent=bool(fields.get("minor_may_consent")),
        representative_not_suspected=bool(fields.get("representative_not_suspected")),
        statements=_vocab(_many(statements), consent.Statement, "statement"),
        copy_given_on=_date(fields, "copy_given_on"),
        copy_method=_text(fields, "copy_method", 100),
        plain_language_form=fields.get("plain_language_form", True) not in (False, "false", "0", "no"),
        signed_form_attached=signed_form_attached,
        conditioned_on_treatment=bool(fields.get("conditioned_on_treatment")),
        known_false=bool(fields.get("known_false")),
    )


def terms_json(d: consent.Draft, warnings: list[consent.Problem]) -> bytes:
    """The terms kept encrypted with the authorization (everything but its plain dates and recipient id)."""

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return json.dumps(
        {
            "kind": d.kind.value if d.kind else None,
            "recipient_class": d.recipient_class,
            "intermediary_participants": d.intermediary_participants,
            "categories": sorted(c.value for c in d.categories),
            "purposes": sorted(p.value for p in d.purposes),
            "purpose_text": d.purpose_text,
            "disclosing_party": d.disclosing_party,
            "expiry_event": d.expiry_event,
            "records_from": iso(d.records_from),
            "records_to": iso(d.records_to),
            "signed_on": iso(d.signed_on),
            "signed_by": d.signed_by.value if d.signed_by else "",
            "representative_name": d.representative_name,
            "representative_relationship": d.representative_relationship,
            "representative_authority": d.representative_authority,
            "minor_may_consent": d.minor_may_consent,
            "representative_not_suspected": d.representative_not_suspected,
            "statements": sorted(s.value for s in d.statements),
            "copy_given_on": iso(d.copy_given_on),
            "copy_method": d.copy_method,
            "plain_language_form": d.plain_language_form,
            "known_false": d.known_false,
            "warnings": [{"rule": w.rule, "message": w.message} for w in warnings],
        },
        sort_keys=True,
    ).encode("utf-8")
