"""Declared stages and the one runner that binds, caches and times them.

A stage is declared once: its name, its function, which earlier outputs feed which parameters,
which settings it reads, the report section it owns and the file it publishes. The declaration
is checked against the function's signature when the table is built, and the cache key of a
stage is derived from the same declaration: the keys of its inputs, the values of its settings,
the code of its module and the modules it imports, and the versions of the libraries that shape
its result. Two inputs are made by the runner itself: `RESULTS`, every result so far as one typed
object (its class is derived from the table), and `TIMINGS`, how long the stages so far took.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import sys
import threading
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel

from report_builder import ending
from report_builder import worker as background
from report_builder.cache import MISS, StageCache, environment
from report_builder.records import attributes
from report_builder.resources import templates_dir
from report_builder.results.report import StageTiming
from report_builder.worker import InWorker, import_all, timed

RESULTS = "<results>"  # input: every result so far, as one object of the table's results class
TIMINGS = "<timings>"  # input: the timings of the stages so far
MADE_BY_RUNNER = (RESULTS, TIMINGS)
T = TypeVar("T")


class DeclarationError(TypeError):
    """A stage table that does not match its functions: a programming error, caught on import."""


@dataclass(frozen=True)
class Section:
    """A section of the report, owned by the stage whose result it shows: present when that result is."""

    key: str  # partial template name and HTML anchor
    title: str
    part: Literal["front", "body", "appendix"] = "body"  # front: right after «Главное»; body: the analysis; appendix: last
    figures: Callable[..., list[object]] | None = None  # its charts; parameters bound by name to results, and `unit`


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    fn: Callable[..., object]
    inputs: Mapping[str, str] = field(default_factory=dict)  # parameter -> earlier stage, given value, RESULTS or TIMINGS
    settings: Mapping[str, str] = field(default_factory=dict)  # parameter -> dotted path in the settings
    when: str | None = None  # dotted path of a yes/no setting that switches the stage on
    cached: bool = True  # False: always run; the key then comes from the result's content
    # True: cached by its inputs as usual, but the stages after it are keyed on the result's `fingerprint` (its
    # content), not on how it was made: the same rows read from another source reuse everything after it.
    content_key: bool = False
    tolerate: tuple[type[Exception], ...] = ()  # failures that leave this stage out instead of stopping the build
    section: Section | None = None  # the report section this stage's result feeds
    publishes: str | None = None  # the file this stage's result is published as (bytes, or text in UTF-8)
    publish_when: str | None = None  # dotted path of a yes/no setting: publish only then (the result may feed others)
    draws: str | None = None  # the key of the section whose charts this stage draws
    output: bool = False  # the build itself reads the result (what the history records of a run)
    background: bool = False  # run in a worker process beside the others; waited for when its result is needed
    # With background: in a process of its own at the lowest priority, for a page that nothing else reads. It takes the
    # processor time the rest of the build leaves idle (while one stage waits for another) and never delays them.
    idle: bool = False
    # Modules later stages import (their `loads`), imported in a thread while this stage runs and its main thread mostly
    # waits (on its own worker processes, or on background results): the import is then off the build's critical path.
    # Only those of later stages this pass runs: an HTML-only build never loads the PDF's library.
    meanwhile: tuple[str, ...] = ()
    # Heavy modules the stage's function imports when it runs (its own module defers them, so that a cached build
    # never loads them): a worker that will run the stage imports them ahead, with the stage's module; an earlier
    # stage's `meanwhile` names those it imports in a thread.
    loads: tuple[str, ...] = ()

    @property
    def returns(self) -> object:
        return typing.get_type_hints(self.fn).get("return", object) if not isinstance(self.fn, type) else self.fn


def check_table(stages: Iterable[Stage], given: Iterable[str], settings: BaseModel) -> tuple[Stage, ...]:
    """The table, or DeclarationError naming the stage and the parameter that do not fit."""
    stages = tuple(stages)
    known = set(given)
    for stage in stages:
        if stage.name in known:
            raise DeclarationError(f"stage {stage.name!r} is declared twice or shadows a given value")
        parameters = inspect.signature(stage.fn).parameters
        declared = [*stage.inputs, *stage.settings]
        open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        unknown = [] if open_ended else [p for p in declared if p not in parameters]
        missing = [n for n, p in parameters.items()
                   if p.default is inspect.Parameter.empty and p.kind is not inspect.Parameter.VAR_KEYWORD and n not in declared]
        twice = set(stage.inputs) & set(stage.settings)
        if unknown or missing or twice:
            raise DeclarationError(
                f"stage {stage.name!r} does not match {stage.fn.__qualname__}: "
                f"unknown {unknown}, missing {missing}, both input and setting {sorted(twice)}"
            )
        kinds = [k for k in (typing.get_args(stage.returns) or (stage.returns,)) if k is not type(None)]
        if stage.content_key and not all(hasattr(k, "fingerprint") for k in kinds):
            raise DeclarationError(f"stage {stage.name!r} is keyed on its content, but its result has no fingerprint")
        if stage.idle and not stage.background:
            raise DeclarationError(f"stage {stage.name!r}: idle is a kind of background stage (background=True)")
        for parameter, source in stage.inputs.items():
            if source not in known and source not in MADE_BY_RUNNER:
                raise DeclarationError(f"stage {stage.name!r}: input {parameter!r} comes from {source!r}, not declared before it")
        for path in [*stage.settings.values(), *(p for p in (stage.when, stage.publish_when) if p)]:
            try:
                setting(settings, path)
            except AttributeError:
                raise DeclarationError(f"stage {stage.name!r}: no setting {path!r}") from None
        known.add(stage.name)
    for k, stage in enumerate(stages):
        loaded = {m for later in stages[k + 1 :] for m in later.loads}
        if unused := [m for m in stage.meanwhile if m not in loaded]:
            raise DeclarationError(f"stage {stage.name!r}: no later stage loads {unused} (meanwhile names what later stages load)")
    return stages


def check_readers(stages: tuple[Stage, ...]) -> None:
    """Every result is read: by a later stage, by its section, by summary.json, or published as a file."""
    read = {source for stage in stages for source in stage.inputs.values()}
    for stage in stages:
        if stage.name in read or stage.section or stage.publishes or stage.draws or stage.output:
            continue
        returned = typing.get_args(stage.returns) or (stage.returns,)
        if any(isinstance(kind, type) and any(a.out.summary for a in attributes(kind)) for kind in returned):
            continue
        raise DeclarationError(f"stage {stage.name!r}: nothing reads its result (no later stage, section, summary field or file)")


def check_sections(results: type) -> None:
    """Every section's chart function takes results by their stage names (and `unit`)."""
    names = {f.name for f in dataclasses.fields(results)}
    for owner, section in getattr(results, "sections"):
        if section.figures is None:
            continue
        unknown = [p for p in inspect.signature(section.figures).parameters if p not in names and p != "unit"]
        if unknown:
            raise DeclarationError(f"section {section.key!r} of stage {owner!r}: its charts ask for {unknown}, not results")


