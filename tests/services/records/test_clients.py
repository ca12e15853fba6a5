"""Client records at the service level: who reads what, search by blind index, documents, integrity."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import IntegrityFailure
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.domain.errors import NotFound
from roi_tracker.domain.errors import TooLarge
from roi_tracker.domain.errors import UnsupportedType
from roi_tracker.runtime import Runtime
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import page as client_page
from roi_tracker.services.records import search as client_search
from roi_tracker.services.records import vault
from tests.helpers import call
from tests.helpers import count
from tests.helpers import head_seq
from tests.helpers import image
from tests.helpers import pdf
from tests.helpers import pdf_of_size

SYSTEM = audit.Actor("test", "system")
PASSWORD = "correct horse battery staple"
PDF = pdf()
PNG = image("PNG")
GIF = b"GIF89a" + bytes(64)
MB = 1024 * 1024


def person(runtime: Runtime, username: str, role: str) -> audit.Actor:
    """Create an account and return the actor it signs in as."""
    with runtime.sessions() as session:
        view = users.create_user(
            session,
            runtime.env,
            SYSTEM,
            username=username,
            display_name=username.title(),
            role=role,
            password=PASSWORD,
        )
    return audit.Actor(str(view.id), role)


def details(
    family_name: str = "O'Brien", born: date = date(1980, 5, 6), **more: object
) -> rules.Demographics:
    """Return a synthetic client's demographics."""
    return rules.Demographics(
        given_name=str(more.pop("given_name", "Zoë")), family_name=family_name, date_of_birth=born, **more
    )


def register(
    runtime: Runtime, actor: audit.Actor, d: rules.Demographics, clinicians: list[str] | None = None
) -> clients.ClientView:
    """Register a client as `actor` (a clinician registers onto their own caseload by default)."""
    with runtime.sessions() as session:
        return clients.register(session, runtime.env, actor, d, clinicians or [])


def entries_after(runtime: Runtime, seq: int) -> list[models.AuditEntry]:
    """Return the access-log entries newer than `seq`, oldest first."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.seq > seq).order_by(models.AuditEntry.seq)
        return list(session.execute(stmt).scalars())


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """A clinician."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def bob(runtime: Runtime) -> audit.Actor:
    """Another clinician, with a caseload of his own."""
    return person(runtime, "bob", "clinician")


@pytest.fixture
def desk(runtime: Runtime) -> audit.Actor:
    """The front desk."""
    return person(runtime, "frank", "front_desk")


@pytest.fixture
def zoe(runtime: Runtime, alice: audit.Actor) -> clients.ClientView:
    """A client on alice's caseload."""
    return register(runtime, alice, details())


# -- register and read ---------------------------------------------------------------------------------------


def test_a_registered_client_reads_back_exactly_as_entered(runtime: Runtime, alice: audit.Actor) -> None:
    """Every field round trips through its own ciphertext; surrounding spaces are trimmed."""
    entered = details(
        "  Núñez-O'Brien ",
        date(1971, 7, 19),
        given_name=" Zoë ",
        pronouns="she/her",
        phone="+1 (555) 010-2030 ext 4",
        email="zoe@example.org",
        address="12 Example Street\nSpringfield",
        emergency_contact="Sam Núñez, 555-0100",
        part2=True,
    )
    registered = register(runtime, alice, entered)
    read = call(runtime, clients.get, alice, registered.id)
    assert read.demographics == rules.check(entered, today=date(2100, 1, 1))
    assert read.demographics.family_name == "Núñez-O'Brien"
    assert read.clinicians == ("alice",)
    assert read.reference == registered.reference
    assert read.status == "active"


def test_stores_no_identifying_field_in_plaintext(runtime: Runtime, alice: audit.Actor) -> None:
    """The row holds ciphertext for every identifying field (A6: rows hold bytes only)."""
    view = register(runtime, alice, details("Okafor", given_name="Maya", email="maya@example.org"))
    with runtime.sessions() as session:
        row = session.get(models.Client, view.id)
        for column in (*vault.TEXT_FIELDS, "date_of_birth", "part2"):
            stored = bytes(getattr(row, column))
            assert stored[:2] == b"\x01\x01", column
            for plain in (b"Okafor", b"Maya", b"maya@example.org", b"1980-05-06"):
                assert plain not in stored, column


