"""Every default of a build in one typed, frozen object; overridable from TOML or YAML."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from report_builder.errors import InputError
from report_builder.messages import russian_setting_error


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CleaningConfig(_Frozen):
    typo_similarity: float = Field(0.8, ge=0.5, le=1.0, description="difflib ratio to a known value that counts as a misspelling")
    anomaly_iqr_factor: float = Field(10.0, gt=0, description="a value above Q3 + factor × IQR is an anomaly")
    min_customers: int = Field(50, ge=10, description="fewer customers after cleaning stop the build")


class ModelConfig(_Frozen):
    families: tuple[str, ...] = ("knn", "tree", "logreg", "svc", "extra_trees")
    search_iterations: int = Field(12, ge=1, description="randomised-search candidates per family")
    cv_folds: int = Field(5, ge=2)
    test_size: float = Field(0.25, gt=0.05, lt=0.5)
    bootstrap_rounds: int = Field(1000, ge=100)
    n_jobs: int = Field(2, description="parallel workers for the search")
    max_fit_rows: int = Field(5000, ge=200, description="rows a model is fitted on at most (a stratified sample)")
    grids: dict[str, dict[str, tuple[float | int | str | bool | None, ...]]] = Field(
        default_factory=dict,
        description="per family, parameter -> values to search instead of the built-in distribution",
    )


class ExplainConfig(_Frozen):
    sample: int = Field(200, ge=20, description="customers explained with tree SHAP")
    agnostic_sample: int = Field(100, ge=20, description="customers explained by the model-agnostic explainer")
    background: int = Field(30, ge=10, description="background sample of the model-agnostic explainer")
    permutation_repeats: int = Field(5, ge=2)
    customers_max: int = Field(5000, ge=10, description="customers with per-customer drivers, highest expected loss first")


class SegmentRule(_Frozen):
    name: str
    description: str = ""
    # Conditions: column -> [low, high] bounds (inclusive); "probability" and "Прибыль" are columns too.
    where: dict[str, tuple[float | None, float | None]]


class SegmentsConfig(_Frozen):
    threshold: float = Field(0.5, gt=0, lt=1, description="probability from which a customer counts as at risk")
    value_quantile: float = Field(0.5, gt=0, lt=1, description="profit quantile that separates valuable customers")
    extra: tuple[SegmentRule, ...] = (
        SegmentRule(
            name="Любители акций в зоне риска",
            description="доля акционных покупок от 50 % и высокий риск снижения",
            where={"Акционные_покупки": (0.5, None), "probability": (0.5, None)},
        ),
    )
    priority: str | None = Field(None, description="segment to analyse in depth; default: largest profit at risk")
    months_at_risk: int = 3


Channel = Literal["сайт", "email", "push", "sms"]
SITE: Channel = "сайт"  # personalisation on the site reaches a customer without a message


class OfferRule(_Frozen):
    """An offer that fires for a segment when enough of it meets the condition on a driver."""

    name: str
    title: str
    action: str
    feature: str
    op: Literal[">=", "<="]
    value: float
    channels: tuple[Channel, ...] = Field(min_length=1, description="how the offer reaches a customer")
    owner: str = Field("CRM-отдел", description="who carries the action out")
    start: str = Field("в течение недели", description="when the action starts")
    cost: float = Field(0.0, ge=0, description="cost of one contact, in the money table's units")
    min_share: float = Field(0.25, ge=0, le=1, description="share of the segment that must meet the condition")
    min_lift: float = Field(1.3, ge=1, description="how many times more often than among stable customers")


DEFAULT_RULES = (
    OfferRule(
        name="cart",
        title="Напоминание о корзине и скидка на неё",
        action="напоминание о неоплаченных товарах (на сайте, письмом, пушем) и скидка на всю корзину при оплате в течение недели",
        feature="Неоплаченные_продукты_штук_квартал",
        op=">=",
        value=4,
        channels=("сайт", "email", "push"),
    ),
    OfferRule(
        name="promo",
        title="Персональные промокоды в любимой категории",
        action="промокод на любимую категорию покупателя вместо общих акций и ранний доступ к распродажам",
        feature="Акционные_покупки",
        op=">=",
        value=0.5,
        channels=("сайт", "email"),
    ),
    OfferRule(
        name="pages",
        title="Персональные подборки товаров",
        action="подборки на главной странице и в письмах по истории просмотров, чтобы за визит покупатель видел больше нужного",
        feature="Страниц_за_визит",
        op="<=",
        value=5,
        channels=("сайт", "email"),
    ),
    OfferRule(
        name="categories",
        title="Рекомендации из смежных категорий",
        action="блок «с этим покупают» и подборки из соседних категорий в карточке товара",
        feature="Средний_просмотр_категорий_за_визит",
        op="<=",
        value=2,
        channels=("сайт",),
    ),
    OfferRule(
        name="minutes",
        title="Повод вернуться на сайт",
        action="персональная рассылка с новинками любимой категории и напоминанием о накопленных бонусах",
        feature="Минут_текущий_месяц",
        op="<=",
        value=10,
        channels=("email", "push"),
    ),
    OfferRule(
        name="contacts",
        title="План маркетинговых контактов",
        action="ровный план контактов: предложения каждую неделю вместо редких волн рассылок",
        feature="Маркет_актив_6_мес",
        op="<=",
        value=3.5,
        channels=("email", "push", "sms"),
    ),
    OfferRule(
        name="errors",
        title="Исправить сбои сервиса",
        action="поддержка разбирает сбои этих покупателей, на сайте им показывают извинение и начисленный бонус",
        feature="Ошибка_сервиса",
        op=">=",
        value=6,
        channels=("сайт",),
        owner="служба поддержки",
    ),
)


class RecommendationsConfig(_Frozen):
    rules: tuple[OfferRule, ...] = DEFAULT_RULES
    top_actions: int = Field(3, ge=1, le=10, description="actions named on the management summary page")
    control_share: float = Field(0.10, ge=0, lt=1, description="at-risk customers held back from offers, per segment; 0: none")
    effect: float = Field(0.2, ge=0, le=1, description="assumed share of a drop an offer prevents, until a back-test measures it")


class ReportConfig(_Frozen):
    company: str = "В один клик"
    title: str = "Покупательская активность постоянных клиентов"
    formats: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")
    profile: bool = Field(True, description="build the ydata-profiling appendix profile.html (seconds)")
    max_table_rows: int = 20
    money_unit: str | None = Field(None, description="unit of the money table's figures, e.g. «тыс. руб.»; none: said once")

    @property
    def pdf(self) -> bool:
        return "pdf" in self.formats


class SourceConfig(_Frozen):
    """Where each table comes from when --data is a database: a table name or an SQL query (SELECT …)."""

    market_file: str = "market_file"
    market_money: str = "market_money"
    market_time: str = "market_time"
    money: str = "money"


class HistoryConfig(_Frozen):
    """Where runs are recorded and how a change is judged."""

    url: str | None = Field(None, description="SQLAlchemy URL or SQLite path; default: history.sqlite beside the period folders")
    neutral_band_pp: float = Field(1.0, ge=0, description="a share moving less than this many percentage points is «no change»")
    neutral_band_relative: float = Field(0.02, ge=0, description="a count or sum moving less than this share is «no change»")
    drift_noticeable: float = Field(0.1, gt=0, description="drift from this effect size on is noticeable")
    drift_strong: float = Field(0.25, gt=0, description="drift from this effect size on is strong")


class BacktestConfig(_Frozen):
    """When last quarter's forecast counts as failed, and when offer groups are big enough to judge."""

    auc_margin: float = Field(0.05, ge=0, description="realised ROC-AUC this far below the promise: retrain")
    calibration_margin: float = Field(0.10, ge=0, description="a decile this far off: check the model")
    min_bin: int = Field(20, ge=1, description="customers a decile needs to count")
    min_group: int = Field(30, ge=1, description="customers the offer and the control group each need")
    max_ci_width: float = Field(0.20, gt=0, description="an uplift interval wider than this is too early to read")


