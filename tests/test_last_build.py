"""last_build: a build given exactly what the last one was is expected to find everything in the cache."""

from __future__ import annotations

import os
from pathlib import Path

from report_builder import last_build


def tables(folder: Path) -> Path:
    folder.mkdir()
    for name in ("market_file.csv", "money.csv"):
        (folder / name).write_text("id;x\n1;2\n", encoding="utf-8")
    return folder


def test_the_stamp_changes_with_an_option_or_a_file_and_with_nothing_else(tmp_path: Path) -> None:
    data = tables(tmp_path / "data")
    files = last_build.folder_files(data)
    first = last_build.stamp(("a", 1, None), files)
    assert last_build.stamp(("a", 1, None), list(reversed(files))) == first  # the order of the listing does not matter
    assert last_build.stamp(("a", 2, None), files) != first
    (data / "money.csv").write_text("id;x\n1;3\n", encoding="utf-8")  # same size: only its time of change tells
    os.utime(data / "money.csv", ns=(0, 10**18))
    changed = last_build.stamp(("a", 1, None), last_build.folder_files(data))
    assert changed != first
    (data / "contacts.csv").write_text("id\n1\n", encoding="utf-8")  # a new table in the folder
    assert last_build.stamp(("a", 1, None), last_build.folder_files(data)) != changed
    missing = tmp_path / "history.sqlite"
    absent = last_build.stamp((), [missing])
    missing.write_bytes(b"")
    assert last_build.stamp((), [missing]) != absent
    assert last_build.folder_files(tmp_path / "no such folder") == []


def test_the_last_stamp_is_kept_whole_in_the_cache_folder_and_read_back(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    assert not last_build.same_as_last(cache, "abc")  # no build yet
    last_build.remember(cache, "abc")
    assert last_build.same_as_last(cache, "abc") and not last_build.same_as_last(cache, "abd")
    last_build.remember(cache, "abd")
    assert last_build.same_as_last(cache, "abd")
    assert sorted(p.name for p in cache.iterdir()) == [last_build.STAMP_FILE]  # no temporary file left
    (cache / last_build.STAMP_FILE).write_bytes(b"\xff\xfe")
    assert not last_build.same_as_last(cache, "abd")  # an unreadable stamp is no stamp


def test_a_folder_that_cannot_take_the_stamp_only_loses_the_guess(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("not a folder", encoding="utf-8")  # refused whoever runs the test, root included
    last_build.remember(cache, "abc")
    assert not last_build.same_as_last(cache, "abc")
    assert cache.read_text(encoding="utf-8") == "not a folder"
