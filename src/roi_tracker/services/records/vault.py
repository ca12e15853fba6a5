"""Client data keys and the sealing and opening of client fields: where client plaintext is made.

Opening takes an `audit.Receipt`, which only `Log.reveal` issues after committing the read's entry, so no
plaintext can be produced before the access log holds the read (STYLE.md rule 7, security.md B3).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from roi_tracker import audit
from roi_tracker import crypto
from roi_tracker import keyfile
from roi_tracker import models
from roi_tracker.domain import clients as rules
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.domain.errors import Gone
from roi_tracker.domain.errors import IntegrityFailure
from roi_tracker.services.context import Env

TEXT_FIELDS = ("given_name", "family_name", "pronouns", "phone", "email", "address", "emergency_contact")
NAME_DOB_INDEX = "clients.family_name+date_of_birth"
# 16 bits: at 100,000 clients about two false positives per search, filtered after decrypting (A8).
NAME_DOB_BYTES = 2


def name_dob_index(keyring: crypto.Keyring, family_name: str, date_of_birth: date) -> bytes:
    """Return the compound blind index of a family name and a date of birth."""
    # Strip as rules.check does when storing, so "O'Brien " typed in a search finds "O'Brien" (normalize
    # alone would keep one space before the "|").
    return keyring.blind_index(
        NAME_DOB_INDEX, f"{family_name.strip()}|{date_of_birth.isoformat()}", nbytes=NAME_DOB_BYTES
    )


def new_key(session: Session, env: Env, client_id: uuid.UUID) -> crypto.DataKey:
    """Make and store (wrapped) the data key of a new client."""
    key, wrapped = env.keyring.new_data_key(str(client_id), 1)
    session.add(
        models.ClientKey(client_id=client_id, version=1, kek_id=env.keyring.primary_kek_id, wrapped=wrapped)
    )
    return key


def key_of(session: Session, env: Env, actor: audit.Actor, client: models.Client) -> crypto.DataKey:
    """Unwrap a client's data key; a shredded client is Gone, a damaged wrap an IntegrityFailure."""
    row = session.get(models.ClientKey, (client.id, client.key_version))
    if row is None or client.shredded_at is not None:
        when = client.shredded_at.date().isoformat() if client.shredded_at else "an earlier date"
        raise Gone(f"this client's records were destroyed on {when} at the end of their retention period")
    try:
        return _unwrap(env, bytes(row.wrapped), client)
    except crypto.IntegrityError:
        integrity_failure(session, env, actor, client.id, "client_key")
        raise


def _unwrap(env: Env, wrapped: bytes, client: models.Client) -> crypto.DataKey:
    try:
        return env.keyring.unwrap(wrapped, str(client.id), client.key_version)
    except crypto.UnknownKeyError:
        # Another process rotated the KEK: read the key file again (never create a key) and retry once.
        env.keyring.adopt_keks(keyfile.load(env.settings.key_file))
        return env.keyring.unwrap(wrapped, str(client.id), client.key_version)


def integrity_failure(
    session: Session, env: Env, actor: audit.Actor, client_id: uuid.UUID, what: str
) -> None:
    """Log a failed decryption as a security event (no ciphertext, no plaintext) and refuse (A11)."""
    env.log.record_alone(
        session,
        actor,
        Action.CLIENT_RECORD_READ,
        Outcome.INTEGRITY_FAILURE,
        object_type=what,
        object_id=str(client_id),
        client_id=str(client_id),
    )
    raise IntegrityFailure("this record failed its integrity check; the privacy officer has been alerted")


def seal_demographics(key: crypto.DataKey, client: models.Client, d: rules.Demographics) -> None:
    """Encrypt every identifying field of `d` into `client`, each bound to its column and row."""
    row_id = str(client.id)
    for name in TEXT_FIELDS:
        value = getattr(d, name).encode("utf-8")
        setattr(client, name, key.encrypt(value, table="clients", column=name, row_id=row_id))
    dob = d.date_of_birth.isoformat().encode("ascii")
    client.date_of_birth = key.encrypt(dob, table="clients", column="date_of_birth", row_id=row_id)
    part2 = b"1" if d.part2 else b"0"
    client.part2 = key.encrypt(part2, table="clients", column="part2", row_id=row_id)


def open_demographics(
    session: Session,
    env: Env,
    actor: audit.Actor,
    key: crypto.DataKey,
    client: models.Client,
    receipt: audit.Receipt,
) -> rules.Demographics:
    """Decrypt a client's identifying fields; `receipt` proves the read is already logged."""
    del receipt  # its existence is the proof; nothing in it is needed here
    row_id = str(client.id)
    try:
        text = {
            name: key.decrypt(
                bytes(getattr(client, name)), table="clients", column=name, row_id=row_id
            ).decode()
            for name in TEXT_FIELDS
        }
        dob = key.decrypt(bytes(client.date_of_birth), table="clients", column="date_of_birth", row_id=row_id)
        part2 = key.decrypt(bytes(client.part2), table="clients", column="part2", row_id=row_id)
    except crypto.IntegrityError:
        integrity_failure(session, env, actor, client.id, "client")
        raise
    return rules.Demographics(
        date_of_birth=date.fromisoformat(dob.decode("ascii")), part2=part2 == b"1", **text
    )
