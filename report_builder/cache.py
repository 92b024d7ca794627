"""On-disk cache of stage results, keyed by a hash of inputs, config, code and library versions.

The cache holds pickles, and unpickling runs code: the folder must be writable by its owner
only. A world-writable folder is refused; a new one is created private (0700).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import stat
import sys
import tempfile
from importlib import metadata
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


class StageCache:
    """Pickles results under `root/<stage>-<key>.pkl`; `root=None` disables the cache."""

    def __init__(self, root: Path | None) -> None:
        self.root = None if root is None else check_cache_dir(root)

    def find(self, stage: str, key: str) -> object:
        """Whether there is an entry, without loading it: MISS, None for a stored None, or True."""
        if self.root is None or not (self.root / f"{stage}-{key}.pkl").exists():
            return MISS
        return None if (self.root / f"{stage}-{key}.none").exists() else True

    def get(self, stage: str, key: str) -> object:
        """The stored value, or MISS."""
        if self.root is None:
            return MISS
        path = self.root / f"{stage}-{key}.pkl"
        if not path.exists():
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