def setting(settings: BaseModel, path: str) -> object:
    """The value at a dotted path; the empty path is the whole settings object."""
    value: object = settings
    for part in filter(None, path.split(".")):
        value = getattr(value, part)
    return value


def results_class(stages: tuple[Stage, ...], given: Mapping[str, object]) -> type:
    """The class of the RESULTS input: the given values and every stage before its first reader, each optional.

    Derived from the table, so a new stage's result reaches the render layer with no second list.
    """
    first_reader = next((i for i, s in enumerate(stages) if RESULTS in s.inputs.values()), len(stages))
    fields = [(name, kind) for name, kind in given.items()]
    shown = [s for s in stages[:first_reader] if not _own_file(s, stages)]
    fields += [(s.name, s.returns | None, dataclasses.field(default=None)) for s in shown]  # type: ignore[operator]
    sections = tuple((s.name, s.section) for s in stages[:first_reader] if s.section is not None)
    cls = dataclasses.make_dataclass("ReportResults", fields, frozen=True, namespace={"sections": sections})
    cls.__module__ = "report_builder.pipeline"
    cls.__doc__ = "Every result of one build, one field per stage: what the render layer reads."
    return cls


def _own_file(stage: Stage, stages: tuple[Stage, ...]) -> bool:
    """A background stage that only publishes a file of its own: no stage reads it, so the documents need not wait."""
    return (stage.background and stage.publishes is not None and stage.section is None and stage.draws is None
            and not any(stage.name in s.inputs.values() for s in stages))


