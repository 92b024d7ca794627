"""The default period: the last quarter that has ended, the same in the CLI and in the Makefile."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from report_builder.periods import last_finished_quarter

REPO = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="нет make")

BOUNDARIES = [
    (dt.date(2027, 1, 1), "2026-Q4"),
    (dt.date(2026, 3, 31), "2025-Q4"),
    (dt.date(2026, 4, 1), "2026-Q1"),
    (dt.date(2026, 6, 30), "2026-Q1"),
    (dt.date(2026, 7, 1), "2026-Q2"),
    (dt.date(2026, 9, 30), "2026-Q2"),
    (dt.date(2026, 10, 1), "2026-Q3"),
    (dt.date(2026, 12, 2), "2026-Q3"),
    (dt.date(2026, 12, 31), "2026-Q3"),
]


@pytest.mark.parametrize(("today", "label"), BOUNDARIES, ids=[d.isoformat() for d, _ in BOUNDARIES])
def test_last_finished_quarter_at_quarter_boundaries(today: dt.date, label: str) -> None:
    assert last_finished_quarter(today) == label


def make_period(path: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PERIOD")}
    if path is not None:
        env["PATH"] = path
    done = subprocess.run([MAKE, "-s", "-C", str(REPO), "print-period"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@needs_make
def test_makefile_period_agrees_with_the_cli_today() -> None:
    before = dt.datetime.now(dt.timezone.utc).date()
    found = make_period()
    after = dt.datetime.now(dt.timezone.utc).date()
    assert found in {last_finished_quarter(before), last_finished_quarter(after)}


@needs_make
@pytest.mark.parametrize(("today", "label"), BOUNDARIES, ids=[d.isoformat() for d, _ in BOUNDARIES])
def test_makefile_period_at_quarter_boundaries(tmp_path: Path, today: dt.date, label: str) -> None:
    """The shell arithmetic of the Makefile on the same dates: a `date` that answers for `today`."""
    fake = tmp_path / "date"
    fake.write_text(f"#!/bin/sh\necho '{today:%Y %m}'\n")
    fake.chmod(0o755)
    assert make_period(f"{tmp_path}{os.pathsep}{os.environ['PATH']}") == label
