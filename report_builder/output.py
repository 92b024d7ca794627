"""The output folder: the tool writes only its own files there, replaces them as a set, under a lock.

Everything the tool keeps in an output folder besides the report files lives in one hidden
folder, `.report-builder/`: the lock, the manifest of the files it wrote (name -> SHA-256) and,
during a build, a staging folder. A file is the tool's own only if the manifest lists it with
the content it has now; any other file is the user's and is never deleted, moved or overwritten.

Publishing writes every file into the staging folder first; only then, with SIGINT and SIGTERM
held back, the previous files of the tool are moved aside, the new ones moved in and the manifest
replaced. A failure during that swap moves everything back, so the folder always holds either
the previous set or the new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from report_builder.errors import BuildBusy, OutputError, os_reason

OWN_DIR = ".report-builder"
MANIFEST = "manifest.json"
LOCK = "lock"
STAGING_PREFIX = "staging-"


def write_file(path: Path, content: bytes) -> None:
    """Write and flush to disk: a file that is published must be complete."""
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class OutputFolder:
    """An output folder claimed by this build: checked, created if needed, locked."""

    path: Path
    created: list[Path]  # folders this build created, outermost first
    lock: FileLock
    manifest: dict[str, str] = field(default_factory=dict)

    @property
    def own(self) -> Path:
        return self.path / OWN_DIR

    def is_ours(self, name: str) -> bool:
        """Listed in the manifest and unchanged since: a file the user edited is theirs now."""
        file = self.path / name
        if name not in self.manifest or file.is_symlink() or not file.is_file():
            return False
        return sha256_file(file) == self.manifest[name]

    def check_names(self, names: list[str]) -> None:
        """Refuse to write over a file the tool did not write."""
        for name in names:
            file = self.path / name
            if (file.exists() or file.is_symlink()) and not self.is_ours(name):
                raise OutputError(
                    f"в папке {self.path} уже есть «{name}», который записан не этой программой "
                    "или изменён после сборки",
                    hint="Чужие файлы программа не перезаписывает: перенесите или переименуйте этот файл "
                    "либо укажите другую папку в --output",
                )

    def publish(self, files: Mapping[str, bytes]) -> list[Path]:
        """Write `files` beside whatever else is in the folder, replacing the tool's previous set."""
        self.check_names(list(files))
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.own))
        try:
            (staging / "new").mkdir()
            (staging / "old").mkdir()
            for name, content in files.items():
                write_file(staging / "new" / name, content)
            self.check_names(list(files))  # a file may have appeared while this build ran
            stale = [n for n in self.manifest if n not in files and self.is_ours(n)]
            with held_signals():
                self._swap(staging, list(files), stale, {n: hashlib.sha256(c).hexdigest() for n, c in files.items()})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return [self.path / name for name in files]

    def _swap(self, staging: Path, names: list[str], stale: list[str], digests: dict[str, str]) -> None:
        moved_aside: list[str] = []
        placed: list[str] = []
        try:
            for name in [*names, *stale]:
                if self.is_ours(name):
                    os.replace(self.path / name, staging / "old" / name)
                    moved_aside.append(name)
            for name in names:
                os.replace(staging / "new" / name, self.path / name)
                placed.append(name)
            _write_manifest(self.own, digests)
            _sync_folder(self.path)
        except BaseException:
            for name in placed:
                os.replace(self.path / name, staging / "new" / name)
            for name in moved_aside:
                os.replace(staging / "old" / name, self.path / name)
            raise
        self.manifest = digests

    def release(self, succeeded: bool) -> None:
        """Unlock; a failed build into a folder that holds nothing of ours leaves it as it found it."""
        self.lock.release()
        if succeeded:
            return
        for staging in self.own.glob(STAGING_PREFIX + "*"):
            shutil.rmtree(staging, ignore_errors=True)
        if not self.manifest:
            (self.own / LOCK).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.own.rmdir()
            for folder in reversed(self.created):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if empty: never anything the user put there meanwhile


