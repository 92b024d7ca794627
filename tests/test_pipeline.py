"""End to end on the demo data: the documents, summary.json and a second build served from the cache."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import small_explain_config, small_model_config
from report_builder.build import BuildOutcome, build_report
from report_builder.config import Config
from report_builder.labels import CATEGORICAL, FEATURES
from report_builder.pipeline import STAGES
from report_builder.results.report import StageTiming
from report_builder.runner import RESULTS

pytestmark = pytest.mark.slow

DOCUMENTS = ("report.html", "report.pdf", "summary.json")
MODEL_KEYS = {"name", "cv_roc_auc_mean", "cv_roc_auc_std", "test_roc_auc", "test_roc_auc_ci95", "best_params", "fit_seconds",
              "candidates", "screened"}
DRIVER_KEYS = {"feature", "mean_abs_shap", "direction"}
PROFILE_LINK = re.compile(r"""href=["']profile\.html["']""")


@dataclass(frozen=True)
class Built:
    out: Path
    outcome: BuildOutcome
    timings: list[StageTiming]

    @property
    def summary(self) -> dict:
        return json.loads((self.out / "summary.json").read_text(encoding="utf-8"))

    @property
    def html(self) -> str:
        return (self.out / "report.html").read_text(encoding="utf-8")

    def stage(self, name: str) -> StageTiming:
        return next(t for t in self.timings if t.stage == name)


def with_report(config: Config, **update: object) -> Config:
    return config.model_copy(update={"report": config.report.model_copy(update=update)})


def build(config: Config, out: Path, cache: Path) -> Built:
    timings: list[StageTiming] = []
    # Without a history: the demo would first build its earlier quarters through the same cache (tested elsewhere).
    outcome = build_report(config, data_dir=None, out_dir=out, cache_dir=cache, on_stage=timings.append, use_history=False)
    return Built(out, outcome, timings)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pipeline")


@pytest.fixture(scope="module")
def config() -> Config:
    """Default settings with the small model search of the stage tests; the real-data test runs the full one."""
    small = Config().model_copy(update={"model": small_model_config(), "explain": small_explain_config()})
    return with_report(small, profile=False)


@pytest.fixture(scope="module")
def first(config: Config, workspace: Path) -> Built:
    return build(config, workspace / "first", workspace / "cache")


@pytest.fixture(scope="module")
def second(first: Built, config: Config, workspace: Path) -> Built:
    """The same build again over the same cache (HTML only: the PDF is tested on the first build)."""
    return build(with_report(config, formats=("html",)), workspace / "second", workspace / "cache")


def test_documents_written(first: Built) -> None:
    names = {p.name for p in first.outcome.files}
    assert set(DOCUMENTS) <= names
    assert "profile.html" not in names
    for name in DOCUMENTS:
        assert (first.out / name).stat().st_size > 0, name
    assert not (first.out / "profile.html").exists()


def test_pdf_holds_the_report(first: Built) -> None:
    from pypdf import PdfReader

    reader = PdfReader(first.out / "report.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert 10 <= len(reader.pages) <= 40
    summary = first.summary
    for expected in ("Главное", "Модели", "Сегментация покупателей", "Приложение. Методика", summary["priority_segment"]):
        assert expected in text, expected
    assert f"Стр. {len(reader.pages)} из {len(reader.pages)}" in " ".join(reader.pages[-1].extract_text().split())


def test_html_has_the_analysis_sections(first: Built) -> None:
    html = first.html
    for title in ("Исследовательский анализ", "Корреляционный анализ", "Модели", "Важность признаков"):
        assert re.search(rf"<h2[^>]*>[^<]*{title}[^<]*</h2>", html), title
    assert not PROFILE_LINK.search(html)
    assert "кросс-валидация на 5\u00a0блоков" in html and "пятиблочн" not in html  # said from the setting
    assert re.search(r"Категорию меньше чем из 30 покупателей текст\s+«Исследовательского анализа» не называет", html)


def test_summary_foundation(first: Built) -> None:
    summary = first.summary
    assert re.fullmatch(r"\d{4}-Q[1-4]", summary["period"])
    built_at = dt.datetime.fromisoformat(summary["built_at"])
    assert abs(dt.datetime.now(dt.timezone.utc) - built_at) < dt.timedelta(hours=1)
    data = summary["data"]
    assert data["customers_in"] == 1300
    assert 1200 < data["customers_used"] <= data["customers_in"]
    assert set(data["target_counts"]) == {"Снизилась", "Прежний уровень"}
    assert sum(data["target_counts"].values()) == data["customers_used"]
    assert data["fixes"], "the demo data carries defects that cleaning must report"
    for fix in data["fixes"]:
        assert {"what", "column", "rows", "action", "file"} <= set(fix)
    assert sorted(s["file"].rsplit(".", 1)[0].lower() for s in data["sources"]) == [
        "market_file",
        "market_money",
        "market_time",
        "money",
    ]
    assert all(re.fullmatch(r"[0-9a-f]{64}", s["sha256"]) and s["rows"] > 0 for s in data["sources"])
    assert {"pandas", "scikit-learn", "shap"} <= set(summary["versions"])
    assert summary["seed"] == 42


def test_summary_analysis(first: Built, config: Config) -> None:
    summary = first.summary
    models = summary["models"]
    assert sorted(m["name"] for m in models) == sorted(config.model.families)
    for model in models:
        assert MODEL_KEYS <= set(model), model["name"]
        assert 0.5 < model["cv_roc_auc_mean"] <= 1
        assert 0 <= model["cv_roc_auc_std"] < 0.2
        low, high = model["test_roc_auc_ci95"]
        assert low <= model["test_roc_auc"] <= high
        assert isinstance(model["best_params"], dict) and model["best_params"]
        assert model["candidates"] >= 1 and (model["screened"] == 0 or model["screened"] > model["candidates"])
        assert model["fit_seconds"] >= 0
    means = [m["cv_roc_auc_mean"] for m in models]
    assert means == sorted(means, reverse=True)
    assert summary["best_model"] == models[0]["name"]
    assert summary["threshold"] == config.segments.threshold
    assert 0 < summary["brier"] < 0.25
    drivers = summary["drivers"]
    assert sorted(d["feature"] for d in drivers) == sorted(FEATURES)
    for driver in drivers:
        assert DRIVER_KEYS <= set(driver), driver["feature"]
        expected = {"category"} if driver["feature"] in CATEGORICAL else {"up", "down"}
        assert driver["direction"] in expected, driver["feature"]
    strengths = [d["mean_abs_shap"] for d in drivers]
    assert strengths == sorted(strengths, reverse=True)


def test_first_build_computes_every_stage(first: Built) -> None:
    stages = {t.stage for t in first.timings}
    # A first quarter has nothing to check or to trace over time: those two sections draw no charts.
    assert {s.name for s in STAGES} - {"profile", "charts_backtest", "charts_dynamics"} == stages
    assert not any(t.cached for t in first.timings)


def test_second_build_comes_from_the_cache(first: Built, second: Built) -> None:
    # The files are always read and hashed: that is how the cache knows they did not change. The page
    # reads every setting, and this build asks for HTML only: it alone is laid out again.
    computed = [t.stage for t in second.timings if not t.cached]
    assert computed == ["tables", "html", "summary"]
    assert {t.stage for t in second.timings} == ({s.name for s in STAGES}
                                                 - {"profile", "print_html", "pdf_layout", "pdf", "charts_backtest", "charts_dynamics"})
    assert second.stage("search").seconds < first.stage("search").seconds
    assert second.summary["models"] == first.summary["models"]
    assert second.summary["drivers"] == first.summary["drivers"]


def _after(names: set[str]) -> set[str]:
    """The stages fed, directly or not, by any of `names`."""
    found = set(names)
    for stage in STAGES:
        if set(stage.inputs.values()) & found:
            found.add(stage.name)
    return found


def test_one_changed_setting_recomputes_only_its_readers_and_what_follows(second: Built, config: Config, workspace: Path) -> None:
    changed = config.model_copy(update={"explain": config.explain.model_copy(update={"customers_max": 12})})
    built = build(with_report(changed, formats=("html",)), workspace / "third", workspace / "cache")
    readers = {s.name for s in STAGES if "explain.customers_max" in s.settings.values()}
    assert readers == {"scores"}
    computed = {t.stage for t in built.timings if not t.cached}
    # Every document reads all results; summary.json is written anew every build (it holds the build time).
    documents = {s.name for s in STAGES if RESULTS in s.inputs.values()}
    # This build asks for HTML only, and a first quarter draws no back-test or dynamics charts.
    assert computed == (_after(readers | documents) | {"tables"}) - {"print_html", "pdf_layout", "pdf", "charts_dynamics"}
    assert {"search", "evaluation", "explanation", "correlation"} & computed == set()


def test_settings_no_page_shows_lay_nothing_out_again(first: Built, config: Config, workspace: Path) -> None:
    """The mail and the history's address change no page: a build with other values of them takes both documents from
    the cache, the PDF's layout included, and they are the same. (The input limits and the database's table names are
    settings of reading the tables, so the documents, keyed by what was read, are made again when they change.)"""
    from report_builder.config import MailConfig

    changed = config.model_copy(update={
        "mail": MailConfig(host="smtp.shop.example", recipients=("director@shop.example",)),
        "history": config.history.model_copy(update={"url": str(workspace / "elsewhere.sqlite")}),
    })
    built = build(changed, workspace / "mail", workspace / "cache")
    assert [t.stage for t in built.timings if not t.cached] == ["tables", "summary", "pdf"]
    assert built.html == first.html
    assert built.summary["models"] == first.summary["models"]


def test_the_cache_keeps_its_size_and_everything_the_last_build_used(second: Built, config: Config, tmp_path: Path,
                                                                    workspace: Path) -> None:
    """With the cache over its size, a build removes what earlier builds left and it did not use (least recently used
    first), and keeps all it used: built again with the same settings, it computes nothing it had cached."""
    import os
    import shutil
    import time

    cache = tmp_path / "cache"
    shutil.copytree(workspace / "cache", cache)
    for entry in cache.iterdir():  # the earlier builds ran an hour ago
        os.utime(entry, (time.time() - 3600,) * 2)
    before = {p.name for p in cache.iterdir()}
    changed = with_report(config.model_copy(update={"segments": config.segments.model_copy(update={"value_quantile": 0.62})}),
                          formats=("html",))
    started = time.time()
    build_report(changed, data_dir=None, out_dir=tmp_path / "a", cache_dir=cache, cache_max_mb=0, use_history=False)
    after = {p.name for p in cache.iterdir()}
    left = {p.name: round(started - p.stat().st_mtime) for p in cache.glob("*.pkl") if p.stat().st_mtime < started - 2}
    assert left == {}  # what is left, this build used or wrote
    assert all(p.with_suffix(".pkl").exists() for p in cache.glob("*.none"))  # a stored None's marker, with its entry
    gone = before - after
    assert any(n.startswith("segmentation-") for n in gone) and any(n.startswith("pdf_layout-") for n in gone)
    assert not any(n.startswith(("search-", "evaluation-")) for n in gone)  # this build read them
    timings: list[StageTiming] = []
    build_report(changed, data_dir=None, out_dir=tmp_path / "b", cache_dir=cache, cache_max_mb=0, on_stage=timings.append,
                 use_history=False)
    assert [t.stage for t in timings if not t.cached] == ["tables", "summary"]  # the files are read, the build time is new


def test_a_rebuild_after_a_segment_setting_needs_no_scikit_learn(second: Built, config: Config, workspace: Path) -> None:
    """The model results come back from the cache for the documents without their fitted models being unpickled, so a
    new process that only segments again never imports scikit-learn (a third of a second of such a rebuild)."""
    import subprocess
    import sys

    changed = config.model_copy(update={"segments": config.segments.model_copy(update={"value_quantile": 0.71})})
    settings = workspace / "segments.json"
    settings.write_text(with_report(changed, formats=("html",)).model_dump_json(), encoding="utf-8")
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from report_builder.build import build_report\n"
        "from report_builder.config import Config\n"
        "config = Config.model_validate_json(Path(sys.argv[1]).read_text(encoding='utf-8'))\n"
        "timings = []\n"
        "build_report(config, data_dir=None, out_dir=Path(sys.argv[2]), cache_dir=Path(sys.argv[3]), on_stage=timings.append,"
        " use_history=False)\n"
        "print(json.dumps({'sklearn': 'sklearn' in sys.modules, 'computed': [t.stage for t in timings if not t.cached]}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(settings), str(workspace / "segments"), str(workspace / "cache")],
                            capture_output=True, text=True, check=True)
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert "segmentation" in facts["computed"] and "search" not in facts["computed"]
    assert facts["sklearn"] is False


def test_profile_appendix(first: Built, config: Config, workspace: Path) -> None:
    built = build(with_report(config, profile=True, formats=("html",)), workspace / "profiled", workspace / "cache")
    profile_html = built.out / "profile.html"
    assert profile_html.exists()
    text = profile_html.read_text(encoding="utf-8")
    assert "<html" in text.lower() and "Профиль данных" in text
    assert PROFILE_LINK.search(built.html)
    assert not built.stage("profile").cached
    assert built.stage("search").cached  # only the appendix is new


def test_a_build_from_files_that_keeps_no_history_never_loads_sqlalchemy(first: Built, workspace: Path) -> None:
    """Only a database source or a history needs SQLAlchemy: a build from files without a history never imports it
    (a rebuild over the first build's cache, in a fresh process, so that nothing imported before counts)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from conftest import small_explain_config, small_model_config\n"
        "from report_builder.build import build_report\n"
        "from report_builder.config import Config\n"
        "small = Config().model_copy(update={'model': small_model_config(), 'explain': small_explain_config()})\n"
        "config = small.model_copy(update={'report': small.report.model_copy(update={'profile': False, 'formats': ('html',)})})\n"
        f"build_report(config, data_dir=None, out_dir={str(workspace / 'no-history')!r}, cache_dir={str(workspace / 'cache')!r},"
        " use_history=False)\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "False"
    assert (workspace / "no-history" / "report.html").stat().st_size > 0
