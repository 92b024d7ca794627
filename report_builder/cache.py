"""On-disk cache of stage results, keyed by a hash of inputs, config, code and library versions.

The cache holds pickles, and unpickling runs code: the folder must be writable by its owner
only. A world-writable folder is refused; a new one is created private (0700).

Every quarter and every changed setting adds entries, so after each build the least recently used ones are removed
until the folder holds at most a limit (`trim`); what this build used or wrote stays, whatever its size.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import re
import stat
import sys
import tempfile
import time
from pathlib import Path

from report_builder.errors import OutputError, os_reason


# Results pickled by one version of these are never read by another: their versions key every entry.
KEYED_LIBRARIES = ("numpy", "pandas", "scipy", "scikit-learn", "shap", "phik", "matplotlib", "weasyprint")


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("report-builder", appauthor=False))


@functools.lru_cache(maxsize=1)
def environment() -> str:
    """Python and library versions: part of every key."""
    from importlib import metadata  # here: the command's start reads the cache's size limit, not its keys

    parts = [sys.version.split()[0]]
    for name in KEYED_LIBRARIES:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=-")
    return ";".join(parts)


def check_cache_dir(root: Path) -> Path:
    """Create the folder private, or refuse one that others can write into."""
    root = Path(os.path.abspath(root))
    if not root.exists():
        try:
            root.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise OutputError(
                f"нельзя создать папку кэша {root}: {os_reason(exc)}",
                hint="Укажите другую папку в --cache-dir или запустите с --no-cache",
            ) from None
    if not root.is_dir():
        raise OutputError(f"{root} — это файл, а не папка кэша", hint="Укажите папку в --cache-dir")
    mode = root.stat().st_mode
    if mode & stat.S_IWOTH:
        raise OutputError(
            f"папка кэша {root} доступна на запись всем пользователям (права {stat.filemode(mode)})",
            hint="Кэш хранит данные, которые программа исполняет при чтении (pickle): "
            "закройте папку командой «chmod o-w» или укажите свою в --cache-dir",
        )
    return root


MISS = object()  # what `get` returns for an entry that is not there: a stage may well have returned None


DEFAULT_MAX_MB = 2048  # a real quarter's build leaves 18–20 MB: about a hundred builds' worth
_COARSE_CLOCK = 2.0  # seconds: file systems that keep coarse times (FAT's two seconds) still count an entry as used


class StageCache:
    """Pickles results under `root/<stage>-<key>.pkl`; `root=None` disables the cache. `max_mb`: what `trim` keeps."""

    def __init__(self, root: Path | None, max_mb: float = DEFAULT_MAX_MB) -> None:
        self.root = None if root is None else check_cache_dir(root)
        self.max_bytes = int(max_mb * 1024 * 1024)

    def find(self, stage: str, key: str) -> object:
        """Whether there is an entry, without loading it: MISS, None for a stored None, or True. A found entry counts
        as used now (`trim` removes the least recently used first)."""
        if self.root is None or not _used(self.root / f"{stage}-{key}.pkl"):
            return MISS
        return None if (self.root / f"{stage}-{key}.none").exists() else True

    def get(self, stage: str, key: str) -> object:
        """The stored value, or MISS."""
        if self.root is None:
            return MISS
        path = self.root / f"{stage}-{key}.pkl"
        if not _used(path):
            return MISS
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # a corrupt or truncated entry is recomputed
            return MISS

    def put(self, stage: str, key: str, value: object) -> None:
        """Atomic: a unique temporary file renamed into place, so concurrent builds never see half an entry.

        A cache is only a shortcut: a failed write (a full disk) leaves no entry and does not stop the build.
        """
        if self.root is None:
            return
        handle, tmp = tempfile.mkstemp(prefix=f".{stage}-", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            if value is None:  # a marker, so `find` tells a stored None without loading it
                (self.root / f"{stage}-{key}.none").touch()
            os.replace(tmp, self.root / f"{stage}-{key}.pkl")
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if not isinstance(exc, OSError):
                raise

    def trim(self, since: float) -> int:
        """Remove the least recently used entries until the folder holds at most `max_bytes`; entries used or
        written since `since` (this build's start, a time.time()) stay whatever their size, and so do files the cache
        did not name. Temporary files an interrupted write left behind go once they are an hour old. Returns the
        bytes freed. A build that runs meanwhile and finds one of its entries gone computes it again."""
        if self.root is None:
            return 0
        entries, stale = [], []
        try:
            listed = list(self.root.iterdir())
        except OSError:  # the folder is gone or unreadable: nothing to trim, and the build has succeeded
            return 0
        for path in listed:
            name = path.name
            try:
                info = path.stat()
            except OSError:  # removed meanwhile
                continue
            if _TEMPORARY.fullmatch(name):
                if info.st_mtime < time.time() - 3600:
                    stale.append((path, info.st_size))
            elif _ENTRY.fullmatch(name):
                entries.append((info.st_mtime, path, info.st_size))
        freed = _remove(stale)
        total = sum(size for _, _, size in entries)
        for mtime, path, size in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_bytes or mtime >= since - _COARSE_CLOCK:
                break
            freed += _remove([(path, size), (path.with_suffix(".none"), 0)])
            total -= size
        return freed


_ENTRY = re.compile(r"[a-z0-9_.]+-[0-9a-f]{32,64}\.pkl")  # <stage>-<key>.pkl, as `put` names it
_TEMPORARY = re.compile(r"\.[a-z0-9_.]+-[a-z0-9_]{8}\.tmp")  # `put`'s temporary file (mkstemp), renamed into place when complete


def _used(path: Path) -> bool:
    """Whether the entry is there; if so its time is set to now, so that it counts as recently used."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except OSError:  # a cache folder the build may read but not change: still an entry
        return path.exists()
    return True


def _remove(files: list[tuple[Path, int]]) -> int:
    freed = 0
    for path, size in files:
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to remove: a cache is only a shortcut
            path.unlink()
            freed += size
    return freed
