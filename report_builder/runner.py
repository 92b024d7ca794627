"""Declared stages and the one runner that binds, caches and times them.

A stage is declared once: its name, its function, which earlier outputs feed which parameters
and which settings it reads. The declaration is checked against the function's signature when
the table is built, and the cache key of a stage is derived from the same declaration: the keys
of its inputs, the values of its settings, the code of its module and the modules it imports,
and the versions of the libraries that shape its result.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
import time
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from report_builder.cache import MISS, StageCache, environment
from report_builder.results.report import StageTiming


class DeclarationError(TypeError):
    """A stage table that does not match its functions: a programming error, caught on import."""


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    fn: Callable[..., object]
    inputs: Mapping[str, str] = field(default_factory=dict)  # parameter -> earlier stage or given value
    settings: Mapping[str, str] = field(default_factory=dict)  # parameter -> dotted path in the settings
    when: str | None = None  # dotted path of a yes/no setting that switches the stage on
    cached: bool = True  # False: always run; the key then comes from the result's `fingerprint`
    tolerate: tuple[type[Exception], ...] = ()  # failures that leave this stage out instead of stopping the build


def check_table(stages: Iterable[Stage], given: Iterable[str], settings: BaseModel) -> tuple[Stage, ...]:
    """The table, or DeclarationError naming the stage and the parameter that do not fit."""
    stages = tuple(stages)
    known = set(given)
    for stage in stages:
        if stage.name in known:
            raise DeclarationError(f"stage {stage.name!r} is declared twice or shadows a given value")
        parameters = inspect.signature(stage.fn).parameters
        declared = [*stage.inputs, *stage.settings]
        unknown = [p for p in declared if p not in parameters]
        missing = [n for n, p in parameters.items() if p.default is inspect.Parameter.empty and n not in declared]
        twice = set(stage.inputs) & set(stage.settings)
        if unknown or missing or twice:
            raise DeclarationError(
                f"stage {stage.name!r} does not match {stage.fn.__qualname__}: "
                f"unknown {unknown}, missing {missing}, both input and setting {sorted(twice)}"
            )
        for parameter, source in stage.inputs.items():
            if source not in known:
                raise DeclarationError(f"stage {stage.name!r}: input {parameter!r} comes from {source!r}, not declared before it")
        for path in [*stage.settings.values(), *([stage.when] if stage.when else [])]:
            try:
                setting(settings, path)
            except AttributeError:
                raise DeclarationError(f"stage {stage.name!r}: no setting {path!r}") from None
        known.add(stage.name)
    return stages


def setting(settings: BaseModel, path: str) -> object:
    """The value at a dotted path; the empty path is the whole settings object."""
    value: object = settings
    for part in filter(None, path.split(".")):
        value = getattr(value, part)
    return value


@dataclass(frozen=True)
class Given:
    """A value from outside the table (the data source, the run's facts) and the key it stands for."""

    value: object
    key: str


@dataclass
class Run:
    """What one pass over the table produced."""

    values: dict[str, object]
    keys: dict[str, str]
    timings: list[StageTiming]
    problems: list[Exception] = field(default_factory=list)  # tolerated failures, in order


def run_stages(
    stages: tuple[Stage, ...],
    given: Mapping[str, Given],
    settings: BaseModel,
    cache: StageCache,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
) -> Run:
    """Run every stage in order; a switched-off stage, or one fed by a missing required input, yields None."""
    values: dict[str, object] = {name: g.value for name, g in given.items()}
    keys = {name: g.key for name, g in given.items()}
    timings: list[StageTiming] = []
    problems: list[Exception] = []
    for stage in stages:
        arguments = _arguments(stage, values, settings)
        if arguments is None:
            values[stage.name], keys[stage.name] = None, "off"
            continue
        start = time.perf_counter()
        key = stage_key(stage, [keys[source] for source in stage.inputs.values()], settings)
        value = cache.get(stage.name, key) if stage.cached else MISS
        cached = value is not MISS
        if not cached:
            try:
                value = stage.fn(**arguments)
            except stage.tolerate as problem:
                values[stage.name], keys[stage.name] = None, "off"
                problems.append(problem)
                continue
            if stage.cached:
                cache.put(stage.name, key, value)
            else:
                key = _digest(key, str(getattr(value, "fingerprint")))
        values[stage.name], keys[stage.name] = value, key
        timing = StageTiming(stage.name, stage.title, time.perf_counter() - start, cached)
        timings.append(timing)
        on_stage(timing)
    return Run(values, keys, timings, problems)


def _arguments(stage: Stage, values: Mapping[str, object], settings: BaseModel) -> dict[str, object] | None:
    if stage.when is not None and not setting(settings, stage.when):
        return None
    parameters = inspect.signature(stage.fn).parameters
    arguments: dict[str, object] = {}
    for parameter, source in stage.inputs.items():
        if values[source] is None and parameters[parameter].default is not None:
            return None  # its input was switched off and the stage cannot do without it
        arguments[parameter] = values[source]
    arguments.update({p: setting(settings, path) for p, path in stage.settings.items()})
    return arguments


def stage_key(stage: Stage, input_keys: list[str], settings: BaseModel) -> str:
    parts = [stage.name, code_version(stage.fn), environment(), *input_keys]
    for parameter, path in sorted(stage.settings.items()):
        value = setting(settings, path)
        text = value.model_dump_json() if isinstance(value, BaseModel) else json.dumps(value, sort_keys=True, default=str)
        parts.append(f"{parameter}={text}")
    return _digest(*parts)


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def code_version(fn: Callable[..., object]) -> str:
    """Hash of the source of the function's module and of every project module it reaches by imports."""
    digest = hashlib.sha256()
    package = fn.__module__.split(".")[0]
    for module in sorted(_reached(sys.modules[fn.__module__], package), key=lambda m: m.__name__):
        file = getattr(module, "__file__", None)
        if file:
            digest.update(module.__name__.encode() + b"\0" + Path(file).read_bytes())
    return digest.hexdigest()


def _reached(start: types.ModuleType, package: str) -> set[types.ModuleType]:
    """The module and every module of the same package that its globals lead to, transitively."""

    def ours(module: types.ModuleType) -> bool:
        return module.__name__ == package or module.__name__.startswith(package + ".")

    seen: set[types.ModuleType] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        if module in seen or not ours(module):
            continue
        seen.add(module)
        for value in vars(module).values():
            owner = value if isinstance(value, types.ModuleType) else sys.modules.get(getattr(value, "__module__", "") or "")
            if owner is not None and ours(owner) and owner not in seen:
                todo.append(owner)
    return seen