def test_registering_logs_the_write_with_the_record(runtime: Runtime, alice: audit.Actor) -> None:
    """One client:record:written entry, basis register, naming the new client."""
    before = head_seq(runtime)
    view = register(runtime, alice, details())
    written = [e for e in entries_after(runtime, before) if e.action == Action.CLIENT_RECORD_WRITTEN]
    assert [(e.client_id, e.basis, e.outcome) for e in written] == [(str(view.id), "register", "allowed")]


# -- who may read what ---------------------------------------------------------------------------------------


def test_a_clinician_off_the_caseload_is_answered_like_a_missing_client(
    runtime: Runtime, bob: audit.Actor, zoe: clients.ClientView
) -> None:
    """Same error, same message for 'not yours' and 'does not exist' (ASVS 8.2.2); both refusals logged."""
    missing = uuid.uuid4()
    before = head_seq(runtime)
    with pytest.raises(NotFound) as not_mine:
        call(runtime, clients.get, bob, zoe.id)
    with pytest.raises(NotFound) as not_there:
        call(runtime, clients.get, bob, missing)
    assert type(not_mine.value) is type(not_there.value)
    assert str(not_mine.value) == str(not_there.value)
    refused = [(e.action, e.outcome, e.client_id, e.actor) for e in entries_after(runtime, before)]
    assert refused == [
        ("client:record:read", "refused", str(zoe.id), bob.user_id),
        ("client:record:read", "refused", str(missing), bob.user_id),
    ]


def test_a_clinician_off_the_caseload_cannot_open_the_page_edit_or_discharge(
    runtime: Runtime, bob: audit.Actor, zoe: clients.ClientView
) -> None:
    """Every client use case answers NotFound to a clinician the client is not assigned to."""
    with pytest.raises(NotFound):
        call(runtime, client_page.open_page, bob, zoe.id)
    with pytest.raises(NotFound):
        call(runtime, clients.update, bob, zoe.id, details("Changed"))
    with pytest.raises(NotFound):
        call(runtime, clients.discharge, bob, zoe.id)
    with pytest.raises(NotFound):
        call(runtime, documents.upload, bob, zoe.id, content=PDF, category="attendance", title="Letter")
    assert count(runtime, models.Document) == 0


def test_front_desk_reads_demographics_of_any_client_but_no_documents(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: clients.ClientView
) -> None:
    """The front desk sees names and contact details, never clinical content (documents)."""
    doc = call(runtime, documents.upload, alice, zoe.id, content=PDF, category="attendance", title="Letter")
    read = call(runtime, clients.get, desk, zoe.id)
    assert read.demographics.family_name == "O'Brien"
    page = call(runtime, client_page.open_page, desk, zoe.id)
    assert page.documents is None
    before = head_seq(runtime)
    with pytest.raises(NotFound):
        call(runtime, documents.download, desk, doc.id)
    assert [(e.action, e.outcome) for e in entries_after(runtime, before)] == [("document:read", "refused")]
    with pytest.raises(NotFound):
        call(runtime, documents.upload, desk, zoe.id, content=PDF, category="attendance", title="Letter")