@dataclass(frozen=True)
class Given:
    """A value from outside the table (the data source, the run's facts) and the key it stands for."""

    value: object
    key: str


@dataclass(frozen=True)
class Stored:
    """A stage's result that is in the cache: loaded only when something needs it."""

    key: str


@dataclass(frozen=True)
class Pending:
    """A background stage's result still being computed in the worker process."""

    stage: Stage
    key: str
    future: Future[tuple[object, float]]


def found_title(stages: tuple[Stage, ...], name: str) -> str:
    return next(s.title for s in stages if s.name == name)


def _elsewhere(stage: Stage) -> bool:
    """Whether the stage, when it runs, runs in another process: the worker, or the idle one (a content-keyed one runs
    here: what follows needs its fingerprint at once)."""
    return stage.background and stage.cached and not stage.content_key


def _in_worker(stage: Stage) -> bool:
    """Whether the stage, when it runs, runs in the worker process, which keeps results for the stages after it."""
    return _elsewhere(stage) and not stage.idle


def _certain(stage: Stage) -> bool:
    """A stage that either gives a result or stops the build: never None, no failure tolerated."""
    return not stage.tolerate and type(None) not in typing.get_args(stage.returns)


@dataclass
class Run:
    """What one pass over the table produced. Results found in the cache are loaded only when asked for."""

    stages: tuple[Stage, ...]
    settings: BaseModel
    values: dict[str, object]
    keys: dict[str, str]
    timings: list[StageTiming]
    problems: list[Exception] = field(default_factory=list)  # tolerated failures, in order
    results_type: type | None = None  # the table's results class
    cache: StageCache | None = None
    on_stage: Callable[[StageTiming], None] = lambda _: None
    worker: Executor | None = None
    idle_worker: Executor | None = None
    visited: frozenset[str] | None = None  # the stages this pass runs, when it runs only some (`run_stages`'s `only`)

    def value(self, name: str) -> object:
        """A stage's (or a given value's) result, loaded from the cache if it was left there, or waited for."""
        found = self.values.get(name)
        if isinstance(found, Pending):
            for source in found.stage.inputs.values():  # one it took inside the worker: a failure of that one comes first
                if isinstance(self.values.get(source), Pending):
                    self.value(source)
            try:
                value, seconds = found.future.result()
            except found.stage.tolerate as problem:
                self.values[name], self.keys[name] = None, "off"
                self.problems.append(problem)
                return None
            if self.cache is not None:
                self.cache.put(name, found.key, value)
            self.values[name] = found = value
            self._timed(StageTiming(name, found_title(self.stages, name), seconds, False))
        if isinstance(found, Stored):
            assert self.cache is not None
            loaded = self.cache.get(name, found.key)
            if loaded is MISS:  # gone meanwhile (another process cleaned the cache): computed again
                stage = next(s for s in self.stages if s.name == name)
                loaded = stage.fn(**self.arguments(stage))
            self.values[name] = found = loaded
        return found

    def _timed(self, timing: StageTiming) -> None:
        self.timings.append(timing)
        self.on_stage(timing)

    def wait(self) -> None:
        """Every background stage finished; the worker processes told to stop (their exit is not waited for here)."""
        for name in [n for n, v in self.values.items() if isinstance(v, Pending)]:
            self.value(name)
        for executor in (self.worker, self.idle_worker):
            if executor is not None:
                executor.shutdown(wait=False)  # it exits on its own; the build goes on meanwhile
        self.worker = self.idle_worker = None

    def submit(self, stage: Stage, key: str) -> None:
        if stage.idle:  # its inputs are results of this process: the idle worker keeps nothing of the other's
            if self.idle_worker is None:
                self.idle_worker = background.start(idle=True)
            future = self.idle_worker.submit(timed, stage.fn, self.arguments(stage), stage.name, False, True)
        else:
            keep = any(stage.name in s.inputs.values() for s in self.stages if _in_worker(s))
            future = self.started().submit(timed, stage.fn, self.arguments(stage, in_worker=True), stage.name, keep)
        self.values[stage.name] = Pending(stage, key, future)

    def started(self) -> Executor:
        """The worker process, started on first use."""
        if self.worker is None:
            self.worker = background.start()
        return self.worker

    def start_early(self, stage: Stage) -> None:
        """About to compute `stage` here: when background stages read its result, directly or not, the worker starts
        now and imports their modules while this stage and the next run, so that they do not wait for a process
        to start. A build whose results all come from the cache never starts it."""
        if self.worker is not None:
            return
        reached, modules = {stage.name}, []
        for later in self._later(stage):  # a stage this pass does not run starts no process
            if reached.intersection(later.inputs.values()):
                reached.add(later.name)
                if _in_worker(later) and _switched_on(later, self.settings):
                    modules += [later.fn.__module__, *later.loads]
        if modules:
            self.started().submit(import_all, tuple(dict.fromkeys(modules)))

    def loaded_later(self, stage: Stage, modules: tuple[str, ...]) -> tuple[str, ...]:
        """Those of the modules that a later stage this pass runs (visited, switched on) loads."""
        if not modules:
            return ()
        later = [s for s in self._later(stage) if _switched_on(s, self.settings)]
        return tuple(m for m in modules if any(m in s.loads for s in later))

    def _later(self, stage: Stage) -> list[Stage]:
        """The stages after this one in the table that this pass visits."""
        return [s for s in self.stages[self.stages.index(stage) + 1 :] if self.visited is None or s.name in self.visited]

    def arguments(self, stage: Stage, in_worker: bool = False) -> dict[str, object]:
        """What the stage is called with: its inputs (loaded), the runner's own values and its settings.

        `in_worker`: for a background stage, an input still being computed in the worker is passed as InWorker."""
        arguments: dict[str, object] = {}
        for parameter, source in stage.inputs.items():
            if source == RESULTS:
                arguments[parameter] = self.results
            elif source == TIMINGS:
                arguments[parameter] = tuple(self.timings)
            elif in_worker and isinstance(found := self.values.get(source), Pending) and _in_worker(found.stage):
                arguments[parameter] = InWorker(source)
            else:
                arguments[parameter] = self.value(source)
        arguments.update({p: setting(self.settings, path) for p, path in stage.settings.items()})
        return arguments

    @property
    def results(self) -> object:
        """Every result as one object of the table's results class (None without one)."""
        if self.results_type is None:
            return None
        names = [f.name for f in dataclasses.fields(self.results_type)]
        return self.results_type(**{n: self.value(n) for n in names})

    def result(self, kind: type[T]) -> T | None:
        """The result of the one stage that returns `kind` (None when that stage did not run)."""
        matching = [s for s in self.stages if s.returns is kind or kind in typing.get_args(s.returns)]
        if len(matching) != 1:
            raise LookupError(f"{len(matching)} stages return {kind.__name__}")
        value = self.value(matching[0].name)
        return value if isinstance(value, kind) else None

    def files(self) -> dict[str, bytes]:
        """The files this run publishes, by name, in table order."""
        found: dict[str, bytes] = {}
        for stage in self.stages:
            if stage.publishes is None or (stage.publish_when is not None and not setting(self.settings, stage.publish_when)):
                continue
            value = self.value(stage.name)
            if value is not None:
                found[stage.publishes] = content(value)
        return found


