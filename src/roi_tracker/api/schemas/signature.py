"""The `signature` part of an authorization signed on screen (interface.md, "signing in the office")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from roi_tracker.api.schemas.common import Strict


class SignatureData(Strict):
    """The `signature` part (JSON): intent and electronic consent must be true (E-S1, E-S2), else 422."""

    method: Literal["drawn", "typed"]
    image: str = Field(default="", max_length=400_000, description="drawn: a PNG data URL")
    signer_name: str = Field(default="", max_length=200)
    intent: bool = Field(default=False, description="the signer chose to sign this form (E-S1)")
    electronic_consent: bool = Field(
        default=False, description="the signer agreed to sign electronically (E-S2)"
    )
    witnessed_by: str = Field(
        default="", max_length=64, description="your username: you handed over the device"
    )
    template_id: str | None = Field(
        default=None, max_length=36, description="default: the kind's current version"
    )
    form_sha256: str = Field(
        default="",
        max_length=64,
        description="the hash of the form shown to the signer; a mismatch is 422 (E-S4)",
    )
