"""Fuzzing the upload checks of services/records: magic bytes decide the kind, the whole file must parse.

Any bytes a clinician uploads are either stored as the kind their content declares (PDF, PNG or JPEG, by
magic bytes; never by name or claimed type) and parses as in full, with their exact size and SHA-256, or
refused with a typed error (UnsupportedType, TooLarge, InvalidInput) that leaves no row behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import TooLarge
from roi_tracker.domain.errors import UnsupportedType
from roi_tracker.runtime import Runtime
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from tests.helpers import call
from tests.helpers import count
from tests.helpers import pdf_of_size
from tests.helpers import person

MAGIC = {magic: media_type for magic, media_type, _ in rules.MAGIC}
LIMIT_MB = 1
LIMIT = LIMIT_MB * 1024 * 1024
REFUSALS = (UnsupportedType, TooLarge, InvalidInput)

near_magic = st.sampled_from(list(MAGIC)).flatmap(
    lambda magic: st.integers(0, len(magic)).map(lambda cut: magic[:cut])
)
contents = st.one_of(
    st.binary(max_size=64),
    st.tuples(st.sampled_from(list(MAGIC)), st.binary(max_size=64)).map(b"".join),
    st.tuples(near_magic, st.binary(max_size=8)).map(b"".join),
)


def _declared(content: bytes) -> str | None:
    """The media type the content's first bytes declare, by the list the upload check promises to follow."""
    for magic, media_type in MAGIC.items():
        if content.startswith(magic):
            return media_type
    return None


@pytest.fixture
def clinician_and_client(
    runtime: Runtime, with_settings: Callable[..., None]
) -> tuple[audit.Actor, clients.ClientView]:
    """A clinician with one client on their caseload, and a 1 MB upload limit."""
    with_settings(max_upload_mb=LIMIT_MB)
    alice = person(runtime, "alice", "clinician")
    details = rules.Demographics(given_name="Maya", family_name="Okafor", date_of_birth=date(1990, 5, 4))
    return alice, call(runtime, clients.register, alice, details, [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=contents, category=st.sampled_from(["attendance", "diagnosis", "court_order"]))
@example(content=b"", category="attendance")
@example(content=pdf_of_size(LIMIT), category="attendance")
@example(content=b"%PDF-" + bytes(LIMIT - 5), category="attendance")
@example(content=b"%PDF-" + bytes(LIMIT - 4), category="attendance")
@example(content=b"\x89PNG\r\n\x1a", category="attendance")
def test_any_bytes_are_stored_as_the_kind_they_declare_or_refused_with_a_typed_error(
    runtime: Runtime,
    clinician_and_client: tuple[audit.Actor, clients.ClientView],
    content: bytes,
    category: str,
) -> None:
    """Stored: the declared media type, exact size and SHA-256. Refused: a typed error and no new row."""
    alice, client = clinician_and_client
    before = count(runtime, models.Document)
    try:
        view = call(
            runtime, documents.upload, alice, client.id, content=content, category=category, title="Scan"
        )
    except REFUSALS as exc:
        refused: Exception | None = exc
    else:
        refused = None
    declared = _declared(content)
    if refused is not None:
        assert count(runtime, models.Document) == before
        if not content:
            assert isinstance(refused, InvalidInput), refused
        elif len(content) > LIMIT:
            assert isinstance(refused, TooLarge), (content[:16], refused)
        elif declared is None:
            assert isinstance(refused, UnsupportedType), (content[:16], refused)
        else:
            # Declared by its first bytes but not parseable in full (or an encrypted PDF): refused too.
            assert isinstance(refused, InvalidInput | UnsupportedType), (content[:16], refused)
            assert getattr(refused, "field", "file") == "file", refused
        return
    assert declared is not None
    assert len(content) <= LIMIT
    assert (view.media_type, view.size, view.sha256) == (
        declared,
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert count(runtime, models.Document) == before + 1
