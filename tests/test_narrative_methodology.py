"""narrative.methodology: the appendix prints the scales and rules the other sections apply, from the same constants."""

from __future__ import annotations

import small_results as make
from report_builder.report.narrative import eda, summary
from report_builder.report.narrative import methodology as say
from report_builder.results.report import RunInfo

NB = "\u00a0"


def test_the_effect_size_scale_is_the_one_applied() -> None:
    assert say.effect_scale(eda.COHEN_LEVELS) == "от 0,2 — слабое, от 0,5 — заметное, от 0,8 — сильное"
    assert say.effect_scale(eda.CRAMER_LEVELS) == "от 0,1 — слабое, от 0,3 — заметное, от 0,5 — сильное"
    assert say.effect_bounds(eda.COHEN_LEVELS) == "0,2 — слабое, 0,5 — заметное, 0,8 — сильное"
    assert "небольшое" not in say.effect_bounds(eda.COHEN_LEVELS)


def test_the_significance_level_comes_from_the_results() -> None:
    assert say.significance_rule(0.05) == "меньше 0,05 — различие значимо"
    assert say.significance_rule(0.01) == "меньше 0,01 — различие значимо"


def test_the_calibration_methods_by_name() -> None:
    assert say.brier_by_method(make.evaluation()) == "без калибровки — 0,1452; Платт — 0,1431; изотоническая — 0,1467"


def test_the_auc_scale_names_the_bound_of_the_best_verdict() -> None:
    assert summary.AUC_VERDICTS[0][0] == 0.9
    assert say.auc_scale() == "0,5 — угадывание, 1 — идеальное разделение; выше 0,9 — отлично"


def test_the_data_source() -> None:
    run = RunInfo("2026-Q3", "2026-10-02T08:15:00+00:00", 42, {}, "/data/market", False)
    assert say.data_source(run) == "/data/market"
    assert say.data_source(RunInfo("2026-Q3", "2026-10-02T08:15:00+00:00", 42, {}, "demo", True)) == "встроенные демо-данные"


def test_the_customers_own_drivers_name_their_method_and_reach() -> None:
    from report_builder.report.narrative.methodology import drivers_method

    trees = drivers_method("TreeExplainer (пути деревьев)", 5000)
    assert f"для 5{NB}000 покупателей" in trees and "путей деревьев" in trees
    other = drivers_method("Перестановка признаков в обе стороны", 300)
    assert "для 300 покупателей" in other and "перестановка признаков" in other and "деревьев" not in other
