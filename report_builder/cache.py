"""On-disk cache of stage results, keyed by a hash of inputs, config and code."""

from __future__ import annotations

import hashlib
import importlib
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

T = TypeVar("T")

_SHARED_MODULES = (
    "report_builder.config",
    "report_builder.labels",
    "report_builder.errors",
    "report_builder.features",
    "report_builder.shap_values",
    "report_builder.statistics",
)


def code_version(fn: Callable[..., object]) -> str:
    """Hash of the stage's module, the result types and the shared modules it reads."""
    module = sys.modules[fn.__module__]
    names = {module.__name__, *_SHARED_MODULES}
    names |= {n for n in sys.modules if n.startswith("report_builder.results.")}
    digest = hashlib.sha256()
    for name in sorted(names):
        file = getattr(importlib.import_module(name), "__file__", None)
        if file:
            digest.update(Path(file).read_bytes())
    return digest.hexdigest()


def make_key(stage: str, fn: Callable[..., object], parts: list[str | BaseModel | float | None]) -> str:
    digest = hashlib.sha256(f"{stage}|{code_version(fn)}".encode())
    for part in parts:
        text = part.model_dump_json() if isinstance(part, BaseModel) else json.dumps(part)
        digest.update(b"|" + text.encode())
    return digest.hexdigest()[:32]


class StageCache:
    """Pickles results under `root/<stage>-<key>.pkl`; `root=None` disables the cache."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def get(self, stage: str, key: str) -> object | None:
        if self.root is None:
            return None
        path = self.root / f"{stage}-{key}.pkl"
        if not path.exists():
            return None
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # a corrupt or stale entry is recomputed
            return None

    def put(self, stage: str, key: str, value: object) -> None:
        if self.root is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{stage}-{key}.tmp"
        with tmp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self.root / f"{stage}-{key}.pkl")
