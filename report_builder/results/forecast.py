"""The forecast of next quarter's decline: which one is used, how well it was checked, against which baselines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Literal

import pandas as pd

from report_builder.records import Out, published

# forward: a model learnt on pairs of consecutive quarters (features and label at t-1 -> label at t);
# persistence: this quarter's label, as the observed transition rates («кто снизил сейчас, снизит и дальше»);
# same_quarter: no pair of quarters yet, the model of this quarter's label stands in (a first report).
Kind = Literal["forward", "persistence", "same_quarter"]
# time: fitted on the earlier pairs, checked on the latest; cv: cross-validation grouped by customer;
# holdout: the same-quarter model on its held-out customers.
Validation = Literal["time", "cv", "holdout"]
# Why the forecast used is the one it is.
Reason = Literal["model_better", "persistence_better", "no_pairs"]
Calibration = Literal["none", "sigmoid", "isotonic"]
# No forecast learnt from a few hundred customers tells 0 % from 1 %: probabilities are kept inside these bounds.
BOUNDS = (0.01, 0.99)


@dataclass(frozen=True)
class Quarter:
    """One quarter's cleaned customers: index id, columns labels.FEATURES and labels.TARGET."""

    period: str
    customers: pd.DataFrame


@dataclass(frozen=True)
class Baseline:
    """Persistence («кто снизил активность сейчас, снизит и дальше») on the customers the forecast is checked on."""

    roc_auc: Annotated[float, Out(digits=4)]
    precision: Annotated[float, Out(digits=4)]  # share of this quarter's decliners who decline next quarter too
    recall: Annotated[float, Out(digits=4)]  # share of next quarter's decliners who were declining already
    brier: Annotated[float, Out(digits=4)] = float("nan")  # of its observed transition rates, learnt out of sample


@dataclass(frozen=True)
class Baselines:
    persistence: Annotated[Baseline | None, Out()]  # None for a same-quarter model: its target is this quarter's label
    constant_brier: Annotated[float, Out(digits=4)]  # the base rate given to everyone


@dataclass(frozen=True)
class ExpectedDecliners:
    """Next quarter's expected decliners (the sum of forward probabilities), by this quarter's state."""

    from_stable: Annotated[float, Out(digits=1)]
    from_declining: Annotated[float, Out(digits=1)]

    @property
    def total(self) -> float:
        return self.from_stable + self.from_declining

    @property
    def stable_share(self) -> float:
        return self.from_stable / self.total if self.total else 0.0


@dataclass(frozen=True)
class Forecast:
    SUMMARY: ClassVar[str] = "forecast"
    kind: Annotated[Kind, Out(history=True)]
    reason: Annotated[Reason, Out()]
    pairs: Annotated[tuple[tuple[str, str], ...], Out()]  # (period t-1, period t) of every pair learnt from, in period order
    validation: Annotated[Validation, Out(history=True)]
    customers: Annotated[int, Out()]  # customers the reported scores are measured on
    roc_auc: Annotated[float, Out(digits=4, history=True)]  # of the forecast used: what it promises
    roc_auc_ci95: Annotated[tuple[float, float], Out(digits=4)]
    brier: Annotated[float, Out(digits=4)]  # of the probabilities used, on the same customers
    persistence: Baseline | None
    constant_brier: float
    model_roc_auc: Annotated[float, Out(digits=4)]  # the model's validated ROC-AUC, used or not
    model_brier: float
    family: Annotated[str, Out("model", history=True)]  # model family chosen by the search
    calibration: Annotated[Calibration, Out(history=True)]
    calibration_brier: tuple[tuple[str, float], ...]  # Brier score of each calibration tried
    rate_from_stable: Annotated[float | None, Out(summary=False, history=True)]  # next-quarter decline rate of customers stable at t-1
    rate_from_declining: Annotated[float | None, Out(summary=False, history=True)]  # the same for customers declining at t-1
    probability: pd.Series  # next quarter's probability of decline for every current customer (index: id)
    expected: ExpectedDecliners | None = None  # None for a same-quarter model: it does not look ahead
    # The model's searched parameters (`stages.models.chosen_params`): next quarter refits it to say what the switch of
    # model changed.
    params: Annotated[dict[str, str | int | float | bool | None], Out(summary=False, history=True)] = field(default_factory=dict)
    # A forward model's calibrator as plain numbers (`calibration.Calibrator`): next quarter joins it to the model fitted
    # again, and scores its customers with this quarter's forecast as it was. None: not a forward model, or a quarter
    # recorded before the calibrator was kept.
    calibrator: Annotated[tuple[float, ...] | None, Out(summary=False, history=True)] = None

    @published(Out("baseline"))
    def baseline(self) -> Baselines:
        return Baselines(self.persistence, self.constant_brier)

    @published(Out("expected_decliners"))
    def expected_decliners(self) -> ExpectedDecliners | None:
        return self.expected

    @property
    def looks_ahead(self) -> bool:
        return self.kind != "same_quarter"

    @property
    def beats_persistence(self) -> bool | None:
        """Whether the model's validated ROC-AUC is above persistence's on the same customers (None: no baseline)."""
        return None if self.persistence is None else self.model_roc_auc > self.persistence.roc_auc
