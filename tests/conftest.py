"""Fixtures shared by the tests: the demo data, the real data and small editable data sets."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import cffi
import pandas as pd
import pytest

from report_builder.config import Config, ExplainConfig, ModelConfig, load_config
from report_builder.demo_data import write_demo
from report_builder.stages.folds import cross_validation
from report_builder.resources import demo_data_dir
from report_builder.results.analysis import Evaluation, Explanation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.segments import Scores
from report_builder.stages.clean import clean_tables
from report_builder.stages.evaluate import evaluate
from report_builder.stages.explain import explain
from report_builder.stages.load import load_tables
from report_builder.stages.models import search_models
from report_builder.stages.score import score_customers
from report_builder.stages.validate import validate_tables

if TYPE_CHECKING:
    from report_builder.build import BuildOutcome

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "market"

# How the demo writer formats each table: (separator, decimal mark).
TABLE_FORMATS = {
    "market_file": (",", "."),
    "market_money": (",", "."),
    "market_time": (",", "."),
    "money": (";", ","),
}


@pytest.fixture
def demo_dir() -> Path:
    return demo_data_dir()


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL_DATA_DIR.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"нет {REAL_DATA_DIR}: в CI реальные данные обязательны")
        pytest.skip("нет ../shared/data/market: реальные данные недоступны")
    return REAL_DATA_DIR


@pytest.fixture
def tiny_tables(tmp_path: Path) -> Callable[..., Path]:
    """Factory: write a small valid data set (200 customers) and return its folder."""

    def make(name: str = "d", customers: int = 200, seed: int = 1) -> Path:
        folder = tmp_path / name
        write_demo(folder, customers=customers, seed=seed)
        return folder

    return make


def read_table(folder: Path, table: str) -> pd.DataFrame:
    """Read one demo-format table as text, so writing it back changes nothing else."""
    sep, _ = TABLE_FORMATS[table]
    return pd.read_csv(folder / f"{table}.csv", sep=sep, dtype=str, keep_default_na=False)


def write_table(frame: pd.DataFrame, folder: Path, table: str) -> None:
    sep, _ = TABLE_FORMATS[table]
    frame.to_csv(folder / f"{table}.csv", sep=sep, index=False, lineterminator="\r\n")


@pytest.fixture
def edit_table() -> Callable[[Path, str, Callable[[pd.DataFrame], pd.DataFrame | None]], None]:
    """Apply `change(frame)` to one table of a folder and write it back in the same format.

    Values are read as text: frame row i is line i + 2 of the file (line 1 is the header).
    `change` may edit the frame in place (return None) or return a new one.
    """

    def edit(folder: Path, table: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> None:
        frame = read_table(folder, table)
        changed = change(frame)
        write_table(frame if changed is None else changed, folder, table)

    return edit


# --- Analysis stages on the demo data: small, fast settings shared by the stage tests ---------------

SEED = 42


def small_model_config(families: tuple[str, ...] = ("logreg", "tree"), **update: object) -> ModelConfig:
    """A fast search: two candidates per family, a short bootstrap; every fit in this process."""
    return Config().model.model_copy(
        update={"families": families, "search_iterations": 2, "bootstrap_rounds": 200, "n_jobs": 1, **update}
    )


def small_explain_config(**update: object) -> ExplainConfig:
    return Config().explain.model_copy(
        update={"sample": 40, "agnostic_sample": 20, "background": 10, "permutation_repeats": 2, "customers_max": 30, **update}
    )


def small_config(families: tuple[str, ...] = ("logreg", "tree"), **sections: object) -> Config:
    """Default settings with the small model search and explanation; `sections` replace whole sections."""
    return Config().model_copy(update={"model": small_model_config(families), "explain": small_explain_config(), **sections})


# Whole builds: the small search and explanation with the fits on the build's usual processes, and no profile. One
# text for the command line and, read by the same loader, for builds in the test process, so that builds of the same
# data in either way find each other's stages in `shared_cache`.
SMALL_BUILD = """
[model]
families = ["logreg", "tree"]
search_iterations = 2
bootstrap_rounds = 200
[explain]
sample = 40
agnostic_sample = 20
background = 10
permutation_repeats = 2
customers_max = 30
[report]
profile = false
"""


@functools.cache
def settings_from(text: str) -> Config:
    """A settings file's text as `report-builder build --config` reads it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.toml"
        path.write_text(text, encoding="utf-8")
        return load_config(path)


def small_build_config() -> Config:
    return settings_from(SMALL_BUILD)


def fit_small(data: CleanData, families: tuple[str, ...], seed: int = SEED, **update: object) -> tuple[ModelSearch, Evaluation]:
    """Search the given families with the small settings and evaluate the chosen model."""
    config = small_model_config(families, **update)
    cv = cross_validation(config.cv_folds, seed)
    search = search_models(data, cv, config, seed)
    return search, evaluate(search, data, cv, Config().segments.threshold, config.n_jobs)


