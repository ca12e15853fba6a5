"""The layering rules of STYLE.md, checked on the source tree."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "roi_tracker"


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", _modules(SRC / "domain"), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    """The domain core is pure: standard library and roi_tracker.domain only."""
    foreign = {
        name
        for name in _imports(path)
        if _top(name) not in sys.stdlib_module_names and not name.startswith("roi_tracker.domain")
    }
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


def test_domain_never_reads_the_clock() -> None:
    """Time is a parameter in the domain (STYLE.md rule 1)."""
    for path in _modules(SRC / "domain"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
            assert forbidden not in text, f"{path.name} calls {forbidden}"


def test_only_crypto_module_imports_cryptography() -> None:
    """One module touches `cryptography` (security.md A, STYLE.md)."""
    offenders = [
        str(path.relative_to(SRC))
        for path in _modules(SRC)
        if path.name != "crypto.py" and any(_top(n) == "cryptography" for n in _imports(path))
    ]
    assert offenders == []


def test_services_and_domain_never_import_flask() -> None:
    """Services take collaborators as arguments and never import Flask (rule 5)."""
    for folder in ("services", "domain"):
        for path in _modules(SRC / folder):
            flasky = {
                n for n in _imports(path) if _top(n) in {"flask", "flask_login", "flask_wtf", "werkzeug"}
            }
            assert not flasky, f"{folder}/{path.name} imports {sorted(flasky)}"


def test_only_the_audit_package_builds_access_log_rows() -> None:
    """audit/ is the only writer of the access log (STYLE.md, security.md B)."""
    offenders = []
    for path in _modules(SRC):
        if "audit" in path.relative_to(SRC).parts[:1]:
            continue
        if re.search(r"(?<!class )AuditEntry\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


@pytest.mark.parametrize("path", _modules(SRC / "web") + _modules(SRC / "api"), ids=lambda p: p.name)
def test_web_layer_holds_no_queries_and_no_commits(path: Path) -> None:
    """Views parse input, call one service and render: no queries, no commit (rule 4)."""
    text = path.read_text(encoding="utf-8")
    for forbidden in (".commit(", "select(", ".execute(", "from sqlalchemy import", "import sqlalchemy"):
        assert forbidden not in text, f"{path.name} contains {forbidden}"