def content(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)  # type: ignore[call-overload]


def planned_files(stages: tuple[Stage, ...], settings: BaseModel) -> list[str]:
    """The files a run with these settings publishes, known before it runs (a stage whose input is off is off)."""
    on: set[str] = set()
    for stage in stages:
        if not _switched_on(stage, settings):
            continue
        if all(source in on or source not in {s.name for s in stages} or _optional(stage, p) for p, source in stage.inputs.items()):
            on.add(stage.name)
    return [s.publishes for s in stages if s.publishes and s.name in on
            and (s.publish_when is None or setting(settings, s.publish_when))]


def ancestors(stages: tuple[Stage, ...], wanted: Iterable[str]) -> set[str]:
    """The wanted stages and every stage they need, directly or not."""
    by_name = {s.name: s for s in stages}
    found: set[str] = set()
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name in found or name not in by_name:
            continue
        found.add(name)
        todo.extend(by_name[name].inputs.values())
    return found


def run_stages(
    stages: tuple[Stage, ...],
    given: Mapping[str, Given],
    settings: BaseModel,
    cache: StageCache,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
    only: set[str] | None = None,
    results: type | None = None,
) -> Run:
    """Run every stage in order (or only those in `only`); a switched-off stage, or one fed by a missing required input,
    yields None. A stage whose result is in the cache is not run, and its result is not even loaded unless a stage
    that does run, a published file or the build asks for it."""
    run = Run(stages, settings, {name: g.value for name, g in given.items()}, {name: g.key for name, g in given.items()},
              [], [], results, cache, on_stage, visited=None if only is None else frozenset(only))
    visited = [s for s in stages if only is None or s.name in only]
    last_background = max((i for i, s in enumerate(visited) if _in_worker(s)), default=-1)
    try:
        with _model_workers():
            for i, stage in enumerate(visited):
                _step(stage, run, settings, cache)
                if i == last_background and run.worker is not None:
                    run.worker.shutdown(wait=False)  # nothing more to send: it exits once what it holds is done
        run.wait()
    finally:
        if run.worker is not None:  # the build failed: what is still queued for the background is not needed
            for value in run.values.values():
                if isinstance(value, Pending):
                    value.future.cancel()
            # What the worker has begun (at most two stages) ends, then it exits. Not loky's kill_workers: with work
            # still queued, its manager thread then fails on a work item it has already dropped (KeyError).
            run.worker.shutdown(wait=False)
        if run.idle_worker is not None:  # its one stage, begun or not, is not needed: the process ends now
            run.idle_worker.shutdown(wait=False, kill_workers=True)
    return run


