"""Write a run's files so that a folder holds either the previous report or the new one, never half."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def publish(out_dir: Path, write: Callable[[Path], list[str]]) -> list[Path]:
    """Call `write(tmp_dir)`, then swap the finished folder into `out_dir`.

    If `write` raises, `out_dir` is untouched and the temporary folder removed.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    tmp.chmod(0o755)
    try:
        names = write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        old.rmdir()
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return [out_dir / n for n in names]
