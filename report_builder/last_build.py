"""Whether a build is given exactly what the last one in this cache was: then every result will come from the cache, and
the command does not start the background worker ahead of the build (`worker.started_ahead`).

Starting it ahead lets the worker load its libraries on the second core while the command loads its own: a build that
computes anything gains about a quarter of a second, but one whose results all come from the cache loses about half a
second to starting a process it never uses. Which of the two a build is cannot be known before its tables are read; what
the build is given can — its options, its settings and each input file's size and time of change. A wrong guess
costs only that fraction of a second, never a result: a build that finds less in its cache than guessed starts the
worker when it first computes a stage that the worker's stages read, as a build without the guess does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

STAMP_FILE = "last-build.txt"  # in the cache folder, beside the entries; the cache's trim leaves files it did not name


def stamp(options: Iterable[object], files: Iterable[Path]) -> str:
    """What a build is given, in a few bytes: the options as written, and each file's path, size and time of change (a file
    that is missing counts as such). Reading nothing but the files' metadata, it costs a few system calls."""
    digest = hashlib.sha256()
    for option in options:
        digest.update(repr(option).encode() + b"\0")
    for file in sorted(files, key=str):
        try:
            info = file.stat()
            digest.update(f"{file}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{file}\0-\0".encode())
    return digest.hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """The files directly in a data folder (a build reads its tables there); none if it is not a readable folder."""
    try:
        return [entry for entry in folder.iterdir() if entry.is_file()]
    except OSError:
        return []


def same_as_last(cache: Path, found: str) -> bool:
    """Whether the last build that finished with this cache was given the same (`stamp`)."""
    try:
        return (cache / STAMP_FILE).read_text(encoding="ascii").strip() == found
    except (OSError, UnicodeDecodeError):
        return False


def remember(cache: Path, found: str) -> None:
    """Keep the stamp of a build that has finished, computed after it (the build itself changes its history file). Written
    whole or not at all; a folder that cannot take it only loses the guess."""
    with contextlib.suppress(OSError):
        handle, name = tempfile.mkstemp(prefix=".last_build-", suffix=".tmp", dir=cache)
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(found + "\n")
            os.replace(name, cache / STAMP_FILE)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
