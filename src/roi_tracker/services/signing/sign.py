"""Signing on screen: check the signature, render the signed form, record it as the authorization's form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import clock
from roi_tracker import models
from roi_tracker.domain import consent
from roi_tracker.domain import form_templates
from roi_tracker.domain import signing
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.signing import drawing
from roi_tracker.services.signing import forms
from roi_tracker.services.signing import pdf
from roi_tracker.services.signing import templates


@dataclass(frozen=True)
class SignatureInput:
    """The `signature` part as submitted (interface.md, "signing in the office")."""

    method: str
    signer_name: str
    intent: bool
    electronic_consent: bool
    witnessed_by: str
    image: str = ""
    form_sha256: str = ""
    template_id: str | None = None


def _method(raw: str) -> signing.Method:
    try:
        return signing.Method(raw)
    except ValueError:
        raise InvalidInput("signature.method is `drawn` or `typed`", field="signature.method") from None


def _witness(session: Session, actor: audit.Actor, named: str) -> models.User:
    # The witness is the signed-in person who handed over the device, never someone named on their behalf.
    user = session.get(models.User, uuid.UUID(actor.user_id))
    if user is None or named.strip().lower() not in {user.username, str(user.id)}:
        raise InvalidInput(
            "signature.witnessed_by must name you, the signed-in person who handed over the device",
            field="signature.witnessed_by",
        )
    return user


def _drawing(method: signing.Method, image: str) -> tuple[bytes | None, int]:
    if method is signing.Method.TYPED:
        if image:
            raise InvalidInput("a typed signature carries no image", field="signature.image")
        return None, 0
    if not image:
        return None, 0  # an empty drawing: refused by E-S3 with the other problems
    return drawing.flatten(drawing.decode(image))


def _fields(fields: dict[str, Any], sig: SignatureInput) -> dict[str, Any]:
    out = dict(fields)
    out["signed_by"] = out.get("signed_by") or consent.Signer.CLIENT.value
    if out["signed_by"] != consent.Signer.REPRESENTATIVE.value:
        return out
    named = str(out.get("representative_name") or "").strip()
    if not named:
        out["representative_name"] = sig.signer_name  # the representative is who signs (H-C7)
    elif named.casefold() != sig.signer_name.strip().casefold():
        raise InvalidInput(
            "H-C7: the signer must be the representative the form names", field="signature.signer_name"
        )
    return out


def _refuse(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, problems: list[Any]
) -> None:
    env.log.record_alone(
        session,
        actor,
        Action.AUTHORIZATION_RECORDED,
        Outcome.REFUSED,
        object_type="authorization",
        client_id=str(client_id),
        basis=problems[0].rule,
    )
    raise Defective("the signature cannot be used", authorizations.problem_dicts(problems))


def record_signed(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    fields: dict[str, Any],
    sig: SignatureInput,
    *,
    acknowledge_warnings: bool = False,
) -> authorizations.AuthorizationView:
    """Record an authorization signed on screen: its signed PDF is its signed form (E-S1..E-S4, H-C7)."""
    method = _method(sig.method)
    witness = _witness(session, actor, sig.witnessed_by)
    image, marks = _drawing(method, sig.image)
    fields = _fields(fields, sig)
    prepared = forms.prepare(session, env, actor, client_id, fields, sig.template_id)
    signature = signing.Signature(
        method, sig.signer_name, sig.intent, sig.electronic_consent, marks, sig.form_sha256.strip()
    )
    problems = signing.problems(signature, content_sha256=prepared.sha256)
    if problems:
        _refuse(session, env, actor, prepared.client.id, problems)
    now = env.clock()
    local = clock.local_time(now, env.settings.timezone)
    representative = fields["signed_by"] == consent.Signer.REPRESENTATIVE.value
    role = (
        f"personal representative: {prepared.draft.representative_relationship}"
        if representative
        else "the client"
    )
    signed = pdf.Signed(
        method=method,
        signer_name=sig.signer_name.strip(),
        signer_role=role,
        signed_at=f"{local:%Y-%m-%d %H:%M} ({env.settings.timezone})",
        witness=witness.display_name,
        image=image,
        content_sha256=prepared.sha256,
    )
    content = pdf.render(prepared.form, signed=signed)
    statements = form_templates.statements_of(prepared.template.kind, prepared.template.wording)
    terms = {
        **fields,
        "kind": prepared.template.kind.value,
        "statements": sorted(s.value for s in statements),
        "signed_on": local.date(),
        "plain_language_form": True,  # a template version is checked for plain language (H-P1)
    }

    def also(row: models.Authorization) -> None:
        templates.keep(session, prepared.template)  # the version signed on is stored with the signature
        session.add(
            models.AuthorizationSignature(
                authorization_id=row.id,
                template_id=prepared.template.id,
                method=method.value,
                signer=fields["signed_by"],
                witnessed_by=witness.id,
                signed_at=now,
                content_sha256=prepared.sha256,
            )
        )

    return authorizations.record(
        session, env, actor, client_id, terms, content, acknowledge_warnings=acknowledge_warnings, also=also
    )


def signed_copy(
    session: Session, env: Env, actor: audit.Actor, auth_id: uuid.UUID, client_id: uuid.UUID
) -> tuple[str, bytes]:
    """Return the signed form of an authorization, as the client's copy (H-P2); the read is logged."""
    row = session.get(models.Authorization, auth_id)
    if row is None or row.client_id != client_id:
        raise NotFound("no such authorization")
    view, content = documents.download(session, env, actor, row.signed_form_id)
    return f"signed-{row.label}.pdf", content
