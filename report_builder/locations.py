"""Where a build puts its files unless told otherwise: one rule for `build` and for the commands that read them back.

Light on purpose: `history` and `send` find the default report folder without loading the analysis libraries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HISTORY_FILE = "history.sqlite"


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def default_output(period: str) -> Path:
    """The folder a build of `period` writes without --output: output/<period>."""
    return Path("output") / period


def history_location(out_dir: Path, given: str | None = None) -> str:
    """The history a build into `out_dir` records itself in: `given` (--history or history.url) when set,
    else history.sqlite beside the period folder (output/history.sqlite for output/2026-Q3)."""
    return given or str(out_dir.parent / HISTORY_FILE)
