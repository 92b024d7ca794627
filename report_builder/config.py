"""Every default of a build in one typed, frozen object; overridable from TOML or YAML."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from report_builder.errors import InputError
from report_builder.labels import BASE_SEGMENTS, FEATURES, NUMERIC, PROBABILITY, PROFIT
from report_builder.messages import closest, russian_setting_error

# Parameters of each model family's estimator (scikit-learn `get_params()`), known without importing
# scikit-learn, so a bad grid stops the build the moment the settings load; a test keeps them equal
# to `stages.models.families()`.
MODEL_PARAMETERS: dict[str, tuple[str, ...]] = {
    "knn": ("algorithm", "leaf_size", "metric", "metric_params", "n_jobs", "n_neighbors", "p", "weights"),
    "tree": (
        "ccp_alpha", "class_weight", "criterion", "max_depth", "max_features", "max_leaf_nodes", "min_impurity_decrease",
        "min_samples_leaf", "min_samples_split", "min_weight_fraction_leaf", "monotonic_cst", "random_state", "splitter",
    ),
    "logreg": (
        "C", "class_weight", "dual", "fit_intercept", "intercept_scaling", "l1_ratio", "max_iter", "n_jobs", "penalty",
        "random_state", "solver", "tol", "verbose", "warm_start",
    ),
    "svc": (
        "C", "break_ties", "cache_size", "class_weight", "coef0", "decision_function_shape", "degree", "gamma", "kernel",
        "max_iter", "probability", "random_state", "shrinking", "tol", "verbose",
    ),
    "extra_trees": (
        "bootstrap", "ccp_alpha", "class_weight", "criterion", "max_depth", "max_features", "max_leaf_nodes", "max_samples",
        "min_impurity_decrease", "min_samples_leaf", "min_samples_split", "min_weight_fraction_leaf", "monotonic_cst",
        "n_estimators", "n_jobs", "oob_score", "random_state", "verbose", "warm_start",
    ),
    "random_forest": (
        "bootstrap", "ccp_alpha", "class_weight", "criterion", "max_depth", "max_features", "max_leaf_nodes", "max_samples",
        "min_impurity_decrease", "min_samples_leaf", "min_samples_split", "min_weight_fraction_leaf", "monotonic_cst",
        "n_estimators", "n_jobs", "oob_score", "random_state", "verbose", "warm_start",
    ),
    "gradient_boosting": (
        "categorical_features", "class_weight", "early_stopping", "interaction_cst", "l2_regularization", "learning_rate",
        "loss", "max_bins", "max_depth", "max_features", "max_iter", "max_leaf_nodes", "min_samples_leaf", "monotonic_cst",
        "n_iter_no_change", "random_state", "scoring", "tol", "validation_fraction", "verbose", "warm_start",
    ),
}
SEGMENT_COLUMNS = (*NUMERIC, PROFIT, PROBABILITY)  # what an extra segment's bounds may name


def _unknown(kind: str, name: str, known: tuple[str, ...] | list[str]) -> ValueError:
    """«неизвестное семейство «knm»; возможно, имелось в виду «knn»; допустимы: …»."""
    guess = closest(name, known)
    text = f"{kind} «{name}»" + (f"; возможно, имелось в виду «{guess}»" if guess else "")
    return ValueError(text + "; допустимы: " + ", ".join(known))


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

    @field_validator("families")
    @classmethod
    def _known_families(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("нужно хотя бы одно семейство моделей")
        for name in value:
            if name not in MODEL_PARAMETERS:
                raise _unknown("неизвестное семейство моделей", name, list(MODEL_PARAMETERS))
        return value

    @field_validator("grids")
    @classmethod
    def _known_parameters(cls, value: dict[str, dict[str, tuple[object, ...]]]) -> dict[str, dict[str, tuple[object, ...]]]:
        for family, grid in value.items():
            if family not in MODEL_PARAMETERS:
                raise _unknown("неизвестное семейство моделей", family, list(MODEL_PARAMETERS))
            for parameter, values in grid.items():
                if parameter not in MODEL_PARAMETERS[family]:
                    raise _unknown(f"у модели «{family}» нет параметра", parameter, MODEL_PARAMETERS[family])
                if not values:
                    raise ValueError(f"пустой список значений у параметра «{parameter}» модели «{family}»")
        return value


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

    @field_validator("where")
    @classmethod
    def _numeric_columns(cls, value: dict[str, tuple[float | None, float | None]]) -> dict[str, tuple[float | None, float | None]]:
        for column in value:
            if column in FEATURES:
                if column not in SEGMENT_COLUMNS:
                    raise ValueError(
                        f"границы задаются только для чисел, а «{column}» — нечисловой признак; "
                        f"допустимы числовые признаки, «{PROFIT}» и «{PROBABILITY}»"
                    )
            elif column not in SEGMENT_COLUMNS:
                raise _unknown("неизвестный столбец", column, SEGMENT_COLUMNS)
        return value


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

    @field_validator("extra")
    @classmethod
    def _unique_names(cls, value: tuple[SegmentRule, ...]) -> tuple[SegmentRule, ...]:
        seen: set[str] = set()
        for rule in value:
            if rule.name in BASE_SEGMENTS:
                raise ValueError(f"имя «{rule.name}» уже занято основным сегментом; дайте дополнительному сегменту своё имя")
            if rule.name in seen:
                raise ValueError(f"два дополнительных сегмента с именем «{rule.name}»; дайте каждому своё имя")
            seen.add(rule.name)
        return value

    @field_validator("priority")
    @classmethod
    def _known_priority(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "extra" not in info.data:  # a bad `extra` is reported on its own
            return value
        names = [*BASE_SEGMENTS, *(r.name for r in info.data["extra"])]
        if value not in names:
            raise _unknown("нет сегмента", value, names)
        return value


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

    @field_validator("feature")
    @classmethod
    def _numeric_feature(cls, value: str) -> str:
        if value in FEATURES and value not in NUMERIC:
            raise ValueError(f"правило сравнивает с числом нечисловой признак «{value}»; допустимы: " + ", ".join(NUMERIC))
        if value not in NUMERIC:
            raise _unknown("неизвестный признак", value, NUMERIC)
        return value


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


class LimitsConfig(_Frozen):
    """Limits that refuse hostile or absurd input files before they are read into memory.

    A real quarter (tens of thousands of customers, about 15 columns) is far below every one of them.
    """

    max_file_mb: float = Field(256, gt=0, description="any table on disk, CSV or Excel, in megabytes")
    max_xlsx_unpacked_mb: float = Field(512, gt=0, description="all parts of an Excel workbook once unzipped, in megabytes")
    max_xlsx_ratio: float = Field(100, gt=1, description="unzipped / zipped size of one large workbook part; real sheets compress about 10 times")
    xlsx_ratio_from_mb: float = Field(1, ge=0, description="parts from this size (megabytes) on are held to the ratio; small ones are harmless")
    max_xlsx_parts: int = Field(10_000, ge=10, description="parts in an Excel workbook archive; a real one has about a dozen")
    max_columns: int = Field(200, ge=20, description="columns in a table; the widest one has 13")
    max_header_mb: float = Field(1, gt=0, description="the header line of a CSV must end within this many megabytes")


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
    source: SourceConfig = SourceConfig()
    limits: LimitsConfig = LimitsConfig()

    @property
    def analysis_hash(self) -> str:
        """The settings that shape the numbers; the documents' own (formats, title), the history's and the limits do not count."""
        shaping = self.model_dump_json(exclude={"report", "history", "limits"})
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
        quiet = first["type"] in ("missing", "extra_forbidden", "value_error") or isinstance(first["input"], dict | list | tuple)
        given = "" if quiet else f" (указано: {_shown(first['input'])})"
        raise InputError(
            f"неверная настройка «{where}»: {russian_setting_error(dict(first))}{given}", file=path.name if path else None
        ) from exc


def _shown(value: object) -> str:
    text = str(value) if not isinstance(value, str) else f"«{value}»"
    return text if len(text) <= 60 else text[:57] + "…"
