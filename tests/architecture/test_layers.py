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


@pytest.mark.parametrize(
    ("folder", "sibling"), [("web", "roi_tracker.api"), ("api", "roi_tracker.web")], ids=["web", "api"]
)
def test_web_and_api_are_siblings_that_never_import_each_other(folder: str, sibling: str) -> None:
    """web/ and api/ share roi_tracker.http and are mounted by roi_tracker.app; neither imports the other."""
    offenders = {
        str(path.relative_to(SRC)): sorted(
            n for n in _imports(path) if n == sibling or n.startswith(sibling + ".")
        )
        for path in _modules(SRC / folder)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_shared_http_layer_imports_neither_web_nor_api() -> None:
    """What both front ends share must not reach back into either of them."""
    for path in _modules(SRC / "http"):
        upward = {n for n in _imports(path) if n.startswith(("roi_tracker.web", "roi_tracker.api"))}
        assert not upward, f"http/{path.name} imports {sorted(upward)}"


def test_only_the_app_factory_mounts_web_and_api() -> None:
    """Nothing below the app factory (services, domain, audit, models, http, cli) imports web/ or api/."""
    for path in _modules(SRC):
        top = path.relative_to(SRC).parts[0]
        if top in {"web", "api", "app.py", "server.py"}:
            continue
        upward = {n for n in _imports(path) if n.startswith(("roi_tracker.web", "roi_tracker.api"))}
        assert not upward, f"{path.relative_to(SRC)} imports {sorted(upward)}"


REPO = SRC.parents[1]
SIZED = [p for d in ("src", "bench", "scripts") for p in sorted((REPO / d).rglob("*.py"))]


@pytest.mark.parametrize("path", SIZED, ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_outside_migrations_exceeds_400_lines(path: Path) -> None:
    """STYLE.md rule 12: about 300 lines, 400 at most; a module past that is split by use case."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(REPO)} has {lines} lines: split it by use case"


def test_every_services_subpackage_says_what_it_owns() -> None:
    """Each capability folder under services/ opens with a docstring a newcomer can read."""
    for init in sorted((SRC / "services").glob("*/__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"services/{init.parent.name}/__init__.py has no docstring"
