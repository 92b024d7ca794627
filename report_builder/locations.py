"""Where a build puts its files unless told otherwise: one rule for `build` and for the commands that read them back.

Light on purpose: `history` and `send` find the default report folder without loading the analysis libraries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HISTORY_FILE = "history.sqlite"


def last_finished_quarter(today: dt.date) -> str:
    """The label of the last quarter that has ended by `today`: 2 December 2026 -> «2026-Q3», 1 January -> last year's Q4.

    A quarterly report is built after its quarter ends, so the quarter under way is never the default."""
    index = today.year * 4 + (today.month - 1) // 3 - 1
    return f"{index // 4}-Q{index % 4 + 1}"


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def default_output(period: str) -> Path:
    """The folder a build of `period` writes without --output: output/<period>."""
    return Path("output") / period


def history_location(out_dir: Path, given: str | None = None) -> str:
    """The history a build into `out_dir` records itself in: `given` (--history or history.url) when set,
    else history.sqlite beside the period folder (output/history.sqlite for output/2026-Q3)."""
    return given or str(out_dir.parent / HISTORY_FILE)
