"""Start-up: the request path carries no migration machinery (performance.md P5)."""

from __future__ import annotations

import subprocess
import sys

from roi_tracker import config
from roi_tracker.runtime import Runtime

PROBE = """
import sys
from roi_tracker import config
from roi_tracker.app import create_app
from roi_tracker.runtime import open_instance
app = create_app(open_instance(config.load()))
answer = app.test_client().get("/api/v1/health")
assert answer.status_code == 200, answer.status_code
print(",".join(sorted(m for m in sys.modules if m == "alembic" or m.startswith(("alembic.", "mako")))))
"""


def test_a_served_request_never_imports_alembic(settings: config.Settings, runtime: Runtime) -> None:
    """Opening the instance checks the revision with one SELECT and the files' text, not with Alembic."""
    env = {
        "ROI_INSTANCE_PATH": str(settings.instance_path),
        "ROI_DATABASE_URL": settings.database_url,
        "ROI_KEY_FILE": str(settings.key_file),
        "ROI_CHECKPOINT_DIR": str(settings.checkpoint_dir),
        "ROI_REQUIRE_MFA": "false",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own probe
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""
