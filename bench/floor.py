"""The floor of P1: the least a disclosure check could do, served exactly as `roi-tracker serve` serves.

Token auth (the product's own `users.user_for_token`), one SELECT (the client asked about), one chained log
INSERT through audit/ committed before answering; reads in a deferred transaction, as the product's check.
It lives only here, never in the product.
Run: `python -m bench.floor --port P [--workers N] [--threads T]` with the instance's ROI_* environment.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from flask import Flask
from flask import jsonify
from flask import request
from sqlalchemy import select

from roi_tracker import audit
from roi_tracker import config
from roi_tracker import db
from roi_tracker import models
from roi_tracker import server
from roi_tracker.domain.audit_vocab import Action
from roi_tracker.domain.audit_vocab import Outcome
from roi_tracker.runtime import open_instance
from roi_tracker.services.people import users


def create_app() -> Flask:
    """The floor app over the instance the environment names."""
    rt = open_instance(config.load())
    app = Flask("roi-bench-floor")

    @app.get("/floor-health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.post("/floor")
    def floor() -> Any:
        bearer = request.headers.get("Authorization", "")
        body = request.get_json(silent=True) or {}
        with rt.sessions() as session:
            # The same transaction discipline as the product's check: reads deferred, the lock for the entry.
            db.begin_read(session)
            user = users.user_for_token(session, rt.env, bearer.removeprefix("Bearer ").strip())
            if user is None:
                return jsonify(error="unauthorized"), 401
            client_id = session.execute(
                select(models.Client.id).where(models.Client.id == uuid.UUID(str(body.get("client_id"))))
            ).scalar()
            db.end_read(session)
            actor = audit.Actor(str(user.id), user.role, "floor")
            rt.env.log.append(
                session,
                actor,
                Action.DISCLOSURE_CHECK,
                Outcome.ALLOWED if client_id else Outcome.REFUSED,
                object_type="recipient",
                object_id=str(body.get("recipient_id", ""))[:64],
                client_id=str(client_id or ""),
                basis="floor",
            )
            audit.commit(session)
        return jsonify(decision="floor", found=client_id is not None)

    return app


def main() -> None:
    """Serve the floor with the options `roi-tracker serve` would use."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    settings = config.load()
    opts = server.options(
        settings, host="127.0.0.1", port=args.port, workers=args.workers, threads=args.threads
    )
    server.Application(opts, create_app).run()


if __name__ == "__main__":
    main()