class ForecastConfig(_Frozen):
    """The forecast of next quarter's decline, learnt from consecutive earlier quarters."""

    min_customers: int = Field(100, ge=20, description="customers two consecutive quarters must share to form a pair")


class StagesConfig(_Frozen):
    """Optional stages; the others feed every section and always run."""

    explain: bool = Field(True, description="SHAP explanation and its section")
    segments: bool = Field(True, description="scoring, segments, offers, customer files and their sections")


class Config(_Frozen):
    seed: int = 42
    stages: StagesConfig = StagesConfig()
    cleaning: CleaningConfig = CleaningConfig()
    model: ModelConfig = ModelConfig()
    explain: ExplainConfig = ExplainConfig()
    segments: SegmentsConfig = SegmentsConfig()
    recommendations: RecommendationsConfig = RecommendationsConfig()
    report: ReportConfig = ReportConfig()
    history: HistoryConfig = HistoryConfig()
    backtest: BacktestConfig = BacktestConfig()
    forecast: ForecastConfig = ForecastConfig()
    source: SourceConfig = SourceConfig()

    @property
    def analysis_hash(self) -> str:
        """The settings that shape the numbers; the documents' own (formats, title) and the history's do not count."""
        shaping = self.model_dump_json(exclude={"report", "history"})
        return hashlib.sha256(shaping.encode()).hexdigest()[:16]


def load_config(path: Path | None, **overrides: object) -> Config:
    """Defaults, then the file (TOML or YAML), then command-line overrides."""
    data: dict[str, object] = {}
    if path is not None:
        if not path.exists():
            raise InputError("файл настроек не найден", file=str(path))
        text = path.read_text(encoding="utf-8")
        try:
            loaded = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            raise InputError(f"файл настроек не читается: {exc}", file=path.name) from exc
        if not isinstance(loaded, dict | None):
            raise InputError("файл настроек должен состоять из разделов и значений «ключ = значение»", file=path.name)
        data = dict(loaded or {})
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})  # type: ignore[assignment]
        node[leaf] = value
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        given = "" if first["type"] in ("missing", "extra_forbidden") else f" (указано: {_shown(first['input'])})"
        raise InputError(
            f"неверная настройка «{where}»: {russian_setting_error(dict(first))}{given}", file=path.name if path else None
        ) from exc


def _shown(value: object) -> str:
    text = str(value) if not isinstance(value, str) else f"«{value}»"
    return text if len(text) <= 60 else text[:57] + "…"
