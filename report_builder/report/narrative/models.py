"""«Модели»: how the models were compared, how good the chosen one is, and its errors in counts."""

from __future__ import annotations

from typing import NamedTuple

from report_builder.report.filters import count, num, pct
from report_builder.report.narrative.common import points
from report_builder.results.analysis import Evaluation, ModelScore, ModelSearch

# What was done to the probabilities: (the method's short name, the sentence for the main text).
CALIBRATION_METHODS: dict[str, tuple[str, str]] = {
    "none": ("без калибровки", "Поправлять вероятности не понадобилось: без поправки они ближе всего к факту."),
    "sigmoid": ("Платт", "Вероятности поправлены плавной кривой (калибровка Платта): так они ближе всего к факту."),
    "isotonic": (
        "изотоническая",
        "Вероятности поправлены по фактическим долям снизивших (изотоническая калибровка): так они ближе всего к факту.",
    ),
}


class ConfusionCounts(NamedTuple):
    """The confusion matrix at the threshold, unpacked, with the sums the text needs."""

    stable_kept: int  # true negatives
    false_alarms: int
    missed: int
    found: int  # true positives

    @property
    def declined(self) -> int:
        """Customers whose activity did decline."""
        return self.found + self.missed

    @property
    def alarms(self) -> int:
        """Customers the model flagged."""
        return self.found + self.false_alarms


def confusion_counts(evaluation: Evaluation) -> ConfusionCounts:
    (tn, fp), (fn, tp) = evaluation.confusion
    return ConfusionCounts(int(tn), int(fp), int(fn), int(tp))


def folds_phrase(folds: int) -> str:
    """«кросс-валидация на 5 блоков»."""
    return f"кросс-валидация на {count(folds, 'блок', 'блока', 'блоков')}"


def search_sentence(search: ModelSearch) -> str:
    """How the random search spent its fits: the halving over the families and, for a forest, over its trees."""
    parts = []
    if len(search.scores) > 1:
        parts.append("каждое семейство сначала пробует треть своих кандидатов, а продолжают только лучшие по "
                     "кросс-валидации семейства (половина), остальные остаются при лучшем из найденного")
    if any(score.screened for score in search.scores):
        parts.append("кандидатов леса сначала сравнивают на четверти его деревьев и полностью проверяют лучшую треть")
    if not parts:
        return ""
    return ("Поиск с последовательным отсевом: " + "; ".join(parts)
            + " (сколько кандидатов проверено — в таблице ниже; повторно выпавший набор параметров не проверяется дважды).")


def tried_phrase(score: ModelScore) -> str:
    """How many candidates a family tried in full: «12»; a screened forest's «3 из 9 (отбор на четверти деревьев)»."""
    if score.screened:
        return f"{num(score.candidates)} из {num(score.screened)} (отбор на четверти деревьев)"
    return num(score.candidates)


def held_out_share(search: ModelSearch) -> str:
    """The share of customers held out for the final check: «20 %» (of all, also when the training part was sampled)."""
    held = len(search.test_index)
    return pct(held / (held + search.train_available))


def samples_sentence(search: ModelSearch, max_fit: int, max_check: int) -> str:
    """The caps that keep the search from growing with the shop, and what they took this quarter."""
    caps = (f"Модели обучаются не больше чем на {num(max_fit)} покупателях обучающей части, а семейства сравниваются "
            f"не больше чем на {num(max_check)} отложенных (стратифицированные выборки: подбор не растёт вместе с магазином)")
    fitted, checked = len(search.train_index), search.checked or len(search.test_index)
    if fitted == search.train_available and checked == len(search.test_index):
        return f"{caps}; в этом квартале выборки не понадобились — обучение на всех {num(fitted)}, проверка на всех {num(checked)}."
    return (f"{caps}; в этом квартале — обучение на {num(fitted)} из {num(search.train_available)}, "
            f"проверка на {num(checked)} из {num(len(search.test_index))}.")


def is_chosen(score: ModelScore, search: ModelSearch) -> bool:
    return score.family == search.best


def auc_interval(ci95: tuple[float, float]) -> str:
    """«0,912–0,958»."""
    low, high = ci95
    return f"{num(low, 3)}–{num(high, 3)}"


def short_title(score: ModelScore) -> str:
    """A family's title without its parenthesis: «Логистическая регрессия»."""
    return score.title.split(" (")[0]


def calibration_method(method: str) -> str:
    """What was done to the probabilities, in words."""
    return CALIBRATION_METHODS[method][1]


# --- chart captions ---------------------------------------------------------------------------

def comparison_title(search: ModelSearch) -> str:
    best = search.best_score
    return f"Лучшая по кросс-валидации модель — {short_title(best).lower()}: ROC-AUC {num(best.cv_roc_auc_mean, 3)}"


def roc_title(search: ModelSearch) -> str:
    return (
        f"Модель отделяет снижение активности от прежнего уровня с ROC-AUC {num(search.best_score.test_roc_auc, 3)} "
        "на отложенной выборке"
    )


def confusion_title(evaluation: Evaluation) -> str:
    counts = confusion_counts(evaluation)
    return (
        f"При пороге {num(evaluation.threshold, 2)} модель находит {pct(counts.found / max(counts.declined, 1))} снизивших, "
        f"из её тревог верны {pct(counts.found / max(counts.alarms, 1))}"
    )


def calibration_title(evaluation: Evaluation) -> str:
    return (
        f"В среднем прогноз расходится с фактической долей снизивших на {points(evaluation.calibration_error)} "
        f"(оценка Брайера {num(evaluation.brier, 3)} против {num(evaluation.brier_reference, 3)} у константы)"
    )
