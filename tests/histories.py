"""Hand-made histories: quarters as the history reads them back, built from a few columns per customer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.labels import CATEGORICAL, DECLINED, KNOWN_VALUES, NUMERIC, PROFIT, STABLE, TARGET
from report_builder.pipeline import HISTORY
from report_builder.records import record_type, to_record
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.report import RunInfo
from report_builder.results.segments import PEOPLE_COLUMNS, CustomerList


def clean(declined: pd.Series, profit: pd.Series | float = 1.0) -> CleanData:
    """A quarter's cleaned data: the label (1/0 per customer), the monthly profit, and features that say nothing."""
    frame = pd.DataFrame(index=declined.index)
    for column in CATEGORICAL:
        frame[column] = KNOWN_VALUES[column][0]
    for column in NUMERIC:
        frame[column] = 1.0
    frame[TARGET] = np.where(declined.to_numpy() == 1, DECLINED, STABLE)
    frame[PROFIT] = profit if isinstance(profit, float) else profit.reindex(declined.index).to_numpy()
    counts = {DECLINED: int((declined == 1).sum()), STABLE: int((declined == 0).sum())}
    return CleanData(frame, len(frame), (), (), counts, {})


def people(index: pd.Index, **columns: object) -> pd.DataFrame:
    """The history's record of each customer: defaults for every column, the given ones on top."""
    frame = pd.DataFrame(index=pd.Index(index, name="id"))
    defaults = {"probability": 0.8, "segment": "Ценные в зоне риска", "profit": 1.0, "profit_at_risk": 1.0, "control": False,
                "offers": "", "rules": "", "eligible": "", "in_plan": False, "expected_gain": np.nan, "cost": np.nan}
    for name in PEOPLE_COLUMNS:
        frame[name] = columns.get(name, defaults[name])
    return frame


def snapshot(period: str, data: CleanData | None = None, plan_people: pd.DataFrame | None = None, threshold: float = 0.5,
             cv_auc: float = 0.9) -> object:
    """One earlier quarter: its run, its model's promise and threshold, its customers' labels and what was assigned."""
    run = record_type(RunInfo)(period=period, built_at=f"{period[:4]}-01-01T00:00:00+00:00", versions={}, dataset="shop",
                               config_hash="h", settings="{}", money_unit="ед.")
    parts = {part: None for part in HISTORY.parts}
    parts.update(run=run, search=record_type(ModelSearch)(best="logreg", best_cv_auc=cv_auc),
                 evaluation=record_type(Evaluation)(threshold=threshold))
    if data is not None:
        parts["data"] = to_record(data)
    if plan_people is not None:
        parts["customer_list"] = record_type(CustomerList)(people=plan_people)
    return HISTORY.snapshot(**parts)
