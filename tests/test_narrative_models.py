"""narrative.models: the comparison of models, the chosen one's quality and its errors in counts."""

from __future__ import annotations

import pytest

import small_results as make
from report_builder.report.narrative import models as say

NB = "\u00a0"


@pytest.mark.parametrize(("folds", "text"), [(2, "2 блока"), (5, "5 блоков"), (10, "10 блоков"), (21, "21 блок")])
def test_folds_are_said_from_the_setting(folds: int, text: str) -> None:
    assert say.folds_phrase(folds) == f"кросс-валидация на {text.replace(' ', NB)}"


def test_the_confusion_matrix_unpacked() -> None:
    counts = say.confusion_counts(make.evaluation())  # [[TN, FP], [FN, TP]] = [[50, 10], [8, 32]]
    assert counts == (50, 10, 8, 32)
    assert (counts.found, counts.declined, counts.alarms) == (32, 40, 42)


def test_the_search_in_words() -> None:
    s = make.search()
    assert say.held_out_share(s) == f"20{NB}%"
    assert [say.is_chosen(sc, s) for sc in s.scores] == [True, False]
    assert say.auc_interval((0.8512, 0.9049)) == "0,851–0,905"
    assert say.short_title(s.scores[1]) == "Дерево решений"


def test_every_calibration_method_has_a_name_and_a_sentence() -> None:
    assert set(say.CALIBRATION_METHODS) == {"none", "sigmoid", "isotonic"}
    assert "Платта" in say.calibration_method("sigmoid") and "не понадобилось" in say.calibration_method("none")


def test_chart_captions() -> None:
    s, ev = make.search(), make.evaluation()
    assert say.comparison_title(s) == "Лучшая по кросс-валидации модель — логистическая регрессия: ROC-AUC 0,895"
    assert say.roc_title(s) == "Модель отделяет снижение активности от прежнего уровня с ROC-AUC 0,865 на отложенной выборке"
    assert say.confusion_title(ev) == f"При пороге 0,50 модель находит 80{NB}% снизивших, из её тревог верны 76{NB}%"
    assert say.calibration_title(ev) == (
        f"В среднем прогноз расходится с фактической долей снизивших на 6{NB}п.{NB}п. (оценка Брайера 0,143 против 0,236 у константы)"
    )



def test_the_caps_of_the_search_and_what_they_took_are_said() -> None:
    from dataclasses import replace

    import pandas as pd

    from report_builder.report.narrative.models import held_out_share, samples_sentence

    small = make.search()  # 80 trained, 20 held out, nothing sampled
    text = samples_sentence(small, 5000, 20000)
    assert f"не больше чем на 5{NB}000 покупателях" in text and "выборки не понадобились — обучение на всех 80, проверка на всех 20" in text
    large = replace(small, train_index=pd.Index(range(5000)), train_available=750_000, test_index=pd.Index(range(250_000)), checked=20_000)
    assert text != samples_sentence(large, 5000, 20000)
    assert f"обучение на 5{NB}000 из 750{NB}000, проверка на 20{NB}000 из 250{NB}000" in samples_sentence(large, 5000, 20000)
    assert held_out_share(large) == f"25{NB}%"  # of all customers, not of the sample


def test_the_search_and_its_screen_are_said_as_they_ran() -> None:
    from dataclasses import replace

    two = make.search()  # two families, none screened
    text = say.search_sentence(two)
    assert "лучшие по кросс-валидации семейства (половина)" in text and "деревьев" not in text
    assert [say.tried_phrase(score) for score in two.scores] == ["10", "10"]
    forest = replace(two.scores[1], candidates=3, screened=9)
    screened = replace(two, scores=(two.scores[0], forest))
    assert "на четверти его деревьев и полностью проверяют лучшую треть" in say.search_sentence(screened)
    assert say.tried_phrase(forest) == "3 из 9 (отбор на четверти деревьев)"
    assert say.search_sentence(replace(two, scores=two.scores[:1])) == ""  # one family: nothing was halved
