"""Keys at the instance level: refuse to start without the right key file, rotate, retire, crypto-shred.

security.md A7 (rotation without downtime, resumable, retire only when unused), A9 (crypto-shredding gated by
retention and legal hold, the access log intact afterwards) and A10 (fail closed at startup, write nothing).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import func
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import cli
from roi_tracker import config
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import keyfile
from roi_tracker import models
from roi_tracker.app import create_app
from roi_tracker.audit import verify
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import Gone
from roi_tracker.domain.errors import NotFound
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import StartupError
from roi_tracker.runtime import open_instance
from roi_tracker.services.context import Env
from roi_tracker.services.operations import keys
from roi_tracker.services.people import mfa
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.records import page as client_page
from roi_tracker.services.records import search as client_search
from tests.helpers import pdf
from tests.web.conftest import FakeClock
from tests.web.conftest import sign_in

SYSTEM = audit.Actor("test", "system")
OPERATOR = audit.Actor("cli", "system")
PASSWORD = "correct horse battery staple"
PDF = pdf()
BORN = date(1975, 11, 3)


class Interrupted(Exception):
    """Stands for a crash or Ctrl-C in the middle of a rotation."""


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


def register_many(runtime: Runtime, actor: audit.Actor, n: int) -> list[uuid.UUID]:
    """Register `n` synthetic clients on `actor`'s caseload; return their ids."""
    out = []
    with runtime.sessions() as session:
        for i in range(n):
            d = rules.Demographics(given_name=f"Client{i}", family_name=f"Family{i}", date_of_birth=BORN)
            out.append(clients.register(session, runtime.env, actor, d, []).id)
    return out


def read(runtime: Runtime, actor: audit.Actor, client_id: uuid.UUID, env: Env | None = None) -> str:
    """Read a client's family name, as a request would."""
    with runtime.sessions() as session:
        return clients.get(session, env or runtime.env, actor, client_id).demographics.family_name


def rotate(runtime: Runtime, **kwargs: Any) -> tuple[str, int]:
    """Run a key rotation in its own session."""
    with runtime.sessions() as session:
        return keys.rotate(session, runtime.env, OPERATOR, **kwargs)


def kek_ids_of_data_keys(runtime: Runtime) -> set[str]:
    """Return the KEK ids the stored data keys are wrapped by."""
    with runtime.sessions() as session:
        return set(session.execute(select(models.ClientKey.kek_id)).scalars())


def key_file_keks(runtime: Runtime) -> dict[str, str]:
    """Return {KEK id: state} as the key file on disk holds them."""
    return {k.id: k.state for k in keyfile.load(runtime.env.settings.key_file).keks.values()}


