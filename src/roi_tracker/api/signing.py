"""The JSON API for release form templates and printable release forms."""

from __future__ import annotations

from typing import Any

from roi_tracker.api import answer
from roi_tracker.api import body_of
from roi_tracker.api import bp
from roi_tracker.api.registry import operation
from roi_tracker.api.schemas import signing as schemas
from roi_tracker.domain import form_templates
from roi_tracker.domain.roles import Permission
from roi_tracker.http import context
from roi_tracker.http.files import send_packet
from roi_tracker.services.records import clients
from roi_tracker.services.signing import forms
from roi_tracker.services.signing import templates


def _template(view: templates.TemplateView) -> schemas.TemplateOut:
    return schemas.TemplateOut(
        id=str(view.id),
        kind=view.kind.value,
        version=view.version,
        title=view.wording.title,
        sections=dict(view.wording.sections),
        shipped=view.shipped,
        created_at=view.created_at,
    )


@operation(
    bp,
    "/form-templates",
    "GET",
    summary="Every version of the practice's release form templates",
    need=Permission.FORM_TEMPLATE_READ,
    responses={200: schemas.TemplateList},
)
def list_form_templates() -> Any:
    """List every template version, the shipped defaults included."""
    views = templates.every_version(context.db_session())
    return answer(schemas.TemplateList(items=[_template(v) for v in views]))


@operation(
    bp,
    "/form-templates",
    "POST",
    summary="Write a new version of a kind's wording (old versions never change; 422 names the rule)",
    need=Permission.FORM_TEMPLATE_MANAGE,
    body=schemas.TemplateIn,
    responses={201: schemas.TemplateOut},
)
def create_form_template() -> Any:
    """Add the next version of a kind's wording (H-S1..H-S3, P2-10, H-P1 checked)."""
    data = body_of(schemas.TemplateIn)
    wording = form_templates.Wording(data.title, data.sections)
    view = templates.create_version(
        context.db_session(), context.env(), context.actor(), templates.parse_kind(data.kind), wording
    )
    return answer(_template(view), 201)


@operation(
    bp,
    "/clients/<client_id>/release-forms",
    "POST",
    summary="The complete release form from a template, as PDF (`wet`: with blank signature lines)",
    need=Permission.AUTHORIZATION_RECORD,
    body=schemas.ReleaseFormRequest,
    responses={200: None},
)
def release_form(client_id: str) -> Any:
    """Render the form the client would sign (the read is logged)."""
    data = body_of(schemas.ReleaseFormRequest)
    fields = data.model_dump(exclude={"acknowledge_warnings", "template_id", "wet"})
    name, content = forms.form_pdf(
        context.db_session(),
        context.env(),
        context.actor(),
        clients.parse_client_id(client_id),
        fields,
        data.template_id,
        wet=data.wet,
    )
    return send_packet(name, content)
