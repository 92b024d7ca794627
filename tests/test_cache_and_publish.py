"""The stage cache and the all-or-nothing publishing of a run's files."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from report_builder.cache import StageCache, make_key
from report_builder.config import CleaningConfig
from report_builder.publish import publish
from report_builder.results.data import Fix
from report_builder.stages.clean import clean_tables
from report_builder.stages.validate import validate_tables

# --- cache --------------------------------------------------------------------------------------


def test_cache_round_trip(tmp_path: Path) -> None:
    cache = StageCache(tmp_path / "cache")
    value = {
        "frame": pd.DataFrame({"id": [1, 2], "Выручка": [10.5, 0.0]}),
        "fix": Fix("опечатка", "Тип сервиса", 3, "исправлено", "market_file.csv", ("a",)),
    }
    assert cache.get("clean", "k1") is None
    cache.put("clean", "k1", value)

    got = cache.get("clean", "k1")

    assert got is not None
    pd.testing.assert_frame_equal(got["frame"], value["frame"])
    assert got["fix"] == value["fix"]
    assert cache.get("clean", "k2") is None
    assert cache.get("validate", "k1") is None
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["clean-k1.pkl"]  # no temp file left


def test_cache_overwrites_an_entry(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    cache.put("s", "k", [1])
    cache.put("s", "k", [2])
    assert cache.get("s", "k") == [2]


@pytest.mark.parametrize(
    "content",
    [b"", b"not a pickle at all", pickle.dumps({"x": list(range(100))})[:20]],
    ids=["empty", "garbage", "truncated"],
)
def test_corrupt_entry_reads_as_missing(tmp_path: Path, content: bytes) -> None:
    cache = StageCache(tmp_path)
    cache.put("clean", "key", {"x": list(range(100))})
    (tmp_path / "clean-key.pkl").write_bytes(content)
    assert cache.get("clean", "key") is None
    cache.put("clean", "key", "fresh")
    assert cache.get("clean", "key") == "fresh"


def test_disabled_cache(tmp_path: Path) -> None:
    cache = StageCache(None)
    cache.put("clean", "key", 1)
    assert cache.get("clean", "key") is None


def test_keys_depend_on_stage_inputs_and_config() -> None:
    base = make_key("clean", clean_tables, ["abc", CleaningConfig()])
    assert base == make_key("clean", clean_tables, ["abc", CleaningConfig()])
    assert base != make_key("clean", clean_tables, ["abd", CleaningConfig()])
    assert base != make_key("clean", clean_tables, ["abc", CleaningConfig(anomaly_iqr_factor=3)])
    assert base != make_key("validate", validate_tables, ["abc", CleaningConfig()])
    assert len(base) == 32


def test_cached_stage_result_round_trips(tmp_path: Path, tiny_tables) -> None:
    from report_builder.stages.load import load_tables

    data = clean_tables(validate_tables(load_tables(tiny_tables())), CleaningConfig())
    cache = StageCache(tmp_path / "c")
    cache.put("clean", "k", data)
    got = cache.get("clean", "k")
    pd.testing.assert_frame_equal(got.customers, data.customers)
    assert got.fixes == data.fixes and got.target_counts == data.target_counts


# --- publish ------------------------------------------------------------------------------------


def writer(files: dict[str, str]):
    def write(folder: Path) -> list[str]:
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return list(files)

    return write


def failing_writer(error: BaseException):
    def write(folder: Path) -> list[str]:
        (folder / "report.html").write_text("<html>half", encoding="utf-8")
        raise error

    return write


def test_publish_into_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "output" / "2026-Q3"
    files = publish(out, writer({"report.html": "<html>new</html>", "summary.json": "{}"}))
    assert files == [out.resolve() / "report.html", out.resolve() / "summary.json"]
    assert (out / "report.html").read_text(encoding="utf-8") == "<html>new</html>"
    assert [p.name for p in out.parent.iterdir()] == ["2026-Q3"]


def test_publish_swaps_the_finished_folder_in(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "report.html").write_text("<html>old</html>", encoding="utf-8")
    (out / "stale.pdf").write_bytes(b"%PDF old")

    publish(out, writer({"report.html": "<html>new</html>"}))

    assert (out / "report.html").read_text(encoding="utf-8") == "<html>new</html>"
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]  # a swap, not a merge
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.parametrize("error", [RuntimeError("render failed"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_failed_write_leaves_the_old_folder_untouched(tmp_path: Path, error: BaseException) -> None:
    out = tmp_path / "run"
    out.mkdir()
    old = "<html>отчёт прошлого квартала</html>".encode()
    (out / "report.html").write_bytes(old)
    (out / "summary.json").write_bytes(b"{}")

    with pytest.raises(type(error)):
        publish(out, failing_writer(error))

    assert (out / "report.html").read_bytes() == old
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "summary.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folders beside it


def test_failed_first_write_creates_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with pytest.raises(ValueError):
        publish(out, failing_writer(ValueError("boom")))
    assert list(tmp_path.iterdir()) == []
