"""The stage cache: keys, atomic entries, private folders."""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import report_builder.cache as cache_module
from report_builder import runner
from report_builder.cache import MISS, StageCache, default_cache_dir
from report_builder.config import Config
from report_builder.pipeline import STAGES
from report_builder.errors import OutputError
from report_builder.config import CleaningConfig
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
    assert cache.get("clean", "k1") is MISS
    cache.put("clean", "k1", value)

    got = cache.get("clean", "k1")

    assert got is not MISS
    pd.testing.assert_frame_equal(got["frame"], value["frame"])
    assert got["fix"] == value["fix"]
    assert cache.get("clean", "k2") is MISS
    assert cache.get("validate", "k1") is MISS
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["clean-k1.pkl"]  # no temp file left
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700


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
    assert cache.get("clean", "key") is MISS
    cache.put("clean", "key", "fresh")
    assert cache.get("clean", "key") == "fresh"


def test_disabled_cache(tmp_path: Path) -> None:
    cache = StageCache(None)
    cache.put("clean", "key", 1)
    assert cache.get("clean", "key") is MISS


def test_cached_stage_result_round_trips(tmp_path: Path, tiny_tables) -> None:
    from report_builder.stages.load import load_tables

    data = clean_tables(validate_tables(load_tables(tiny_tables())), CleaningConfig())
    cache = StageCache(tmp_path / "c")
    cache.put("clean", "k", data)
    got = cache.get("clean", "k")
    pd.testing.assert_frame_equal(got.customers, data.customers)
    assert got.fixes == data.fixes and got.target_counts == data.target_counts


def test_library_versions_key_every_entry(monkeypatch) -> None:
    stage = next(s for s in STAGES if s.name == "data")
    base = runner.stage_key(stage, ["abc"], Config())
    assert "scikit-learn=" in cache_module.environment() and sys.version.split()[0] in cache_module.environment()
    monkeypatch.setattr(runner, "environment", lambda: "3.11.7;scikit-learn=9.9")
    assert runner.stage_key(stage, ["abc"], Config()) != base


def test_a_changed_template_keys_the_layout_anew_and_nothing_else(tmp_path: Path, monkeypatch) -> None:
    """The stages that write the report from the templates are keyed on every template file; the analysis is not."""
    import shutil

    from report_builder.resources import templates_dir

    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    monkeypatch.setattr(runner, "templates_dir", lambda: copy)
    stages = {s.name: s for s in STAGES}
    before = {name: runner.stage_key(stages[name], ["abc"], Config()) for name in ("html", "print_html", "search")}
    css = copy / "report.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { color: red; }\n", encoding="utf-8")
    after = {name: runner.stage_key(stages[name], ["abc"], Config()) for name in before}
    assert after["html"] != before["html"] and after["print_html"] != before["print_html"]
    assert after["search"] == before["search"]


def test_a_world_writable_cache_folder_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(OutputError, match="доступна на запись всем"):
        StageCache(shared)
    shared.chmod(0o755)
    StageCache(shared)  # writable by its owner only: fine


def test_the_default_cache_lives_in_the_users_cache_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "report-builder"


def test_concurrent_writers_never_leave_half_an_entry(tmp_path: Path) -> None:
    """Processes writing the same entry at once: every read sees a whole value, no temporary file stays."""
    script = (
        "import sys\nfrom pathlib import Path\nfrom report_builder.cache import StageCache\n"
        "cache = StageCache(Path(sys.argv[1]))\n"
        "for i in range(40):\n"
        "    cache.put('models', 'same-key', list(range(200_000)))\n"
        "    value = cache.get('models', 'same-key')\n"
        "    assert value == list(range(200_000)), 'half an entry'\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)]) for _ in range(3)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    assert os.listdir(tmp_path) == ["models-same-key.pkl"]


def test_a_stored_none_is_a_hit_not_a_miss(tmp_path: Path) -> None:
    """A stage may return None (no earlier quarter to compare with): that answer is cached like any other."""
    cache = StageCache(tmp_path)
    assert cache.get("compare", "k") is MISS
    cache.put("compare", "k", None)
    assert cache.get("compare", "k") is None


def _entry(cache: StageCache, stage: str, size: int, age: float) -> Path:
    """An entry of `size` bytes last used `age` seconds ago."""
    key = format(abs(hash((stage, size, age))), "032x")[-32:]
    cache.put(stage, key, b"x" * size)
    path = cache.root / f"{stage}-{key}.pkl"
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_trim_removes_the_least_recently_used_until_the_cache_fits(tmp_path: Path) -> None:
    cache = StageCache(tmp_path, max_mb=2.5)
    mb = 1024 * 1024
    oldest, old, recent = (_entry(cache, name, mb, age) for name, age in (("search", 3000), ("scores", 2000), ("html", 1000)))
    freed = cache.trim(since=time.time())
    assert not oldest.exists() and old.exists() and recent.exists()
    assert mb < freed < mb + 1024  # the entry and its pickle's few bytes
    assert cache.trim(since=time.time()) == 0  # it fits now


def test_trim_keeps_what_this_build_used_however_large(tmp_path: Path) -> None:
    """An entry read by this build counts as used now; whatever this build used or wrote stays, over the limit too."""
    cache = StageCache(tmp_path, max_mb=0.5)
    mb = 1024 * 1024
    read = _entry(cache, "search", mb, 5000)
    found = _entry(cache, "evaluation", mb, 4000)
    unused = _entry(cache, "scores", mb, 3000)
    started = time.time()
    assert cache.get("search", read.stem.split("-", 1)[1]) == b"x" * mb
    assert cache.find("evaluation", found.stem.split("-", 1)[1]) is True
    cache.put("html", "f" * 32, b"y" * mb)
    cache.trim(since=started)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([read.name, found.name, f"html-{'f' * 32}.pkl"])
    assert not unused.exists()


def test_trim_touches_only_the_caches_own_files(tmp_path: Path) -> None:
    """Files the cache did not name stay (a folder given with --cache-dir may hold others); a temporary file an
    interrupted write left goes once it is an hour old, a fresh one (a write under way) stays; a stored None's marker
    goes with its entry."""
    cache = StageCache(tmp_path, max_mb=0)
    mine = [tmp_path / "notes.txt", tmp_path / "report.pkl", tmp_path / "search-notahash.pkl", tmp_path / ".draft-2025.tmp"]
    for path in mine:
        path.write_bytes(b"z" * 4096)
        os.utime(path, (0, 0))
    stale, writing = tmp_path / ".search-a1b2c3d4.tmp", tmp_path / ".scores-e5f6g7h8.tmp"
    stale.write_bytes(b"half")
    writing.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200,) * 2)
    cache.put("compare", "c" * 32, None)
    for name in (f"compare-{'c' * 32}.pkl", f"compare-{'c' * 32}.none"):
        os.utime(tmp_path / name, (time.time() - 600,) * 2)
    cache.trim(since=time.time())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(p.name for p in mine), writing.name])


