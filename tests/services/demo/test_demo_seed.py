"""`demo seed`: bulk synthetic clients under the real keys, a valid log, usable by search and the gate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import models
from roi_tracker.audit import verify as verifier
from roi_tracker.domain import disclosure
from roi_tracker.domain.errors import Conflict
from roi_tracker.domain.errors import InvalidInput
from roi_tracker.runtime import Runtime
from roi_tracker.services.demo import seed as demo_seed
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.records import search as client_search
from tests.cli.conftest import cli_env  # noqa: F401 - a fixture shared with the CLI tests
from tests.cli.conftest import run
from tests.helpers import count
from tests.helpers import head_seq

CLIENTS = 50


@pytest.fixture
def seeded(runtime: Runtime) -> demo_seed.Seeded:
    """An instance seeded with CLIENTS synthetic clients."""
    return demo_seed.seed(runtime.sessions, runtime.env, CLIENTS)


def _verdict(runtime: Runtime) -> verifier.Verdict:
    with runtime.sessions() as session:
        return verifier.verify(session, runtime.env.keyring, runtime.env.settings.checkpoint_dir, full=True)


def _desk(runtime: Runtime) -> audit.Actor:
    with runtime.sessions() as session:
        user = session.execute(select(models.User).where(models.User.role == "front_desk")).scalar_one()
    return audit.Actor(str(user.id), "front_desk", "test")


def test_seed_adds_the_clients_their_keys_authorizations_and_about_ten_log_entries_each(
    runtime: Runtime, seeded: demo_seed.Seeded
) -> None:
    """Counts match what the seed reports, and the access log verifies from the first entry."""
    assert count(runtime, models.Client) == count(runtime, models.ClientKey) == CLIENTS
    assert count(runtime, models.Authorization) == seeded.authorizations >= CLIENTS
    assert count(runtime, models.Document) > seeded.authorizations
    assert 8 * CLIENTS <= seeded.log_entries <= 16 * CLIENTS
    assert head_seq(runtime) >= seeded.log_entries
    verdict = _verdict(runtime)
    assert verdict.intact, verdict.reason
    assert verdict.verified == head_seq(runtime)


def test_a_seeded_client_is_found_by_name_and_date_of_birth(
    runtime: Runtime, seeded: demo_seed.Seeded
) -> None:
    """The blind index and the sealed fields were made with the instance's own keys."""
    with runtime.sessions() as session:
        row = session.execute(select(models.Client, models.ClientKey.wrapped).join(models.ClientKey)).first()
    assert row is not None
    client, wrapped = row
    key = runtime.env.keyring.unwrap(bytes(wrapped), str(client.id), 1)
    rid = str(client.id)
    family = key.decrypt(bytes(client.family_name), table="clients", column="family_name", row_id=rid)
    born = key.decrypt(bytes(client.date_of_birth), table="clients", column="date_of_birth", row_id=rid)
    with runtime.sessions() as session:
        found = client_search.by_name_and_birth(
            session, runtime.env, _desk(runtime), family.decode(), date.fromisoformat(born.decode())
        )
    assert client.id in {f.id for f in found}


def test_a_seeded_active_authorization_permits_at_the_gate(
    runtime: Runtime, seeded: demo_seed.Seeded
) -> None:
    """The disclosure check reads the seeded terms and permits what an active release covers."""
    today = runtime.env.clock().date()
    with runtime.sessions() as session:
        auth, wrapped = session.execute(
            select(models.Authorization, models.ClientKey.wrapped)
            .join(models.ClientKey, models.ClientKey.client_id == models.Authorization.client_id)
            .where(models.Authorization.revoked_on.is_(None), models.Authorization.expires_on > today)
            .limit(1)
        ).one()
    key = runtime.env.keyring.unwrap(bytes(wrapped), str(auth.client_id), 1)
    terms = json.loads(
        key.decrypt(bytes(auth.terms), table="authorizations", column="terms", row_id=str(auth.id))
    )
    q = disclosures.question(
        auth.client_id, str(auth.recipient_id), terms["categories"], terms["purposes"][0], None, today
    )
    with runtime.sessions() as session:
        decision = disclosures.check(session, runtime.env, _desk(runtime), q)
    assert decision.answer is disclosure.Answer.PERMIT


def test_seed_refuses_an_instance_with_clients_unless_asked_to_add(
    runtime: Runtime, seeded: demo_seed.Seeded
) -> None:
    """A second seed is refused with a reason; with add it appends and the chain still verifies."""
    with pytest.raises(Conflict, match="--add"):
        demo_seed.seed(runtime.sessions, runtime.env, 5)
    assert count(runtime, models.Client) == CLIENTS
    demo_seed.seed(runtime.sessions, runtime.env, 5, add=True, seed_value=2)
    assert count(runtime, models.Client) == CLIENTS + 5
    assert _verdict(runtime).intact


@pytest.mark.parametrize("bad", [0, -3, demo_seed.MAX_CLIENTS + 1])
def test_seed_refuses_a_number_of_clients_out_of_range(runtime: Runtime, bad: int) -> None:
    """Nothing is written for a bad N."""
    with pytest.raises(InvalidInput):
        demo_seed.seed(runtime.sessions, runtime.env, bad)
    assert count(runtime, models.Client) == 0


def test_the_command_seeds_and_the_log_verifies(cli_env: Path) -> None:  # noqa: F811
    """`demo seed --clients 20` then `audit verify --full` both succeed; a bad N is one line on stderr."""
    assert run("init")[0] == 0
    code, out, err = run("demo", "seed", "--clients", "20")
    assert code == 0, err
    assert "added 20 synthetic clients" in out
    assert run("audit", "verify", "--full")[0] == 0
    code, _, err = run("demo", "seed", "--clients", "0")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    code, _, err = run("demo", "seed", "--clients", "5")
    assert code == 1
    assert "--add" in err


def test_batches_built_by_worker_processes_keep_the_chain_whole(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several batches (built in forked workers, written in order) make one valid chain and unique labels."""
    monkeypatch.setattr(demo_seed, "BATCH", 20)
    done = demo_seed.seed(runtime.sessions, runtime.env, 45)
    assert count(runtime, models.Client) == 45
    assert count(runtime, models.Authorization) == done.authorizations
    assert _verdict(runtime).intact
