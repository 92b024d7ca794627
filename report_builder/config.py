"""Every default of a build in one typed, frozen object; overridable from TOML or YAML."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from report_builder.errors import InputError


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
    threshold: float = Field(0.5, gt=0, lt=1, description="probability above which a customer counts as at risk")
    n_jobs: int = Field(2, description="parallel workers for the search")


class ExplainConfig(_Frozen):
    sample: int = Field(200, ge=20, description="customers explained with tree SHAP")
    agnostic_sample: int = Field(100, ge=20, description="customers explained by the model-agnostic explainer")
    background: int = Field(30, ge=10, description="background sample of the model-agnostic explainer")
    permutation_repeats: int = Field(5, ge=2)


class SegmentRule(_Frozen):
    name: str
    description: str = ""
    # Conditions: column -> [low, high] bounds (inclusive); "probability" and "Прибыль" are columns too.
    where: dict[str, tuple[float | None, float | None]]


class SegmentsConfig(_Frozen):
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


class ReportConfig(_Frozen):
    company: str = "В один клик"
    title: str = "Покупательская активность постоянных клиентов"
    formats: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")
    profile: bool = Field(True, description="build the ydata-profiling appendix profile.html (seconds)")
    max_table_rows: int = 20


class Config(_Frozen):
    seed: int = 42
    cleaning: CleaningConfig = CleaningConfig()
    model: ModelConfig = ModelConfig()
    explain: ExplainConfig = ExplainConfig()
    segments: SegmentsConfig = SegmentsConfig()
    report: ReportConfig = ReportConfig()


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
        raise InputError(
            f"неверная настройка «{where}»: {first['msg']}", file=path.name if path else None
        ) from exc