def _model_workers() -> typing.ContextManager[object]:
    """The stages' own parallel work (the model search, the calibration, permutation importance) in joblib's loky
    processes that end without the interpreter's teardown once the command is done, as the background worker does."""
    import joblib

    return joblib.parallel_config(backend="loky", initializer=ending.worker_started)


def _step(stage: Stage, run: Run, settings: BaseModel, cache: StageCache) -> None:
    if not _runs(stage, run, settings):
        run.values[stage.name], run.keys[stage.name] = None, "off"
        return
    if TIMINGS in stage.inputs.values():
        run.wait()  # the timings are complete only when the background stages are done
    start = time.perf_counter()
    key = stage_key(stage, [_input_key(source, run) for source in stage.inputs.values()], settings)
    found = cache.find(stage.name, key) if stage.cached else MISS
    if found is not MISS:
        run.values[stage.name] = None if found is None else Stored(key)
    elif _elsewhere(stage):
        run.keys[stage.name] = key
        run.submit(stage, key)
        return
    else:
        if stage.cached:
            run.start_early(stage)
        if modules := run.loaded_later(stage, stage.meanwhile):
            _import_meanwhile(modules)
        try:
            value = stage.fn(**run.arguments(stage))
        except stage.tolerate as problem:
            run.values[stage.name], run.keys[stage.name] = None, "off"
            run.problems.append(problem)
            return
        if stage.cached:
            cache.put(stage.name, key, value)
            if stage.content_key:  # beside it, what it stands for: a hit need not load it to key what follows
                cache.put(stage.name + CONTENT, key, _fingerprint(value))
        else:
            key = _digest(key, _fingerprint(value))
        run.values[stage.name] = value
    if stage.content_key:
        key = _digest(stage.name, _content(stage, key, run, cache))
    run.keys[stage.name] = key
    run._timed(StageTiming(stage.name, stage.title, time.perf_counter() - start, found is not MISS))


