"""A release form prepared from a template for one client: its content, its hash, and its PDF (logged)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain import consent
from roi_tracker.domain import expiry
from roi_tracker.domain import form_templates
from roi_tracker.domain import signing
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Defective
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.services.context import Env
from roi_tracker.services.records import clients
from roi_tracker.services.records import vault
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import recipients
from roi_tracker.services.releases.terms import parse_draft
from roi_tracker.services.signing import pdf
from roi_tracker.services.signing import templates


@dataclass(frozen=True)
class Prepared:
    """A form ready to be read and signed: its content, the template version and the terms it states."""

    client: models.Client
    key: crypto.DataKey
    template: templates.TemplateView
    draft: consent.Draft
    form: signing.Form
    sha256: str

    def paragraphs(self) -> list[tuple[str, str]]:
        """The form's (heading, text) pairs, as the signing page shows them."""
        return signing.paragraphs(self.form)


def template_for(session: Session, fields: dict[str, Any], template_id: str | None) -> templates.TemplateView:
    """The template version named, else the current one of the kind the fields name."""
    if template_id:
        try:
            template = templates.get(session, template_id)
        except NotFound:
            # A template named in the body, not the address: bad input, named (422).
            raise InvalidInput("no such form template", field="template_id") from None
        if fields.get("kind") and fields["kind"] != template.kind.value:
            raise InvalidInput(
                f"the template is a {template.kind.value} form but the kind is {fields['kind']}", field="kind"
            )
        return template
    if not fields.get("kind"):
        raise InvalidInput("choose the kind of form (or its template)", field="kind")
    return templates.current(session, templates.parse_kind(str(fields["kind"])))


def _recipient(session: Session, env: Env, draft: consent.Draft) -> str:
    if draft.recipient_id is None:
        return draft.recipient_class
    return recipients.get(session, env, recipients.parse_recipient_id(draft.recipient_id)).display


def _representative(draft: consent.Draft) -> None:
    """A form a representative signs names them, their relationship and their authority (H-C7)."""
    named = (draft.representative_name, draft.representative_relationship, draft.representative_authority)
    if draft.signed_by is consent.Signer.REPRESENTATIVE and not all(part.strip() for part in named):
        message = "A representative signs: give their name, relationship and authority to act for the client."
        problem = {
            "rule": "H-C7",
            "severity": "BLOCK",
            "field": "representative_authority",
            "message": message,
        }
        raise Defective("the form cannot be prepared", [problem])


def prepare(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    fields: dict[str, Any],
    template_id: str | None,
) -> Prepared:
    """Fill a template with this client's terms; the read of the client's name is logged first."""
    client = clients.visible_or_refused(
        session, env, actor, client_id, rules.View.CLINICAL, Action.RELEASE_FORM_READ
    )
    template = template_for(session, fields, template_id)
    draft = parse_draft({**fields, "kind": template.kind.value}, signed_form_attached=True)
    _representative(draft)
    recipient = _recipient(session, env, draft)
    key = vault.key_of(session, env, actor, client)
    receipt = env.log.reveal(
        session,
        actor,
        Action.RELEASE_FORM_READ,
        object_type="form_template",
        object_id=str(template.id),
        client_id=str(client.id),
    )
    who = vault.open_demographics(session, env, actor, key, client, receipt)
    form = signing.Form(
        kind=template.kind,
        template_version=template.version,
        wording=template.wording,
        practice=env.settings.practice_name,
        client_name=f"{who.given_name} {who.family_name}",
        client_reference=client.reference,
        recipient=recipient,
        categories=tuple(sorted(c.value for c in draft.categories)),
        purposes=tuple(sorted(p.value for p in draft.purposes)),
        purpose_text=draft.purpose_text,
        effective_on=draft.effective_on,
        expires_on=draft.expires_on,
        expiry_event=expiry.label_of(draft.expiry_event),
        records_from=draft.records_from,
        records_to=draft.records_to,
        representative=draft.signed_by is consent.Signer.REPRESENTATIVE,
        representative_name=draft.representative_name,
        representative_relationship=draft.representative_relationship,
        representative_authority=draft.representative_authority,
    )
    return Prepared(client, key, template, draft, form, signing.content_sha256(form))


def form_pdf(
    session: Session,
    env: Env,
    actor: audit.Actor,
    client_id: uuid.UUID,
    fields: dict[str, Any],
    template_id: str | None,
    *,
    wet: bool,
) -> tuple[str, bytes]:
    """Return (file name, PDF) of the complete form, or of its blank-signature version for a wet signature."""
    prepared = prepare(session, env, actor, client_id, fields, template_id)
    name = f"release-form-{prepared.client.reference}-{'wet' if wet else 'read'}.pdf"
    return name, pdf.render(prepared.form, wet=wet)


def check_before_signing(session: Session, env: Env, actor: audit.Actor, prepared: Prepared) -> None:
    """Refuse, before the device is handed over, terms the validator would refuse once signed."""
    # What signing adds: the template's statements, today's date and a signed form (164.508(c), 2.31).
    draft = replace(
        prepared.draft,
        statements=form_templates.statements_of(prepared.template.kind, prepared.template.wording),
        signed_on=env.today(),
        signed_by=prepared.draft.signed_by or consent.Signer.CLIENT,
        signed_form_attached=True,
        plain_language_form=True,
    )
    part2 = authorizations.client_part2(session, env, actor, prepared.client, prepared.key)
    blocks = consent.blocking(consent.validate(draft, client_part2=part2, today=env.today()))
    if blocks:
        raise Defective("the release cannot be signed as it stands", authorizations.problem_dicts(blocks))
