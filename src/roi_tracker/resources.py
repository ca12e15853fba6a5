"""Where the shipped folders (templates, static, migrations) are: inside the wheel, or in the source tree."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def folder(name: str) -> Path:
    """Return the folder `name`, preferring the copy inside the installed package."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    source_tree = _PACKAGE.parent.parent / name
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(f"the {name} folder is missing from this installation")