@contextlib.contextmanager
def claim_output(target: Path, inputs: Path | None) -> Iterator[OutputFolder]:
    """Check `target`, create it if needed and lock it for this build; undo what a failed build created."""
    folder = _claim(target, inputs)
    succeeded = False
    try:
        yield folder
        succeeded = True
    finally:
        folder.release(succeeded)


def check_target(target: Path, inputs: Path | None) -> Path:
    """The absolute output path, or OutputError for a path that cannot be right."""
    path = Path(os.path.abspath(target))
    if path.exists() and not path.is_dir():
        raise OutputError(
            f"{path} — это файл, а не папка",
            hint="Укажите в --output папку: файлы отчёта лягут в неё рядом с тем, что там уже есть",
        )
    if inputs is not None:
        data = inputs.resolve()
        real = path.resolve()
        if real == data or data in real.parents:
            raise OutputError(
                f"{path} — это папка с входными данными" + ("" if real == data else " или папка внутри неё"),
                hint="Входные таблицы никогда не перезаписываются: укажите в --output другую папку",
            )
    return path


def _claim(target: Path, inputs: Path | None) -> OutputFolder:
    path = check_target(target, inputs)
    created = _make_folders(path)
    try:
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "no write access", str(path))
        (path / OWN_DIR).mkdir(exist_ok=True)
        lock = FileLock(path / OWN_DIR / LOCK, timeout=0, on_acquired=_mark_pid, preserve_lock_file=True)
        try:
            lock.acquire()
        except Timeout:
            raise BuildBusy(
                f"в эту папку уже пишет другая сборка (pid {_holder(path / OWN_DIR / LOCK)}): {path}",
                hint="Дождитесь её окончания или укажите другую папку в --output",
            ) from None
    except OSError as exc:
        _remove_created(created, path)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise OutputError(
                f"в папку {path} нельзя записывать",
                hint="Проверьте права на папку или укажите другую в --output",
            ) from None
        raise
    except BaseException:
        _remove_created(created, path)
        raise
    folder = OutputFolder(path, created, lock)
    for staging in folder.own.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)  # left by a build that was killed outright
    folder.manifest = _read_manifest(folder.own)
    return folder


def _make_folders(path: Path) -> list[Path]:
    missing = [p for p in (path, *path.parents) if not p.exists()][::-1]
    created: list[Path] = []
    try:
        for folder in missing:
            folder.mkdir()
            created.append(folder)
    except OSError as exc:
        _remove_created(created, None)
        raise OutputError(
            f"нельзя создать папку {path}: {os_reason(exc)}",
            hint="Проверьте права на родительскую папку или укажите другую в --output",
        ) from None
    return created


def _remove_created(created: list[Path], path: Path | None) -> None:
    if path is not None and created:
        shutil.rmtree(path / OWN_DIR, ignore_errors=True)
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _mark_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)


def _holder(lock_file: Path) -> str:
    try:
        return lock_file.read_text(encoding="ascii").strip() or "?"
    except OSError:
        return "?"


def _read_manifest(own: Path) -> dict[str, str]:
    try:
        data = json.loads((own / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # no manifest: no file in the folder counts as the tool's own
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items() if "/" not in str(k) and not str(k).startswith(".")}


def _write_manifest(own: Path, digests: dict[str, str]) -> None:
    from report_builder import __version__

    text = json.dumps(
        {
            "tool": "report-builder",
            "version": __version__,
            "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "files": digests,
        },
        ensure_ascii=False,
        indent=2,
    )
    handle, tmp = tempfile.mkstemp(prefix=".manifest-", dir=own)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, own / MANIFEST)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sync_folder(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder for fsync
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the duration of the swap, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = {n: signal.signal(n, lambda number, _frame: received.append(number)) for n in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for number in received[:1]:
            signal.raise_signal(number)
