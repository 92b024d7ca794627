"""«Приложение. Методика»: the rules and scales of the analysis, printed from the constants the other sections apply."""

from __future__ import annotations

import re
from collections.abc import Mapping

from report_builder.report.filters import num
from report_builder.report.narrative.common import exact, percent
from report_builder.results.forecast import BOUNDS
from report_builder.report.narrative.models import CALIBRATION_METHODS
from report_builder.report.narrative.summary import AUC_VERDICTS
from report_builder.results.analysis import Evaluation
from report_builder.results.report import RunInfo


def effect_scale(levels: tuple[tuple[float, str], ...]) -> str:
    """«от 0,2 — слабое, от 0,5 — заметное, от 0,8 — сильное»: a scale of effect sizes, from the bottom up."""
    return ", ".join(f"от {num(bound, 1)} — {word}" for bound, word in reversed(levels) if bound > 0)


def effect_bounds(levels: tuple[tuple[float, str], ...]) -> str:
    """«0,2 — слабое, 0,5 — заметное, 0,8 — сильное»: the same scale as the glossary lists it."""
    return ", ".join(f"{num(bound, 1)} — {word}" for bound, word in reversed(levels) if bound > 0)


def significance_rule(alpha: float) -> str:
    """«меньше 0,05 — различие значимо», with the significance level the analysis used."""
    return f"меньше {exact(alpha)} — различие значимо"


def auc_scale() -> str:
    """How to read ROC-AUC, with the bound from which the report calls a model reliable."""
    excellent = AUC_VERDICTS[0][0]
    return f"0,5 — угадывание, 1 — идеальное разделение; выше {num(excellent, 1)} — отлично"


def brier_by_method(evaluation: Evaluation) -> str:
    """«без калибровки — 0,1432; Платт — 0,1429; изотоническая — 0,1460»: the Brier score of each method tried."""
    return "; ".join(f"{CALIBRATION_METHODS[name][0]} — {num(value, 4)}" for name, value in evaluation.brier_by_method.items())


def data_source(run: RunInfo) -> str:
    return "встроенные демо-данные" if run.demo else run.data_dir


def bounds_phrase() -> str:
    """The bounds every forecast probability is kept within."""
    low, high = BOUNDS
    return f"от {percent(low)} до {percent(high)}"


def control_share_phrase(share: float | str) -> str:
    """The configured control share: a share, or «подбирается по мощности» for "auto"."""
    return "подбирается по расчёту мощности" if share == "auto" else percent(float(share))


SCALING = "масштабирование чисел"  # how the searched scaler («prep__num») is named


def parameter_lines(values: Mapping[str, str], between: str) -> list[str]:
    """One line per searched parameter, numbers with a decimal comma and choices set apart by «;»:
    «max_features: 0,2; 0,3; sqrt», «C = 0,1648», «масштабирование чисел: StandardScaler; MinMaxScaler»."""
    return [f"{SCALING if name == 'num' else name}{between}{_russian_numbers(value)}" for name, value in values.items()]


def _russian_numbers(text: str) -> str:
    choices = text.split(", ")
    return "; ".join(re.sub(r"(?<=\d)\.(?=\d)", ",", choice).replace("-", "−") if re.fullmatch(r"[-\d.e+]+", choice)
                     else re.sub(r"(?<=\d)\.(?=\d)", ",", choice) for choice in choices)


def drivers_method(explainer: str, customers_max: int) -> str:
    """How each customer's own risk factors in customers.xlsx were found, and on how many customers."""
    how = ("вклады признаков вдоль путей деревьев модели" if explainer.startswith("TreeExplainer") else
           "одна случайная перестановка признаков, пройденная в обе стороны (как PermutationExplainer из пакета SHAP, "
           "только для всех покупателей сразу)")
    return (
        f"Три главных фактора риска каждого покупателя в customers.xlsx посчитаны для {num(customers_max)} покупателей "
        f"с наибольшей ожидаемой потерей: {how}. Это приближённый расчёт — его хватает, чтобы назвать главные причины "
        "покупателя; раздел «Важность признаков» считает SHAP отдельно, средствами пакета SHAP."
    )