def test_trim_without_a_cache_or_its_folder(tmp_path: Path) -> None:
    assert StageCache(None).trim(since=time.time()) == 0
    cache = StageCache(tmp_path / "gone")
    (tmp_path / "gone").rmdir()
    assert cache.trim(since=time.time()) == 0  # a build that has succeeded does not fail on its cache


# --- the same quarter from another source ------------------------------------------------------------

ANALYSIS = ("exploration", "correlation", "folds", "search", "evaluation", "explanation", "scores", "segmentation",
            "recommendations", "customer_list", "customers_csv", "customers_xlsx")


def test_the_cleaned_datas_fingerprint_is_its_content_not_its_source(demo_data) -> None:
    from dataclasses import replace

    from report_builder.results.data import SourceFile

    elsewhere = replace(
        demo_data,
        sources=tuple(SourceFile(f"{s.file} (таблица)", s.rows, "0" * 64, "база данных", "", "") for s in demo_data.sources),
        fixes=tuple(replace(f, file=f"{f.file} (таблица)") for f in demo_data.fixes),
    )
    assert elsewhere.fingerprint == demo_data.fingerprint
    one_less = demo_data.customers.iloc[:-1]
    assert replace(demo_data, customers=one_less).fingerprint != demo_data.fingerprint
    changed = demo_data.customers.copy()
    changed.iloc[0, changed.columns.get_loc("Страниц_за_визит")] += 1
    assert replace(demo_data, customers=changed).fingerprint != demo_data.fingerprint
    assert replace(demo_data, fixes=demo_data.fixes[1:]).fingerprint != demo_data.fingerprint


@pytest.mark.slow
def test_the_same_quarter_from_a_database_or_excel_reuses_the_analysis(tmp_path: Path, demo_dir: Path) -> None:
    """CSV, then the same rows from SQLite and from .xlsx over one cache: only what names the source runs again."""
    import json

    from conftest import small_config
    from report_builder.build import build_report
    from test_sources import fill, raw_tables

    config = small_config(("logreg",))
    config = config.model_copy(update={"report": config.report.model_copy(update={"profile": False, "formats": ("html",)})})
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    fill(url, raw_tables(demo_dir))
    workbook = tmp_path / "excel"
    workbook.mkdir()
    for table, frame in raw_tables(demo_dir).items():
        frame.to_excel(workbook / f"{table}.xlsx", index=False)

    def build(source: Path | str, name: str) -> tuple[dict[str, bool], dict, str]:
        timings = []
        out = tmp_path / name
        build_report(config, data_dir=source, out_dir=out, period="2026-Q3", cache_dir=tmp_path / "cache",
                     on_stage=timings.append, use_history=False)
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        return {t.stage: t.cached for t in timings}, summary, (out / "report.html").read_text(encoding="utf-8")

    first, from_files, _ = build(demo_dir, "csv")
    assert not any(first.values())
    for source, name, file in ((url, "db", "market_file (таблица)"), (workbook, "xlsx", "market_file.xlsx")):
        cached, summary, html = build(source, name)
        assert {s: cached[s] for s in ANALYSIS} == dict.fromkeys(ANALYSIS, True), name
        assert not cached["validated"] and not cached["data"] and not cached["html"]  # they name this source's files
        assert summary["data"]["sources"][0]["file"] == file
        files = {s["file"] for s in summary["data"]["sources"]}
        assert {f["file"] for f in summary["data"]["fixes"]} <= files
        assert file in html and "market_file.csv" not in html
        for key in ("models", "segments", "actions", "totals", "drivers"):
            assert summary[key] == from_files[key], key  # the models' fit times too: the search was not run again
    assert from_files["data"]["sources"][0] == {
        "file": "market_file.csv", "rows": 1300, "sha256": from_files["data"]["sources"][0]["sha256"]}
    assert {f["file"] for f in from_files["data"]["fixes"]} <= {f"{t}.csv" for t in ("market_file", "market_money", "market_time", "money")}
