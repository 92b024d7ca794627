"""Fixtures shared by the tests: the demo data, the real data and small editable data sets."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from report_builder.demo_data import write_demo
from report_builder.resources import demo_data_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "market"

# How the demo writer formats each table: (separator, decimal mark).
TABLE_FORMATS = {
    "market_file": (",", "."),
    "market_money": (",", "."),
    "market_time": (",", "."),
    "money": (";", ","),
}


@pytest.fixture
def demo_dir() -> Path:
    return demo_data_dir()


@pytest.fixture
def real_dir() -> Path:
    if not REAL_DATA_DIR.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"нет {REAL_DATA_DIR}: в CI реальные данные обязательны")
        pytest.skip("нет ../shared/data/market: реальные данные недоступны")
    return REAL_DATA_DIR


@pytest.fixture
def tiny_tables(tmp_path: Path) -> Callable[..., Path]:
    """Factory: write a small valid data set (200 customers) and return its folder."""

    def make(name: str = "d", customers: int = 200, seed: int = 1) -> Path:
        folder = tmp_path / name
        write_demo(folder, customers=customers, seed=seed)
        return folder

    return make


def read_table(folder: Path, table: str) -> pd.DataFrame:
    """Read one demo-format table as text, so writing it back changes nothing else."""
    sep, _ = TABLE_FORMATS[table]
    return pd.read_csv(folder / f"{table}.csv", sep=sep, dtype=str, keep_default_na=False)


def write_table(frame: pd.DataFrame, folder: Path, table: str) -> None:
    sep, _ = TABLE_FORMATS[table]
    frame.to_csv(folder / f"{table}.csv", sep=sep, index=False, lineterminator="\r\n")


@pytest.fixture
def edit_table() -> Callable[[Path, str, Callable[[pd.DataFrame], pd.DataFrame | None]], None]:
    """Apply `change(frame)` to one table of a folder and write it back in the same format.

    Values are read as text: frame row i is line i + 2 of the file (line 1 is the header).
    `change` may edit the frame in place (return None) or return a new one.
    """

    def edit(folder: Path, table: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> None:
        frame = read_table(folder, table)
        changed = change(frame)
        write_table(frame if changed is None else changed, folder, table)

    return edit
