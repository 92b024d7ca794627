"""Every verdict and number-bearing sentence of the report, decided here; the templates only print.

Thresholds are named constants; wording that depends on a setting takes the setting. Each
function is plain Python, so the words are tested without rendering anything.
"""

from __future__ import annotations

import math

from report_builder.labels import label
from report_builder.report.filters import NBSP, count, num, plural, pvalue
from report_builder.results.analysis import CategoricalFeature, Correlation, Driver, Explanation, NumericFeature
from report_builder.results.segments import Contrast, Offer

# ROC-AUC: from this value on, the verdict on the model's ability to find customers.
AUC_VERDICTS = (
    (0.9, "Модель надёжно находит таких покупателей."),
    (0.8, "Модель хорошо находит таких покупателей."),
    (0.7, "Модель находит таких покупателей лишь удовлетворительно: прогнозы стоит проверять."),
    (0.0, "Модель пока плохо отличает таких покупателей: на её прогнозы опираться нельзя."),
)
# φK: from this value on, the strength of a link.
PHIK_LEVELS = ((0.7, "высокая"), (0.5, "заметная"), (0.3, "умеренная"), (0.0, "слабая"))
# Cohen's d (absolute): from this value on, the size of a difference.
EFFECT_LEVELS = ((0.8, "сильное"), (0.5, "заметное"), (0.2, "небольшое"), (0.0, "пренебрежимо малое"))
MIN_EFFECT = 0.2  # a difference smaller than this is not worth a manager's attention


def _level(value: float, levels: tuple[tuple[float, str], ...]) -> str:
    return next(text for bound, text in levels if value >= bound)


def auc_verdict(auc: float) -> str:
    return _level(auc, AUC_VERDICTS)


def auc_in_words(auc: float) -> str:
    """ROC-AUC as odds a manager can picture: «в 93 случаях из 100»."""
    cases = round(auc * 100)
    return f"в {cases} {plural(cases, 'случае', 'случаях', 'случаях')} из 100"


def phik_strength(value: float) -> str:
    return _level(value, PHIK_LEVELS)


def effect_size(value: float) -> str:
    return _level(abs(value), EFFECT_LEVELS)


def folds_phrase(folds: int) -> str:
    """«кросс-валидация на 5 блоков»."""
    return f"кросс-валидация на {count(folds, 'блок', 'блока', 'блоков')}"


def value_rule(quantile: float) -> str:
    """How the profit threshold separating valuable customers was chosen."""
    if math.isclose(quantile, 0.5):
        return "медиана прибыли: ценные — верхняя половина покупателей"
    return f"квантиль прибыли {num(quantile, 2)}: ценные — верхние {num((1 - quantile) * 100)}{NBSP}% покупателей"


def important(contrast: Contrast, alpha: float) -> bool:
    """A difference worth acting on: significant and at least small in size."""
    return contrast.p_value < alpha and abs(contrast.effect_size) >= MIN_EFFECT


def importance_rule(alpha: float) -> str:
    return f"значимо (p{NBSP}<{NBSP}{num(alpha, 2)}) и хотя бы небольшое по размеру (|d|{NBSP}≥{NBSP}{num(MIN_EFFECT, 1)})"


def categorical_reading(feature: CategoricalFeature, alpha: float) -> str:
    rates = feature.decline_rate
    top, bottom = next(iter(rates)), list(rates)[-1]
    if feature.p_value < alpha:
        return (
            f"Чаще всего активность снижается в группе «{top}» ({_pct(rates[top])}), "
            f"реже всего — «{bottom}» ({_pct(rates[bottom])}); различие значимо ({pvalue(feature.p_value)})."
        )
    groups = "в обеих группах" if len(rates) == 2 else "во всех группах"
    return f"Доля снизивших почти одинакова {groups} ({pvalue(feature.p_value)}): признак сам по себе риск не различает."


