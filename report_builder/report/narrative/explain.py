"""«Важность признаков»: what drives the risk, in sentences, and how much each feature contributes."""

from __future__ import annotations

import math

from report_builder.labels import label
from report_builder.report.filters import NBSP, num
from report_builder.results.analysis import Driver, Explanation

NEGLIGIBLE_SHAP = 0.01  # mean |SHAP| below one percentage point ...
NEGLIGIBLE_PERMUTATION = 0.002  # ... and shuffling the feature costs almost no ROC-AUC: the feature barely matters
LEADING_DRIVERS = 3  # drivers named in the section's lead sentence
WEAKEST_SHOWN = 3  # the weakest drivers named after them
AGREEMENT_TOP = 5  # the two importance measures are compared on this many leading features

# How a driver reads in a sentence: (comparative, noun phrase): «чем меньше страниц за визит».
DRIVER_NOUNS: dict[str, tuple[str, str]] = {
    "Страниц_за_визит": ("больше", "страниц за визит"),
    "Средний_просмотр_категорий_за_визит": ("больше", "категорий за визит"),
    "Минут_текущий_месяц": ("больше", "минут на сайте в этом месяце"),
    "Минут_предыдущий_месяц": ("больше", "минут на сайте в прошлом месяце"),
    "Акционные_покупки": ("выше", "доля акционных покупок"),
    "Неоплаченные_продукты_штук_квартал": ("больше", "неоплаченных товаров в корзине"),
    "Маркет_актив_6_мес": ("больше", "маркетинговых контактов за полгода"),
    "Маркет_актив_тек_мес": ("больше", "маркетинговых контактов в этом месяце"),
    "Длительность": ("дольше", "покупатель зарегистрирован"),
    "Ошибка_сервиса": ("больше", "сбоев сервиса"),
    "Выручка_препредыдущий_месяц": ("больше", "выручка в позапрошлом месяце"),
    "Выручка_предыдущий_месяц": ("больше", "выручка в прошлом месяце"),
    "Выручка_текущий_месяц": ("больше", "выручка в этом месяце"),
}
OPPOSITE = {"больше": "меньше", "выше": "ниже", "дольше": "меньше"}
# A category in a sentence: «риск выше у согласившихся на рассылки».
CATEGORY_HOLDERS: dict[str, str] = {
    "Разрешить сообщать": "согласившихся на рассылки, ответ «{value}»",
    "Тип сервиса": "покупателей с сервисом «{value}»",
    "Популярная_категория": "покупателей, чья любимая категория — «{value}»",
}


def driver_phrase(driver: Driver) -> str:
    if driver.direction in ("up", "down") and driver.feature in DRIVER_NOUNS:
        more, noun = DRIVER_NOUNS[driver.feature]
        word = more if driver.direction == "up" else OPPOSITE[more]
        return f"чем {word} {noun}, тем выше риск снижения"
    name = label(driver.feature)
    if driver.direction == "up":
        return f"чем больше «{name}», тем выше риск снижения"
    if driver.direction == "down":
        return f"чем меньше «{name}», тем выше риск снижения"
    if driver.direction == "category":
        if driver.feature == "Разрешить сообщать":
            agreed = driver.risky_category == "да"
            return "риск выше у " + ("согласившихся на рассылки" if agreed else "не давших согласия на рассылки")
        holder = CATEGORY_HOLDERS.get(driver.feature, "покупателей со значением «{value}» признака «" + name + "»")
        return "риск выше у " + holder.format(value=driver.risky_category)
    return f"«{name}» модель не использует"


def negligible(driver: Driver) -> bool:
    return driver.mean_abs_shap < NEGLIGIBLE_SHAP and driver.permutation < NEGLIGIBLE_PERMUTATION


def driver_effect(driver: Driver) -> str:
    """The direction of a driver in words, or that it barely matters."""
    if negligible(driver):
        return "влияние несущественное"
    return driver_phrase(driver)


def leading_drivers(explanation: Explanation) -> str:
    """«Сильнее всего на риск влияют: …; …; …. Далее — ….»: the leading drivers and the one after them."""
    leading = explanation.drivers[:LEADING_DRIVERS]
    text = f"Сильнее всего на риск влияют: {'; '.join(driver_phrase(d) for d in leading)}."
    following = explanation.drivers[LEADING_DRIVERS : LEADING_DRIVERS + 1]
    return text + "".join(f" Далее — {driver_effect(d)}." for d in following)


def weakest_drivers(explanation: Explanation, shown: int = WEAKEST_SHOWN) -> str:
    """The weakest features and a bound on their contribution that is true of the unrounded values."""
    weakest = explanation.drivers[-shown:]
    largest = max(d.mean_abs_shap for d in weakest) * 100
    bound = math.floor(largest * 10) / 10 + 0.1  # one decimal, strictly above the largest value
    names = ", ".join(f"«{label(d.feature)}»" for d in weakest)
    return f"Слабее всего влияют {names}: их вклад в среднем меньше {num(bound, 1)} процентного пункта."


def contribution(driver: Driver) -> str:
    """A driver's mean contribution in percentage points, as the table shows it: «4,2»."""
    return num(driver.mean_abs_shap * 100, 1)


def additivity(error: float) -> str:
    """How exactly the contributions add up to the model's output."""
    if error < 1e-6:
        return "сумма совпадает с прогнозом модели до шестого знака после запятой"
    return f"расхождение с прогнозом модели не больше {num(error * 100, 2)} п.{NBSP}п."


# --- chart captions ---------------------------------------------------------------------------

def beeswarm_title(explanation: Explanation) -> str:
    top = explanation.drivers[0]
    return f"Главный фактор риска — «{label(top.feature)}»: каждая точка — покупатель, правее — выше риск"


def importance_title(explanation: Explanation) -> str:
    """How many of the leading features SHAP and the permutation importance agree on."""
    by_shap = {d.feature for d in explanation.drivers[:AGREEMENT_TOP]}
    by_permutation = {d.feature for d in sorted(explanation.drivers, key=lambda d: -d.permutation)[:AGREEMENT_TOP]}
    return f"Два способа оценки важности согласны в {len(by_shap & by_permutation)} из {AGREEMENT_TOP} главных признаков"
