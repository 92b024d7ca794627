"""Where the templates and the embedded demo data live (source tree or installed wheel)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_ROOT = _PACKAGE.parent


def _first(*candidates: Path) -> Path:
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[0]


def templates_dir() -> Path:
    return _first(_ROOT / "templates", _PACKAGE / "_templates")


def demo_data_dir() -> Path:
    return _first(_ROOT / "data" / "demo", _PACKAGE / "_demo")