def _import_meanwhile(modules: tuple[str, ...]) -> None:
    """Import the modules in a daemon thread."""

    threading.Thread(target=import_all, args=(modules,), name="import-meanwhile", daemon=True).start()


CONTENT = ".content"  # the cache entry beside a content-keyed stage's result: its fingerprint


def _content(stage: Stage, key: str, run: Run, cache: StageCache) -> str:
    """A content-keyed result's fingerprint: from the entry beside it, else from the result itself."""
    found = cache.get(stage.name + CONTENT, key) if isinstance(run.values.get(stage.name), Stored) else MISS
    return str(found) if found is not MISS else _fingerprint(run.value(stage.name))


def _input_key(source: str, run: Run) -> str:
    if source == RESULTS:
        assert run.results_type is not None, "a table with RESULTS readers runs with its results class"
        return _digest(*(run.keys.get(f.name, "off") for f in dataclasses.fields(run.results_type)))
    if source == TIMINGS:
        return "timings"
    return run.keys[source]


def _optional(stage: Stage, parameter: str) -> bool:
    """Whether the stage can do without this input: a default of None, or one of its **parts."""
    parameters = inspect.signature(stage.fn).parameters
    declared = parameters.get(parameter)
    if declared is None:
        return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return declared.default is None


def _switched_on(stage: Stage, settings: BaseModel) -> bool:
    """Its switch (`when`) is on, or it has none."""
    return stage.when is None or bool(setting(settings, stage.when))


def _runs(stage: Stage, run: Run, settings: BaseModel) -> bool:
    """Off when its switch is off, or when a required input is missing (switched off or None)."""
    if not _switched_on(stage, settings):
        return False
    for parameter, source in stage.inputs.items():
        pending = run.values.get(source)
        if isinstance(pending, Pending):
            if _in_worker(stage) and _certain(pending.stage):
                continue  # it will come, and the worker passes it on (InWorker)
            run.value(source)  # the reader needs it anyway: whether it came is known once it is done
        if source in MADE_BY_RUNNER or run.values.get(source) is not None:
            continue
        if not _optional(stage, parameter):  # required: the stage cannot do without it
            return False
    return True


def _fingerprint(value: object) -> str:
    """What an uncached stage's result stands for: its own fingerprint, or its content."""
    if hasattr(value, "fingerprint"):
        return str(getattr(value, "fingerprint"))
    if isinstance(value, bytes | str):
        return hashlib.sha256(content(value)).hexdigest()
    return repr(value)


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
    """Hash of the source of the function's module and of every project module it reaches by imports, and of every
    template file when one of those modules locates the templates (`resources`): a changed template or style sheet
    lays the report out anew instead of serving the old layout from the cache."""
    digest = hashlib.sha256()
    package = fn.__module__.split(".")[0]
    for module in sorted(_reached(sys.modules[fn.__module__], package), key=lambda m: m.__name__):
        file = getattr(module, "__file__", None)
        if file:
            digest.update(module.__name__.encode() + b"\0" + Path(file).read_bytes())
        if module.__name__ == f"{package}.resources":
            digest.update(_files(templates_dir()))
    return digest.hexdigest()


def _files(root: Path) -> bytes:
    """Every file under the folder, by its relative path and content."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


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