def numeric_reading(feature: NumericFeature, alpha: float) -> str:
    means = f"{num(feature.mean_declined, 1)} против {num(feature.mean_stable, 1)}"
    if feature.p_value < alpha and abs(feature.effect_size) >= MIN_EFFECT:
        side = "выше" if feature.mean_declined > feature.mean_stable else "ниже"
        return (
            f"У снизивших активность показатель {side}: в среднем {means}; "
            f"различие {effect_size(feature.effect_size)} ({pvalue(feature.p_value)})."
        )
    if feature.p_value < alpha:
        return f"Различие статистически значимо, но мало: {means} ({pvalue(feature.p_value)})."
    return f"Группы не различаются: {means} ({pvalue(feature.p_value)})."


def driver_phrase(driver: Driver) -> str:
    name = label(driver.feature)
    if driver.direction == "up":
        return f"чем больше «{name}», тем выше риск снижения"
    if driver.direction == "down":
        return f"чем меньше «{name}», тем выше риск снижения"
    if driver.direction == "category":
        return f"при значении «{driver.risky_category}» признака «{name}» риск выше"
    return f"«{name}» модель не использует"


def weakest_drivers(explanation: Explanation, shown: int = 3) -> str:
    """The weakest features and a bound on their contribution that is true of the unrounded values."""
    weakest = explanation.drivers[-shown:]
    largest = max(d.mean_abs_shap for d in weakest) * 100
    bound = math.floor(largest * 10) / 10 + 0.1  # one decimal, strictly above the largest value
    names = ", ".join(f"«{label(d.feature)}»" for d in weakest)
    return f"Слабее всего влияют {names}: их вклад в среднем меньше {num(bound, 1)} процентного пункта."


def additivity(error: float) -> str:
    """How exactly the contributions add up to the model's output."""
    if error < 1e-6:
        return "сумма совпадает с прогнозом модели до шестого знака после запятой"
    return f"расхождение с прогнозом модели не больше {num(error * 100, 2)} п.{NBSP}п."


def offer_condition(offer: Offer) -> str:
    """The rule as it is applied, with the configured number."""
    word = "не меньше" if offer.op == ">=" else "не больше"
    return f"«{label(offer.feature)}» {word} {_value(offer.value)}"


def offer_reason(offer: Offer) -> str:
    return f"у {_pct(offer.share_segment)} сегмента {offer_condition(offer)} против {_pct(offer.share_stable)} у стабильных"


def multicollinearity(correlation: Correlation) -> str:
    feature, vif = correlation.vif[0]
    if correlation.multicollinear:
        pairs = ", ".join(f"«{label(a)}» и «{label(b)}» (φK = {num(v, 2)})" for a, b, v in correlation.strong_pairs)
        head = f"Есть сильно связанные между собой признаки: {pairs}. " if pairs else ""
        return (
            f"{head}Наибольший коэффициент инфляции дисперсии (VIF) — {num(vif, 1)} у признака «{label(feature)}» "
            f"(порог {num(correlation.vif_threshold, 1)}). Линейные модели могут давать неустойчивые веса; "
            "деревья и SHAP-объяснения следует читать с учётом этих пар."
        )
    return (
        f"Мультиколлинеарности нет: ни одна пара признаков не связана сильнее φK = {num(correlation.pair_threshold, 1)}, "
        f"а наибольший VIF — {num(vif, 1)} у признака «{label(feature)}» — ниже порога {num(correlation.vif_threshold, 1)}. "
        "Все признаки оставлены в модели."
    )


def vif_rule(threshold: float) -> str:
    return f"Выше {num(threshold, 1)} — признак почти дублирует другие."


def _pct(share: float) -> str:
    return f"{num(share * 100)}{NBSP}%"


def _value(value: float) -> str:
    """A configured number with every digit it is applied with: 3.5 -> «3,5», 4 -> «4», 0.045 -> «0,045»."""
    text = f"{value:.10g}"
    return text.replace(".", ",").replace("-", "−")