def snapshot(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every table (to prove that nothing was written)."""
    out = {}
    with runtime.engine.connect() as conn:
        for table in db.Base.metadata.sorted_tables:
            out[table.name] = sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
    return out


@pytest.fixture
def clock(runtime: Runtime) -> FakeClock:
    """Give the instance a clock that moves only when the test moves it."""
    fake = FakeClock(datetime.now(UTC).replace(microsecond=0))
    object.__setattr__(runtime.env, "clock", fake)
    return fake


@pytest.fixture
def alice(runtime: Runtime) -> audit.Actor:
    """A clinician."""
    return person(runtime, "alice", "clinician")


@pytest.fixture
def enrolled(runtime: Runtime, clock: FakeClock) -> tuple[uuid.UUID, str]:
    """A user with a TOTP secret sealed under the current primary KEK; returns (user id, secret)."""
    actor = person(runtime, "tess", "front_desk")
    secret = mfa.new_secret()
    with runtime.sessions() as session:
        mfa.confirm_enrolment(
            session, runtime.env, actor, uuid.UUID(actor.user_id), secret, pyotp.TOTP(secret).at(clock.now)
        )
    return uuid.UUID(actor.user_id), secret


def totp_still_verifies(runtime: Runtime, clock: FakeClock, user: tuple[uuid.UUID, str]) -> bool:
    """Tell whether the user's next TOTP code is accepted (the sealed secret still opens)."""
    user_id, secret = user
    clock.advance(seconds=60)
    with runtime.sessions() as session:
        row = session.get(models.User, user_id)
        assert row is not None
        return mfa.consume_code(session, runtime.env, row, pyotp.TOTP(secret).at(clock.now)) == "totp"


# -- startup (A10) -------------------------------------------------------------------------------------------


def test_a_key_file_from_another_instance_is_refused_at_start_and_nothing_is_written(
    runtime: Runtime, alice: audit.Actor, tmp_path: Path
) -> None:
    """The database's canaries name keys the other file does not hold: StartupError, no row changes."""
    register_many(runtime, alice, 2)
    before = snapshot(runtime)
    other = tmp_path / "other-keys.json"
    keyfile.write_new(crypto.Keyring.generate(), other)
    with pytest.raises(StartupError) as caught:
        open_instance(replace(runtime.env.settings, key_file=other))
    assert "does not hold" in str(caught.value)
    assert "ROI_KEY_FILE" in str(caught.value)
    assert snapshot(runtime) == before


def test_a_key_file_with_the_right_ids_but_wrong_material_is_refused(
    runtime: Runtime, alice: audit.Actor, tmp_path: Path
) -> None:
    """A KEK replaced in place (same id, other bytes) fails its canary and names the key."""
    register_many(runtime, alice, 1)
    before = snapshot(runtime)
    doc = json.loads(runtime.env.settings.key_file.read_text())
    kek = doc["keks"][0]
    kek["key"] = base64.b64encode(bytes(32)).decode()
    forged = tmp_path / "forged-keys.json"
    forged.write_text(json.dumps(doc))
    forged.chmod(0o600)
    with pytest.raises(StartupError) as caught:
        open_instance(replace(runtime.env.settings, key_file=forged))
    assert kek["id"] in str(caught.value)
    assert snapshot(runtime) == before


def test_a_missing_key_file_is_refused_at_start_and_never_created(
    runtime: Runtime, alice: audit.Actor, tmp_path: Path
) -> None:
    """No key file: StartupError saying how to fix it; no key is generated and no row is written."""
    register_many(runtime, alice, 1)
    before = snapshot(runtime)
    missing = tmp_path / "nowhere" / "keys.json"
    with pytest.raises(StartupError) as caught:
        open_instance(replace(runtime.env.settings, key_file=missing))
    assert "roi-tracker init" in str(caught.value)
    assert not missing.exists()
    assert not missing.parent.exists()
    assert snapshot(runtime) == before


def test_the_right_key_file_starts_and_reads(runtime: Runtime, alice: audit.Actor) -> None:
    """The control: the instance's own key file, loaded from disk, opens the instance and reads a client."""
    [client_id] = register_many(runtime, alice, 1)
    reopened = open_instance(runtime.env.settings)
    try:
        assert read(reopened, alice, client_id) == "Family0"
    finally:
        reopened.close()


# -- rotation (A7) -------------------------------------------------------------------------------------------


def test_rotation_rewraps_every_data_key_and_everything_still_opens(
    runtime: Runtime, alice: audit.Actor, clock: FakeClock, enrolled: tuple[uuid.UUID, str]
) -> None:
    """No data key keeps the old KEK; clients read; TOTP verifies; the old key stays, decrypt-only."""
    ids = register_many(runtime, alice, 7)
    old = runtime.env.keyring.primary_kek_id
    new, done = rotate(runtime)
    assert new != old
    assert done == 7
    assert kek_ids_of_data_keys(runtime) == {new}
    assert key_file_keks(runtime) == {old: "decrypt-only", new: "primary"}
    assert [read(runtime, alice, cid) for cid in ids] == [f"Family{i}" for i in range(7)]
    assert totp_still_verifies(runtime, clock, enrolled)
    with runtime.sessions() as session:
        user = session.get(models.User, enrolled[0])
        assert user is not None
        sealed = user.totp_secret
        assert crypto.Keyring.sealed_by(bytes(sealed)) == new
        states = {
            (k.id, k.state, k.data_keys) for k in keys.status(session, runtime.env) if k.purpose == "kek"
        }
        rotated = session.execute(
            select(models.AuditEntry).where(models.AuditEntry.action == Action.KEYS_ROTATED.value)
        ).scalar_one()
    assert states == {(old, "decrypt-only", 0), (new, "primary", 7)}
    assert rotated.object_id == new


def test_a_restarted_instance_starts_with_the_rotated_key_file(runtime: Runtime, alice: audit.Actor) -> None:
    """The new KEK's canary is remembered, so the next start accepts the key file and reads."""
    [client_id] = register_many(runtime, alice, 1)
    rotate(runtime)
    reopened = open_instance(runtime.env.settings)
    try:
        assert read(reopened, alice, client_id) == "Family0"
    finally:
        reopened.close()


def test_an_interrupted_rotation_resumes_without_making_another_key(
    runtime: Runtime,
    alice: audit.Actor,
    clock: FakeClock,
    enrolled: tuple[uuid.UUID, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Batches are durable: a rotation stopped after one batch completes on the next run with the same KEK."""
    monkeypatch.setattr(keys, "BATCH", 5)
    ids = register_many(runtime, alice, 12)
    old = runtime.env.keyring.primary_kek_id

    def stop_after_first_batch(n: int) -> None:
        raise Interrupted(f"stopped after {n}")

    with pytest.raises(Interrupted):
        rotate(runtime, progress=stop_after_first_batch)
    after_crash = key_file_keks(runtime)
    [new] = set(after_crash) - {old}
    with runtime.sessions() as session:
        assert keys.pending(session, runtime.env) == 7
    assert [read(runtime, alice, cid) for cid in ids] == [f"Family{i}" for i in range(12)]

    primary, done = rotate(runtime)
    assert primary == new
    assert done == 7
    assert key_file_keks(runtime) == after_crash == {old: "decrypt-only", new: "primary"}
    assert kek_ids_of_data_keys(runtime) == {new}
    assert totp_still_verifies(runtime, clock, enrolled)
    with runtime.sessions() as session:
        rotations = session.execute(
            select(func.count()).where(models.AuditEntry.action == Action.KEYS_ROTATED.value)
        ).scalar_one()
    assert rotations == 1


def test_a_keyring_loaded_before_rotation_still_reads_afterwards(
    runtime: Runtime, alice: audit.Actor
) -> None:
    """Another process holding the old key file adopts the new KEK from the file on an unknown key id."""
    ids = register_many(runtime, alice, 3)
    stale = Env.build(runtime.env.settings, keyfile.load(runtime.env.settings.key_file))
    old = stale.keyring.primary_kek_id
    new, _ = rotate(runtime)
    assert new not in stale.keyring.keks
    assert [read(runtime, alice, cid, env=stale) for cid in ids] == ["Family0", "Family1", "Family2"]
    assert stale.keyring.primary_kek_id == new
    assert stale.keyring.keks[old].state == "decrypt-only"


@pytest.mark.slow
def test_rotation_while_readers_run_loses_no_read(
    runtime: Runtime, alice: audit.Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers in threads (one with a keyring loaded from the old key file) see no error during rotation."""
    monkeypatch.setattr(keys, "BATCH", 5)
    ids = register_many(runtime, alice, 60)
    stale = Env.build(runtime.env.settings, keyfile.load(runtime.env.settings.key_file))
    stop = threading.Event()
    reads = [0, 0, 0]
    errors: list[BaseException] = []

    def reader(slot: int, env: Env) -> None:
        n = slot
        while not stop.is_set():
            cid = ids[n % len(ids)]
            try:
                assert read(runtime, alice, cid, env=env) == f"Family{n % len(ids)}"
            except BaseException as exc:  # noqa: BLE001 - every failure counts as a lost read
                errors.append(exc)
            reads[slot] += 1
            n += 7

    threads = [
        threading.Thread(target=reader, args=(slot, env))
        for slot, env in enumerate((runtime.env, runtime.env, stale))
    ]
    for thread in threads:
        thread.start()
    during: list[int] = []

    def pace(_: int) -> None:
        # Leave room between batches, as the CLI's progress bar does, so readers interleave with batches.
        during.append(sum(reads))
        time.sleep(0.02)

    try:
        time.sleep(0.1)
        new, done = rotate(runtime, progress=pace)
        # Let the stale reader finish a few reads of re-wrapped keys, which it can only do by adopting.
        target, deadline = reads[2] + 3, time.monotonic() + 30
        while reads[2] < target and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert done == 60
    assert len(during) == 12
    assert during[-1] > during[0], "no read happened while the rotation ran"
    assert all(count > 0 for count in reads), reads
    assert kek_ids_of_data_keys(runtime) == {new}
    assert stale.keyring.primary_kek_id == new


# -- retirement (A7) -----------------------------------------------------------------------------------------


def test_retiring_is_refused_while_a_key_is_primary_or_in_use_and_allowed_after_rotation(
    runtime: Runtime,
    alice: audit.Actor,
    clock: FakeClock,
    enrolled: tuple[uuid.UUID, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Primary: refused. Half-rotated: refused, naming its users. Fully rotated: retired and forgotten."""
    monkeypatch.setattr(keys, "BATCH", 2)
    ids = register_many(runtime, alice, 5)
    old = runtime.env.keyring.primary_kek_id
    old_material = base64.b64encode(runtime.env.keyring.keks[old].material).decode()

    def retire(key_id: str) -> None:
        with runtime.sessions() as session:
            keys.retire(session, runtime.env, OPERATOR, key_id)

    with pytest.raises(Conflict, match="primary"):
        retire(old)

    def stop_after_first_batch(n: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        rotate(runtime, progress=stop_after_first_batch)
    with pytest.raises(Conflict, match="still protects 4 "):  # 3 data keys and one TOTP secret
        retire(old)
    assert key_file_keks(runtime)[old] == "decrypt-only"

    new, _ = rotate(runtime)
    retire(old)
    assert key_file_keks(runtime) == {old: "retired", new: "primary"}
    text = runtime.env.settings.key_file.read_text()
    assert old_material not in text
    assert [k["key"] for k in json.loads(text)["keks"] if k["id"] == old] == [""]
    assert [read(runtime, alice, cid) for cid in ids] == [f"Family{i}" for i in range(5)]
    assert totp_still_verifies(runtime, clock, enrolled)
    reopened = open_instance(runtime.env.settings)
    try:
        assert read(reopened, alice, ids[0]) == "Family0"
    finally:
        reopened.close()
    with pytest.raises(Conflict, match="already retired"):
        retire(old)
    with pytest.raises(NotFound):
        retire("kek-00000000")


# -- crypto-shredding (A9) -----------------------------------------------------------------------------------


def purge(runtime: Runtime, client_id: uuid.UUID) -> None:
    """Run the purge use case as the operator."""
    with runtime.sessions() as session:
        keys.purge(session, runtime.env, OPERATOR, client_id)


def hold(runtime: Runtime, client_id: uuid.UUID, *, on: bool) -> None:
    """Place or lift a legal hold."""
    with runtime.sessions() as session:
        keys.set_legal_hold(session, runtime.env, OPERATOR, client_id, hold=on)


def entries_for(runtime: Runtime, client_id: uuid.UUID) -> list[tuple[str, str, str]]:
    """Return (action, outcome, basis) of every entry about a client."""
    with runtime.sessions() as session:
        stmt = select(models.AuditEntry).where(models.AuditEntry.client_id == str(client_id))
        rows = session.execute(stmt.order_by(models.AuditEntry.seq)).scalars()
        return [(e.action, e.outcome, e.basis) for e in rows]


def years_later(moment: datetime, years: int, **delta: float) -> datetime:
    """Return the same calendar moment `years` later, moved by `delta`."""
    return moment.replace(year=moment.year + years) + timedelta(**delta)


def test_purge_is_refused_before_retention_ends_and_under_legal_hold(
    runtime: Runtime, alice: audit.Actor, clock: FakeClock
) -> None:
    """Refused today, refused a day before six years, refused under hold; each refusal logged (H-R1)."""
    [client_id] = register_many(runtime, alice, 1)
    registered = clock.now
    with pytest.raises(Conflict, match="retention"):
        purge(runtime, client_id)
    clock.now = years_later(registered, 6, days=-1)
    with pytest.raises(Conflict, match="retention"):
        purge(runtime, client_id)
    hold(runtime, client_id, on=True)
    clock.now = years_later(registered, 6, days=1)
    with pytest.raises(Conflict, match="legal hold"):
        purge(runtime, client_id)
    assert read(runtime, alice, client_id) == "Family0"
    shreds = [e for e in entries_for(runtime, client_id) if e[0] == Action.CLIENT_SHREDDED.value]
    assert shreds == [("client:shredded", "refused", "H-R1")] * 3


def test_purge_after_retention_destroys_the_key_and_leaves_the_log_intact(
    runtime: Runtime, alice: audit.Actor, clock: FakeClock
) -> None:
    """Six years and a day after the last activity, with the hold lifted: reads are Gone, the log verifies."""
    client_id, other_id = register_many(runtime, alice, 2)
    with runtime.sessions() as session:
        doc = documents.upload(
            session, runtime.env, alice, client_id, content=PDF, category="attendance", title="Letter"
        )
    last_activity = clock.now
    hold(runtime, client_id, on=True)
    hold(runtime, client_id, on=False)
    clock.now = years_later(last_activity, 6, days=1)
    logged_before = entries_for(runtime, client_id)
    purge(runtime, client_id)

    with pytest.raises(Gone):
        read(runtime, alice, client_id)
    with runtime.sessions() as session, pytest.raises(Gone):
        client_page.open_page(session, runtime.env, alice, client_id)
    with runtime.sessions() as session, pytest.raises(Gone):
        documents.download(session, runtime.env, alice, doc.id)
    with runtime.sessions() as session:
        assert client_search.by_name_and_birth(session, runtime.env, alice, "Family0", BORN) == []
        assert client_search.caseload(session, runtime.env, alice)[0].id == other_id
        assert session.get(models.ClientKey, (client_id, 1)) is None
        terms = select(models.ClientSearchTerm).where(models.ClientSearchTerm.client_id == client_id)
        assert session.execute(terms).first() is None  # found by nothing, not even a blind index
        assert [f.id for f in client_search.by_text(session, runtime.env, alice, "family")] == [other_id]
        verdict = verify.verify(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir, full=True)
    assert verdict.intact, verdict
    assert entries_for(runtime, client_id)[: len(logged_before)] == logged_before
    assert ("client:shredded", "allowed", "H-R1") in entries_for(runtime, client_id)
    assert read(runtime, alice, other_id) == "Family1"
    with pytest.raises(Conflict, match="already"):
        purge(runtime, client_id)


def test_a_purged_client_answers_410_on_the_web_page_and_the_api(
    runtime: Runtime, alice: audit.Actor, clock: FakeClock
) -> None:
    """Gone is its own answer (410), distinct from not found, with no detail of the client."""
    [client_id] = register_many(runtime, alice, 1)
    clock.now = years_later(clock.now, 6, days=1)
    purge(runtime, client_id)
    app = create_app(runtime)
    browser = app.test_client()
    assert sign_in(browser, "alice").status_code == 302
    page = browser.get(f"/clients/{client_id}")
    assert page.status_code == 410
    assert "Family0" not in page.text
    with runtime.sessions() as session:
        token = users.issue_token(session, runtime.env, SYSTEM, "alice")
    api = app.test_client().get(f"/api/v1/clients/{client_id}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 410
    assert api.json["error"]["code"] == "shredded"
    assert "Family0" not in api.text


# -- the command line ----------------------------------------------------------------------------------------


@pytest.fixture
def cli_instance(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo instance made by `roi-tracker init --demo`, the command pointed at it."""
    inst = tmp_path / "inst"
    monkeypatch.setenv("ROI_INSTANCE_PATH", str(inst))
    monkeypatch.setenv("ROI_DATABASE_URL", database_url)
    for name in ("ROI_KEY_FILE", "ROI_CHECKPOINT_DIR", "ROI_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    assert run("init", "--demo")[0] == 0
    return inst


def run(*args: str) -> tuple[int, str, str]:
    """Run the command in-process and return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli.main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def kek_lines(out: str) -> dict[str, tuple[str, str]]:
    """Parse `keys status` output into {KEK id: (state, data keys)}."""
    rows = [line.split("\t") for line in out.splitlines() if line.startswith("kek\t")]
    return {row[1]: (row[2], row[3]) for row in rows}


def test_the_keys_and_clients_commands_rotate_retire_hold_and_refuse_a_purge(cli_instance: Path) -> None:
    """status, rotate, retire, hold and purge through `roi-tracker`, with one-line refusals."""
    code, out, _ = run("keys", "status")
    assert code == 0
    [(old, (state, data_keys))] = kek_lines(out).items()
    assert state == "primary"
    assert data_keys.endswith(" data keys")
    count = int(data_keys.split()[0])
    assert count > 0
    assert "material" not in out
    assert run("keys", "retire", old)[0] == 1

    code, out, _ = run("keys", "rotate")
    assert code == 0, out
    assert f"{count} data keys re-wrapped" in out
    status = kek_lines(run("keys", "status")[1])
    [new] = set(status) - {old}
    assert status == {old: ("decrypt-only", "0 data keys"), new: ("primary", f"{count} data keys")}
    code, out, _ = run("keys", "retire", old)
    assert (code, out.strip()) == (0, f"retired {old}")
    code, _, err = run("keys", "retire", new)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "primary" in err

    engine = db.make_engine(config.load().database_url)
    with engine.connect() as conn:
        client_id = str(conn.execute(sa.select(models.Client.id).limit(1)).scalar_one())
    engine.dispose()
    code, _, err = run("clients", "purge", client_id)
    assert code == 1
    assert "retention" in err
    assert len(err.strip().splitlines()) == 1
    assert run("clients", "hold", client_id)[1].startswith("legal hold placed on")
    assert "legal hold" in run("clients", "purge", client_id)[2]
    assert run("clients", "hold", client_id, "--release")[1].startswith("legal hold lifted from")
    code, _, err = run("clients", "purge", "not-a-uuid")
    assert code == 1
    assert "no such client" in err
