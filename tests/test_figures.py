"""Every chart module draws from tiny hand-made results: each figure has its key, its caption from the narrative,
an SVG with the numbers it shows, and no text outside its frame. A broken chart shows here, without a build."""

from __future__ import annotations

import re

import pytest

import small_results as make
from layout import drawn_charts
from report_builder.report.figure import Figure
from report_builder.report.figures import backtest, correlation, data, eda, explain, models, segments
from report_builder.report.narrative import say
from report_builder.results.analysis import CategoricalFeature


def _text(figure: Figure) -> str:
    """The words and numbers drawn in the SVG (text stays text: svg.fonttype is none)."""
    return " ".join(re.findall(r">([^<>]+)</text>", figure.svg)).replace("\u00a0", " ")


def _check(figures: list[Figure], keys: list[str]) -> None:
    assert [f.key for f in figures] == keys
    for f in figures:
        assert f.svg.startswith("<svg") and f.svg.rstrip().endswith("</svg>"), f.key
        assert f.title and f.alt and f.number == 0, f.key


def test_data_class_balance() -> None:
    with drawn_charts() as found:
        figures = data.section(make.clean_data())
    _check(figures, ["class_balance"])
    assert not found.clipped
    (balance,) = figures
    assert balance.title == say.class_balance_title(make.clean_data()) == "Активность снизилась у 25\u00a0% постоянных покупателей"
    assert "6 (75 %)" in _text(balance) and "2 (25 %)" in _text(balance)


def test_eda_draws_a_chart_per_feature_categories_first() -> None:
    e = make.exploration()
    with drawn_charts() as found:
        figures = eda.section(e)
    _check(figures, ["eda_Тип сервиса", "eda_Страниц_за_визит", "eda_Ошибка_сервиса"])
    assert not found.clipped
    assert [f.title for f in figures] == ["Тип сервиса", "Страниц за визит", "Сбоев сервиса"]  # the feature's name only
    assert "50 % из 100" in _text(figures[0])
    assert figures[0].alt.endswith("выше всего у «премиум» (50\u00a0%)")


def test_a_category_of_a_few_customers_is_drawn_but_not_named_the_highest() -> None:
    few = CategoricalFeature("Популярная_категория", {"Товары для животных": 1.0, "Техника": 0.2, "Кухня": 0.1},
                             {"Товары для животных": 3, "Техника": 300, "Кухня": 200}, 0.01, 0.2)
    figure = eda.categorical_rates(few, 0.3)
    assert "100 % из 3" in _text(figure) and figure.alt.endswith("выше всего у «Техника» (20\u00a0%)")


def test_correlation_charts_say_what_the_narrative_says() -> None:
    c = make.correlation()
    with drawn_charts() as found:
        figures = correlation.section(c)
    _check(figures, ["phik_target", "phik_heatmap"])
    assert not found.clipped
    target, heatmap = figures
    assert target.title == say.target_links_title(c) == "Заметная или высокая связь с активностью (φK от 0,5): 2\u00a0признака"
    assert heatmap.title == say.heatmap_title(c) == "Сильнее всего с активностью связан признак «Страниц за визит» (φK = 0,63)"
    assert "0,63" in _text(target) and ",63" in _text(heatmap)


def test_model_charts() -> None:
    s, ev, e = make.search(), make.evaluation(), make.exploration()
    with drawn_charts() as found:
        figures = models.section(s, ev, e)
    _check(figures, ["model_comparison", "roc_pr", "confusion", "calibration"])
    assert not found.clipped and not found.twins
    comparison, roc, confusion, calibration = figures
    assert comparison.title == "Лучшая по кросс-валидации модель — логистическая регрессия: ROC-AUC 0,895"
    assert "Логистическая регрессия" in _text(comparison) and "(L2)" not in _text(comparison)
    assert roc.title == say.roc_title(s) and "0,865" in roc.title and "AUC = 0,865" in _text(roc)
    assert confusion.title == "При пороге 0,50 модель находит 80\u00a0% снизивших, из её тревог верны 76\u00a0%"
    assert "32" in _text(confusion) and "Порог 0,42, наилучшая F1" in _text(confusion)
    assert calibration.title == say.calibration_title(ev) and "6\u00a0п.\u00a0п." in calibration.title


def test_explanation_charts() -> None:
    x = make.explanation()
    with drawn_charts() as found:
        figures = explain.section(x)
    _check(figures, ["shap_beeswarm", "importance"])
    assert not found.clipped
    beeswarm, importance = figures
    assert beeswarm.title == "Главный фактор риска — «Страниц за визит»: каждая точка — покупатель, правее — выше риск"
    assert importance.title == say.importance_title(x) == "Два способа оценки важности согласны в 5 из 5 главных признаков"
    assert "Вклад (SHAP)" in _text(importance) and "Перемешивание" in _text(importance)


@pytest.mark.parametrize("unit", ["ед.", "тыс. руб."])
def test_segment_charts(unit: str) -> None:
    seg = make.segmentation()
    with drawn_charts() as found:
        figures = segments.section(seg, unit)
    _check(figures, ["segments_scatter", "segments_profit", "segments_contrast"])
    assert not found.clipped
    scatter, profit, contrast = figures
    assert scatter.title == f"Сегмент «Ценные в зоне риска»: 2\u00a0покупателя, прибыль под риском за 3 мес. — 600 {unit}"
    assert profit.title == "На сегмент «Ценные в зоне риска» приходится 60\u00a0% всей прибыли под риском"  # 600 of 1 000: base segments only
    assert contrast.title == say.contrast_title(seg) and contrast.title.endswith("признаком «Страниц за визит»")
    assert f"порог прибыли 4,500 {unit}" in _text(scatter)
    assert "5,1 против 9,9" in _text(contrast)


def test_backtest_and_plan_charts() -> None:
    from report_builder.report.figures import plan as plan_figures

    bt = make.backtest()
    with drawn_charts() as found:
        (calibration,) = backtest.section(bt)
        (without,) = plan_figures.section(make.plan(), "ед.")
        (priced,) = plan_figures.section(make.plan(prices={"сайт": 0.1, "email": 1.0}, budget=2.3), "ед.")
    _check([calibration, without, priced], ["backtest_calibration", "plan_returns", "plan_returns"])
    assert not found.clipped
    assert calibration.title == say.backtest_calibration_title(bt)
    assert without.title.startswith("Выгода каждого следующего контакта") and "2,27" in without.title
    assert priced.title.startswith("Бюджет 2 ед. меньше суммы, при которой выгода наибольшая (3 ед.)")
    assert "Затраты на контакты, ед." in _text(priced) and "бюджет" in _text(priced)