"""Signing in the office: the `signature` part, release form templates and a form to print."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field

from roi_tracker.api.schemas.common import Strict
from roi_tracker.api.schemas.releases import AuthorizationData


class TemplateIn(Strict):
    """A new version of a kind's wording ({practice} stands for the practice's name)."""

    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    sections: dict[str, str] = Field(description="intro, right_to_revoke, no_conditioning, redisclosure, ...")


class TemplateOut(BaseModel):
    """One template version."""

    id: str
    kind: str
    version: int
    title: str
    sections: dict[str, str]
    shipped: bool
    created_at: datetime


class TemplateList(BaseModel):
    """Every template version, newest first within a kind."""

    items: list[TemplateOut]


class ReleaseFormRequest(AuthorizationData):
    """The terms to print on a template, and whether to leave blank lines for a wet signature."""

    template_id: str | None = Field(default=None, max_length=36)
    wet: bool = False