def explain_small(search: ModelSearch, evaluation: Evaluation, data: CleanData, seed: int = SEED, **update: object) -> Explanation:
    c = small_explain_config(**update)
    return explain(search, evaluation, data, c.sample, c.agnostic_sample, c.background, c.permutation_repeats, seed)


def score_small(search: ModelSearch, evaluation: Evaluation, data: CleanData, seed: int = SEED, **update: object) -> Scores:
    c = small_explain_config(**update)
    return score_customers(search, evaluation, data, c.customers_max, c.background, seed)


@pytest.fixture(scope="session")
def demo_data() -> CleanData:
    """The demo data set, loaded, validated and cleaned once per test session."""
    return clean_tables(validate_tables(load_tables(demo_data_dir())), Config().cleaning)


@pytest.fixture(scope="session")
def demo_fit(demo_data: CleanData) -> tuple[ModelSearch, Evaluation]:
    """Logistic regression and a decision tree searched on the demo data; the best one evaluated."""
    return fit_small(demo_data, ("logreg", "tree"))


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One stage cache for the whole run, shared by its xdist workers, for the builds whose subject is not the cache.

    An entry is keyed by the stage's inputs, settings and code, so a build that finds one gets what it would have
    computed; a build with other data or settings computes its own. The cache's own behaviour (keys, misses, trim,
    concurrent writers) is tested on caches of their own.
    """
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / "shared-stage-cache"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def compiled_once(shared_cache: Path) -> None:
    """numba's compiled code (shap's masking) in one folder for the run, as the command keeps it in the stage cache: the
    builds in processes of their own read it instead of compiling it again. A folder the caller set is kept."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(shared_cache / "numba"))


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Held by one process at a time: a second worker waits, then finds the first one's results in the shared cache."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def real_build(real_dir: Path, tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> tuple[Path, BuildOutcome]:
    """One full build on the real data (default models, HTML and PDF): its output folder and its outcome."""
    from report_builder.build import build_report

    config = Config()
    config = config.model_copy(update={"report": config.report.model_copy(update={"profile": False})})
    out = tmp_path_factory.mktemp("real") / "report"
    with exclusive(shared_cache / "real-build.lock"):
        outcome = build_report(config, data_dir=real_dir, out_dir=out, cache_dir=shared_cache)
    return out, outcome


@pytest.fixture(scope="session")
def real_report(real_build: tuple[Path, BuildOutcome]) -> Path:
    """The output folder of the real-data build."""
    return real_build[0]


# --- a machine without Pango ------------------------------------------------------------------

# What cffi raises on Linux when the loader cannot find a library.
NOT_FOUND = "cannot load library '{name}': {name}: cannot open shared object file: No such file or directory"


@pytest.fixture
def fresh_weasyprint() -> Iterator[None]:
    """Let a test import WeasyPrint anew, then put back the modules the other tests use."""
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "weasyprint"}
    for name in saved:
        del sys.modules[name]
    yield
    for name in [n for n in sys.modules if n.split(".")[0] == "weasyprint"]:
        del sys.modules[name]
    sys.modules.update(saved)


@pytest.fixture
def no_pango(monkeypatch: pytest.MonkeyPatch, fresh_weasyprint: None) -> None:
    """The machine has GObject and the rest, but no Pango: its dlopen fails as cffi's does."""
    real = cffi.FFI.dlopen

    def dlopen(self: cffi.FFI, name: object, *args: object) -> object:
        if isinstance(name, str) and "pango" in name:
            raise OSError(NOT_FOUND.format(name=name))
        return real(self, name, *args)

    monkeypatch.setattr(cffi.FFI, "dlopen", dlopen)


# --- a real PostgreSQL server, started for the test session in a temporary folder ------------------

def _postgres_bin() -> Path | None:
    import glob
    import shutil

    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """postgresql+psycopg:// URL of a server of our own; skipped without PostgreSQL, except under CI."""
    import shutil
    import socket
    import subprocess

    bin_dir = _postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL (initdb, pg_ctl) не установлен: .ci/run должен его поставить")
        pytest.skip("PostgreSQL не установлен (пакет postgresql): тесты с настоящим сервером пропущены")
    import tempfile

    # Not under pytest's folders: they are private to root, and the server runs as another user.
    root = Path(tempfile.mkdtemp(prefix="report-builder-postgres-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: use the postgres account
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "tester", "--auth=trust", "-E", "UTF8",
                    "--locale=C"], check=True, capture_output=True)
    options = f"-k {sockets} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run([*as_user, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "tester", "history"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://tester@127.0.0.1:{port}/history"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
