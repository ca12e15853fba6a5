"""Benchmark P6: a release packet of 20 one-megabyte PDF documents, built in under 2 seconds.

Run: `.venv/bin/python -m bench.packet [--documents N] [--megabytes M] [--pages P] [--rounds R]`.
Each document is a PDF of P pages (default 1) holding incompressible greyscale images, M MB in all: scans,
with nothing to deduplicate or compress. Merging costs per page, so try --pages 20 and --pages 100 too.
Two figures: `packet.build` alone (cover sheet + merge), and the whole download,
`disclosures.release_packet`, on a temporary SQLite instance (log entry committed, every document decrypted,
cover, merge). The best of R rounds counts. Exits 1 when either misses the target.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from bench.table import Row
from bench.table import render
from roi_tracker import audit
from roi_tracker import config
from roi_tracker import migrate
from roi_tracker.domain import clients as rules
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import open_instance
from roi_tracker.services.disclosures import disclosures
from roi_tracker.services.operations import setup as instance
from roi_tracker.services.people import users
from roi_tracker.services.records import clients
from roi_tracker.services.records import documents
from roi_tracker.services.releases import authorizations
from roi_tracker.services.releases import packet
from roi_tracker.services.releases import recipients

TARGET_SECONDS = 2.0
MB = 1024 * 1024


def scanned_pdf(number: int, size: int, pages: int = 1) -> bytes:
    """Return a valid PDF of about `size` bytes over `pages` pages, each a random greyscale image."""
    side = math.isqrt(size // pages)
    kids = " ".join(f"{3 + 3 * page} 0 R" for page in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    for page in range(pages):
        first = 3 + 3 * page
        pixels = os.urandom(side * side)
        content = (
            f"BT /F1 12 Tf 72 740 Td (Synthetic scanned document {number}, page {page + 1}) Tj ET"
            " q 468 0 0 468 72 200 cm /Im1 Do Q"
        ).encode("latin-1")
        objects += [
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
            % (first + 1, 3 + 3 * pages, first + 2),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 /Length %d >>\nstream\n"
            % (side, side, len(pixels))
            + pixels
            + b"\nendstream",
        ]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % index + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def best_of(rounds: int, work: Callable[[], bytes]) -> tuple[float, bytes]:
    """Run `work` `rounds` times; return the fastest time in seconds and the last result."""
    best, result = math.inf, b""
    for _ in range(rounds):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def cover(count: int) -> packet.Cover:
    """A cover sheet for a synthetic disclosure."""
    return packet.Cover(
        practice="Bench practice",
        client_reference="C-BNCH",
        client_name="Synthetic Client",
        recipient="Dr Bench (Bench Clinic)",
        recipient_address="1 Example Street",
        sent_on=date(2026, 3, 10),
        channel="fax",
        purpose="continuity_of_care",
        authorization="A-BNCH",
        part2=False,
        consent_summary=f"A-BNCH permits diagnosis ({count} documents)",
    )


def build_only(pdfs: list[bytes], rounds: int) -> tuple[float, bytes]:
    """Time packet.build on the documents in memory."""
    enclosures = [
        packet.Enclosure(f"Scan {n}", "diagnosis", "application/pdf", hashlib.sha256(pdf).hexdigest(), pdf)
        for n, pdf in enumerate(pdfs, start=1)
    ]
    return best_of(rounds, lambda: packet.build(cover(len(pdfs)), enclosures))


def temp_instance(root: Path) -> Runtime:
    """A migrated, initialized SQLite instance in `root` (cheap password hashing: no one signs in)."""
    settings = config.Settings(
        instance_path=root / "instance",
        database_url=f"sqlite:///{root / 'roi.sqlite3'}",
        key_file=root / "instance" / "keys.json",
        checkpoint_dir=root / "checkpoints",
        require_mfa=False,
        password_hashing=config.TEST_PASSWORD_HASHING,
    )
    keyring = instance.create_key_file(settings)
    migrate.upgrade(settings.database_url)
    runtime = open_instance(settings, keyring, check_schema=False)
    with runtime.sessions() as session:
        instance.check_keys(session, keyring, remember=True)
    return runtime


def clinician(runtime: Runtime) -> audit.Actor:
    """Create the clinician who records everything (a random password: no one signs in)."""
    with runtime.sessions() as session:
        made = users.create_user(
            session,
            runtime.env,
            audit.SYSTEM,
            username="bench",
            display_name="Bench Clinician",
            role="clinician",
            password=secrets.token_urlsafe(24),
        )
    return audit.Actor(str(made.id), "clinician")


def disclosure_of(runtime: Runtime, actor: audit.Actor, pdfs: list[bytes]) -> uuid.UUID:
    """Register a client, upload the documents, authorize and record their disclosure; return its id."""
    env = runtime.env
    today = env.clock().date()
    terms = {
        "kind": "hipaa",
        "categories": ["diagnosis"],
        "purposes": ["continuity_of_care"],
        "effective_on": today.isoformat(),
        "expires_on": date(today.year + 1, 1, 1).isoformat(),
        "signed_on": today.isoformat(),
        "signed_by": "client",
        "statements": ["right_to_revoke", "no_conditioning", "redisclosure"],
        "copy_given_on": today.isoformat(),
    }
    with runtime.sessions() as session:
        details = rules.Demographics(
            given_name="Synthetic", family_name="Client", date_of_birth=date(1980, 1, 2)
        )
        client = clients.register(session, env, actor, details, [])
        ids = []
        for n, pdf in enumerate(pdfs, start=1):
            doc = documents.upload(
                session, env, actor, client.id, content=pdf, category="diagnosis", title=f"Scan {n}"
            )
            ids.append(str(doc.id))
        recipient = recipients.create(session, env, actor, name="Dr Bench", organization="Bench Clinic")
        terms["recipient_id"] = str(recipient.id)
        authorizations.record(session, env, actor, client.id, terms, pdfs[0])
        q = disclosures.question(
            client.id, str(recipient.id), ["diagnosis"], "continuity_of_care", None, today
        )
        sent = disclosures.record(
            session, env, actor, q, channel="fax", document_ids=ids, requester_verification="bench"
        )
    return sent.id


def release(runtime: Runtime, pdfs: list[bytes], rounds: int) -> tuple[float, bytes]:
    """Record a disclosure of the documents through the services, then time its packet download."""
    actor = clinician(runtime)
    disclosure_id = disclosure_of(runtime, actor, pdfs)

    def download() -> bytes:
        with runtime.sessions() as session:
            return disclosures.release_packet(session, runtime.env, actor, disclosure_id)[1]

    return best_of(rounds, download)


def row(label: str, seconds: float, pdf: bytes, documents_expected: int) -> Row:
    """One figure with its verdict; the packet must hold the cover and every document."""
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    ok = seconds <= TARGET_SECONDS and pages > documents_expected
    what = f"{label} ({len(pdf) / MB:.1f} MB, {pages} pages)"
    return Row("P6", what, f"{seconds:.2f} s", "", "", f"<= {TARGET_SECONDS:g} s", ok)


def rows(documents: int = 20, megabytes: float = 1.0, pages: int = 1, rounds: int = 3) -> list[Row]:
    """Build the packet both ways (best of `rounds`) and return the two figure rows."""
    pdfs = [scanned_pdf(n, int(megabytes * MB), pages) for n in range(1, documents + 1)]
    build_seconds, built = build_only(pdfs, rounds)
    out = [row(f"packet.build, {documents} x {megabytes:g} MB PDFs", build_seconds, built, documents)]
    with tempfile.TemporaryDirectory(prefix="roi-bench-") as root:
        runtime = temp_instance(Path(root))
        try:
            full_seconds, served = release(runtime, pdfs, rounds)
        finally:
            runtime.close()
    out.append(row("release_packet download, SQLite", full_seconds, served, documents))
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the packet both ways and print the times against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20, help="documents in the packet (default 20)")
    parser.add_argument("--megabytes", type=float, default=1.0, help="size of each document (default 1)")
    parser.add_argument("--pages", type=int, default=1, help="pages per document (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best counts (default 3)")
    args = parser.parse_args(argv)
    result = rows(args.documents, args.megabytes, args.pages, args.rounds)
    print(render(result))
    return 0 if all(r.ok for r in result) else 1


if __name__ == "__main__":
    sys.exit(main())