def test_the_clinician_sees_documents_on_the_page_and_downloads_them(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """The client's own clinician gets the document list and the content back."""
    doc = call(runtime, documents.upload, alice, zoe.id, content=PNG, category="attendance", title="Letter")
    page = call(runtime, client_page.open_page, alice, zoe.id)
    assert [(d.id, d.title, d.media_type) for d in page.documents or []] == [(doc.id, "Letter", "image/png")]
    view, content = call(runtime, documents.download, alice, doc.id)
    assert content == PNG
    assert view.filename.startswith("attendance-")
    assert view.filename.endswith(".png")


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_administrators_see_no_client_at_all(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView, role: str
) -> None:
    """Neither role reads, lists, searches or downloads client data at the service level either."""
    doc = call(runtime, documents.upload, alice, zoe.id, content=PDF, category="attendance", title="Letter")
    someone = person(runtime, f"{role}1", role)
    with pytest.raises(NotFound):
        call(runtime, clients.get, someone, zoe.id)
    with pytest.raises(NotFound):
        call(runtime, client_page.open_page, someone, zoe.id)
    with pytest.raises(NotFound):
        call(runtime, documents.download, someone, doc.id)
    assert call(runtime, client_search.by_name_and_birth, someone, "O'Brien", date(1980, 5, 6)) == []
    assert call(runtime, client_search.by_reference, someone, zoe.reference) == []
    assert call(runtime, client_search.caseload, someone) == []


# -- search --------------------------------------------------------------------------------------------------


def search(runtime: Runtime, actor: audit.Actor, family_name: str, born: date) -> list[client_search.Found]:
    """Search by family name and date of birth as `actor`."""
    found = call(runtime, client_search.by_name_and_birth, actor, family_name, born)
    return found


@pytest.mark.parametrize("query", ["O'Brien", "o'brien", "O'BRIEN", "  o'Brien  ", "Ó'Bríen"])
def test_search_is_blind_to_case_accents_and_spacing(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView, query: str
) -> None:
    """The family name matches however it is typed."""
    assert [f.id for f in search(runtime, alice, query, date(1980, 5, 6))] == [zoe.id]


def test_search_finds_an_accented_name_typed_without_accents(runtime: Runtime, alice: audit.Actor) -> None:
    """A client registered as Núñez is found as nunez."""
    view = register(runtime, alice, details("Núñez", date(1999, 1, 27)))
    found = search(runtime, alice, "NUNEZ", date(1999, 1, 27))
    assert [(f.id, f.family_name, f.date_of_birth) for f in found] == [(view.id, "Núñez", date(1999, 1, 27))]


def test_search_is_exact_on_the_date_and_the_whole_name(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """Another date of birth, a prefix or a longer name finds nothing."""
    assert search(runtime, alice, "O'Brien", date(1980, 5, 7)) == []
    assert search(runtime, alice, "O'Brie", date(1980, 5, 6)) == []
    assert search(runtime, alice, "O'Briens", date(1980, 5, 6)) == []
    assert search(runtime, alice, "OBrien", date(1980, 5, 6)) == []


def test_search_requires_a_family_name(runtime: Runtime, alice: audit.Actor) -> None:
    """A blank name is refused, naming the field."""
    with pytest.raises(InvalidInput) as caught:
        search(runtime, alice, "   ", date(1980, 5, 6))
    assert caught.value.field == "family_name"


def test_a_clinicians_search_finds_only_their_caseload(
    runtime: Runtime, alice: audit.Actor, bob: audit.Actor, desk: audit.Actor
) -> None:
    """Two clients with the same name and birth date: each clinician finds theirs, the front desk both."""
    mine = register(runtime, alice, details())
    his = register(runtime, bob, details())
    assert [f.id for f in search(runtime, alice, "O'Brien", date(1980, 5, 6))] == [mine.id]
    assert [f.id for f in search(runtime, bob, "O'Brien", date(1980, 5, 6))] == [his.id]
    assert {f.id for f in search(runtime, desk, "O'Brien", date(1980, 5, 6))} == {mine.id, his.id}
    assert call(runtime, client_search.by_reference, bob, mine.reference) == []


def test_search_logs_the_search_then_one_read_per_match(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor
) -> None:
    """client:search first (committed before decrypting), then one client:record:read per client found."""
    first = register(runtime, alice, details())
    second = register(runtime, alice, details(given_name="Ann"))
    register(runtime, alice, details("Okafor"))
    before = head_seq(runtime)
    found = search(runtime, desk, "o'brien", date(1980, 5, 6))
    logged = entries_after(runtime, before)
    assert [e.action for e in logged] == ["client:search", "client:record:read", "client:record:read"]
    assert all(e.outcome == "allowed" and e.actor == desk.user_id for e in logged)
    assert {e.client_id for e in logged[1:]} == {str(first.id), str(second.id)} == {str(f.id) for f in found}
    assert all(e.basis == "search:name+dob" for e in logged)


def test_a_search_that_finds_nothing_logs_only_the_search(
    runtime: Runtime, desk: audit.Actor, zoe: clients.ClientView
) -> None:
    """No match, no read entry."""
    before = head_seq(runtime)
    assert search(runtime, desk, "Nobody", date(1980, 5, 6)) == []
    assert [e.action for e in entries_after(runtime, before)] == ["client:search"]


FAMILY_NAMES = ("O'Brien", "Núñez", "NUNEZ", "Okafor", "Lindqvist", "Raman", "Echeverría", "Novak", "Smith")
BIRTH_DATES = tuple(date(1950 + n, 1 + n % 12, 1 + n % 28) for n in range(30))


def decrypt_all_and_filter(runtime: Runtime) -> Callable[[str, date], set[uuid.UUID]]:
    """Decrypt every client once (what column-encryption apps must do); return a filter over the result."""
    ring = runtime.env.keyring
    people: list[tuple[uuid.UUID, str, date]] = []
    with runtime.sessions() as session:
        for client in session.execute(select(models.Client)).scalars():
            wrapped = session.get(models.ClientKey, (client.id, client.key_version))
            assert wrapped is not None
            key = ring.unwrap(bytes(wrapped.wrapped), str(client.id), client.key_version)
            row_id = str(client.id)
            name = key.decrypt(
                bytes(client.family_name), table="clients", column="family_name", row_id=row_id
            )
            born = key.decrypt(
                bytes(client.date_of_birth), table="clients", column="date_of_birth", row_id=row_id
            )
            people.append((client.id, name.decode(), date.fromisoformat(born.decode())))

    def matching(family_name: str, born: date) -> set[uuid.UUID]:
        wanted = crypto.normalize(family_name)
        return {cid for cid, name, dob in people if crypto.normalize(name) == wanted and dob == born}

    return matching


def candidates(runtime: Runtime, family_name: str, born: date) -> int:
    """Count the rows the blind index alone selects (matches and false positives)."""
    index = vault.name_dob_index(runtime.env.keyring, family_name, born)
    with runtime.sessions() as session:
        stmt = select(func.count()).select_from(models.Client).where(models.Client.name_dob_index == index)
        return int(session.execute(stmt).scalar_one())


@pytest.mark.slow
def test_search_equals_decrypting_everyone_and_filtering(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P2's identity on 300 clients, with a one-byte index so that false positives are many and filtered."""
    monkeypatch.setattr(vault, "NAME_DOB_BYTES", 1)
    rng = random.Random(7)  # noqa: S311 - synthetic data
    for n in range(300):
        born = rng.choice(BIRTH_DATES)
        register(runtime, desk, details(rng.choice(FAMILY_NAMES), born, given_name=f"P{n}"), ["alice"])
    baseline = decrypt_all_and_filter(runtime)
    queries = [(name, born) for name in FAMILY_NAMES for born in BIRTH_DATES[::3]]
    queries += [("o'brien", BIRTH_DATES[0]), ("ECHEVERRIA", BIRTH_DATES[3]), ("Nobody", BIRTH_DATES[1])]
    false_positives = 0
    matched = 0
    for family_name, born in queries:
        expected = baseline(family_name, born)
        found = search(runtime, desk, family_name, born)
        assert {f.id for f in found} == expected, (family_name, born)
        assert len(found) == len(expected)
        false_positives += candidates(runtime, family_name, born) - len(expected)
        matched += len(expected)
    assert matched > 50, "the queries should find many clients"
    assert false_positives > 50, "a one-byte index should have produced false positives to filter"


def test_updating_the_family_name_reindexes_the_client(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """After an edit the new name finds the client and the old one does not."""
    updated = call(runtime, clients.update, alice, zoe.id, details("Whitfield", date(1980, 5, 6)))
    assert updated.demographics.family_name == "Whitfield"
    assert [f.id for f in search(runtime, alice, "whitfield", date(1980, 5, 6))] == [zoe.id]
    assert search(runtime, alice, "O'Brien", date(1980, 5, 6)) == []
    read = call(runtime, clients.get, alice, zoe.id)
    assert read.demographics.family_name == "Whitfield"


def test_updating_the_date_of_birth_reindexes_the_client(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """The index covers the date of birth too."""
    call(runtime, clients.update, alice, zoe.id, details("O'Brien", date(1981, 5, 6)))
    assert [f.id for f in search(runtime, alice, "O'Brien", date(1981, 5, 6))] == [zoe.id]
    assert search(runtime, alice, "O'Brien", date(1980, 5, 6)) == []


def test_an_update_with_a_blank_name_changes_nothing(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """Invalid input names the field and leaves the stored record as it was."""
    with pytest.raises(InvalidInput) as caught:
        call(runtime, clients.update, alice, zoe.id, details("  "))
    assert caught.value.field == "family_name"
    assert [f.id for f in search(runtime, alice, "O'Brien", date(1980, 5, 6))] == [zoe.id]


# -- discharge -----------------------------------------------------------------------------------------------


def test_the_clinician_discharges_a_client_once(
    runtime: Runtime, alice: audit.Actor, desk: audit.Actor, zoe: clients.ClientView
) -> None:
    """Discharge sets the status and time, is logged, and a second discharge is a conflict."""
    with pytest.raises(NotFound):
        call(runtime, clients.discharge, desk, zoe.id)
    before = head_seq(runtime)
    call(runtime, clients.discharge, alice, zoe.id)
    read = call(runtime, clients.get, alice, zoe.id)
    assert read.status == "discharged"
    assert read.discharged_at is not None
    written = [e for e in entries_after(runtime, before) if e.action == "client:record:written"]
    assert [(e.basis, e.outcome) for e in written] == [("discharge", "allowed")]
    with pytest.raises(Conflict):
        call(runtime, clients.discharge, alice, zoe.id)


# -- uploads -------------------------------------------------------------------------------------------------


def stored(runtime: Runtime) -> tuple[int, int, int]:
    """Count documents, blobs and upload entries."""
    with runtime.sessions() as session:
        uploads = session.execute(
            select(func.count())
            .select_from(models.AuditEntry)
            .where(models.AuditEntry.action == Action.DOCUMENT_UPLOADED.value)
        ).scalar_one()
    return count(runtime, models.Document), count(runtime, models.DocumentBlob), int(uploads)


BAD_UPLOADS = {
    "unknown category": (dict(content=PDF, category="gossip", title="Letter"), InvalidInput, "category"),
    "GIF named as a PDF": (dict(content=GIF, category="attendance", title="x.pdf"), UnsupportedType, None),
    "empty file": (dict(content=b"", category="attendance", title="Letter"), InvalidInput, "file"),
    "missing title": (dict(content=PDF, category="attendance", title="   "), InvalidInput, "title"),
    "title too long": (dict(content=PDF, category="attendance", title="t" * 201), InvalidInput, "title"),
    "one byte over 1 MB": (
        dict(content=b"%PDF-" + bytes(MB + 1 - 5), category="attendance", title="Letter"),
        TooLarge,
        None,
    ),
}


@pytest.mark.parametrize(("upload", "error", "field"), BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_bad_upload_is_refused_and_stores_nothing(
    runtime: Runtime,
    alice: audit.Actor,
    zoe: clients.ClientView,
    with_settings: Callable[..., None],
    upload: dict[str, object],
    error: type[Exception],
    field: str | None,
) -> None:
    """Each refusal has its own domain error (naming the field where there is one) and writes no row."""
    with_settings(max_upload_mb=1)
    before = stored(runtime)
    with pytest.raises(error) as caught:
        call(runtime, documents.upload, alice, zoe.id, **upload)
    assert getattr(caught.value, "field", None) == field
    assert stored(runtime) == before


def test_a_file_of_exactly_the_limit_is_accepted(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView, with_settings: Callable[..., None]
) -> None:
    """The limit is inclusive: 1 MB with a 1 MB limit is stored."""
    with_settings(max_upload_mb=1)
    content = pdf_of_size(MB)
    view = call(runtime, documents.upload, alice, zoe.id, content=content, category="billing", title="Bill")
    assert view.size == MB
    assert stored(runtime) == (1, 1, 1)


@pytest.mark.parametrize(
    ("content", "media_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (image("JPEG"), "image/jpeg")],
    ids=["pdf", "png", "jpeg"],
)
def test_a_document_keeps_the_sha256_of_its_content_and_its_sniffed_type(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView, content: bytes, media_type: str
) -> None:
    """The recorded hash is hashlib's SHA-256 of the plaintext; the type comes from the magic bytes."""
    view = call(runtime, documents.upload, alice, zoe.id, content=content, category="diagnosis", title="D")
    assert view.sha256 == hashlib.sha256(content).hexdigest()
    assert view.media_type == media_type
    with runtime.sessions() as session:
        row = session.get(models.Document, view.id)
        blob = session.get(models.DocumentBlob, view.id)
        assert row is not None
        assert blob is not None
        assert bytes(row.sha256) == hashlib.sha256(content).digest()
        assert content not in bytes(blob.content)
    downloaded, back = call(runtime, documents.download, alice, view.id)
    assert back == content
    assert downloaded.sha256 == hashlib.sha256(back).hexdigest()


# -- integrity -----------------------------------------------------------------------------------------------


def corrupt(runtime: Runtime, model: type[models.Base], key: object, column: str, index: int = -1) -> None:
    """Flip one byte of a stored ciphertext, as a disk fault or a tamperer would."""
    with runtime.sessions() as session:
        row = session.get(model, key)
        tampered = bytearray(getattr(row, column))
        tampered[index] ^= 0x01
        setattr(row, column, bytes(tampered))
        session.commit()


def test_a_corrupted_family_name_fails_the_read_and_is_logged_as_an_integrity_failure(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """One flipped byte in clients.family_name: IntegrityFailure, no plaintext, a security event logged."""
    corrupt(runtime, models.Client, zoe.id, "family_name")
    before = head_seq(runtime)
    with pytest.raises(IntegrityFailure) as caught:
        call(runtime, clients.get, alice, zoe.id)
    assert "O'Brien" not in str(caught.value)
    assert "Zoë" not in str(caught.value)
    failures = [e for e in entries_after(runtime, before) if e.outcome == Outcome.INTEGRITY_FAILURE.value]
    assert [(e.action, e.object_type, e.client_id) for e in failures] == [
        ("client:record:read", "client", str(zoe.id))
    ]
    with pytest.raises(IntegrityFailure):
        search(runtime, alice, "O'Brien", date(1980, 5, 6))


def test_a_corrupted_header_byte_is_caught_too(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """The header is authenticated: damaging it is the same integrity failure."""
    corrupt(runtime, models.Client, zoe.id, "date_of_birth", index=0)
    with pytest.raises(IntegrityFailure):
        call(runtime, clients.get, alice, zoe.id)


def test_a_corrupted_wrapped_data_key_is_an_integrity_failure(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """A damaged wrap fails closed, logged against the client key."""
    corrupt(runtime, models.ClientKey, (zoe.id, 1), "wrapped")
    before = head_seq(runtime)
    with pytest.raises(IntegrityFailure):
        call(runtime, clients.get, alice, zoe.id)
    failures = [e for e in entries_after(runtime, before) if e.outcome == Outcome.INTEGRITY_FAILURE.value]
    assert [e.object_type for e in failures] == ["client_key"]


def test_a_corrupted_document_fails_to_download_and_is_logged(
    runtime: Runtime, alice: audit.Actor, zoe: clients.ClientView
) -> None:
    """Damaged document content is refused, not served."""
    view = call(runtime, documents.upload, alice, zoe.id, content=PDF, category="attendance", title="Letter")
    corrupt(runtime, models.DocumentBlob, view.id, "content", index=40)
    before = head_seq(runtime)
    with pytest.raises(IntegrityFailure):
        call(runtime, documents.download, alice, view.id)
    failures = [e for e in entries_after(runtime, before) if e.outcome == Outcome.INTEGRITY_FAILURE.value]
    assert [(e.object_type, e.client_id) for e in failures] == [("document", str(zoe.id))]
