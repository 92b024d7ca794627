"""Every verdict and number-bearing sentence of the report, decided here; the templates only print.

Thresholds are named constants; wording that depends on a setting takes the setting. Each
function is plain Python, so the words are tested without rendering anything.
"""

from __future__ import annotations

import math

from report_builder.labels import label
from report_builder.report.filters import NBSP, count, num, plural
from report_builder.results.analysis import CategoricalFeature, Correlation, Driver, Explanation, NumericFeature
from report_builder.results.backtest import Backtest
from report_builder.results.history import Comparison, Drift, Flow, MetricChange
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
        size = _level(feature.cramer_v, CRAMER_LEVELS)
        return (
            f"Чаще всего активность снижается в группе «{top}» ({_pct(rates[top])}), "
            f"реже всего — «{bottom}» ({_pct(rates[bottom])}); различие {size}."
        )
    groups = "в обеих группах" if len(rates) == 2 else "во всех группах"
    return f"Доля снизивших почти одинакова {groups}: признак сам по себе риск не различает."


def numeric_reading(feature: NumericFeature, alpha: float) -> str:
    means = f"в среднем {num(feature.mean_declined, 1)} у снизивших против {num(feature.mean_stable, 1)} у сохранивших активность"
    if feature.p_value < alpha and abs(feature.effect_size) >= MIN_EFFECT:
        side = "выше" if feature.mean_declined > feature.mean_stable else "ниже"
        return f"У снизивших активность показатель {side}: {means}; различие {_level(abs(feature.effect_size), COHEN_LEVELS)}."
    return f"Группы почти не различаются: {means}; различие несущественное."


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
    "Выручка_препредыдущий_месяц": ("больше", "выручка три месяца назад"),
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
    """«75 % покупателей сегмента: «Страниц за визит» не больше 5 (среди стабильных — 9 %)»."""
    if offer.by_definition:
        return f"{offer_condition(offer)} — так задан сам сегмент (среди стабильных таких {_pct(offer.share_stable)})"
    return f"{_pct(offer.share_segment)} покупателей сегмента: {offer_condition(offer)} (среди стабильных — {_pct(offer.share_stable)})"


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


# --- the management page ----------------------------------------------------------------------

CALIBRATION_TRUSTED = 0.05  # an average gap this small is fine whatever the sample size
NEGLIGIBLE_SHAP = 0.01  # mean |SHAP| below one percentage point ...
NEGLIGIBLE_PERMUTATION = 0.002  # ... and shuffling the feature costs almost no ROC-AUC: the feature barely matters
CRAMER_LEVELS = ((0.5, "сильное"), (0.3, "заметное"), (0.1, "слабое"), (0.0, "несущественное"))
COHEN_LEVELS = ((0.8, "сильное"), (0.5, "заметное"), (0.2, "слабое"), (0.0, "несущественное"))
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# Plain words for a difference on a feature: (said when the at-risk group has less, when it has more).
PLAIN: dict[str, tuple[str, str]] = {
    "Страниц_за_визит": ("смотрят меньше страниц за визит", "смотрят больше страниц за визит"),
    "Средний_просмотр_категорий_за_визит": ("смотрят меньше категорий за визит", "смотрят больше категорий за визит"),
    "Минут_текущий_месяц": ("проводят на сайте меньше минут в этом месяце", "проводят на сайте больше минут в этом месяце"),
    "Минут_предыдущий_месяц": ("проводили на сайте меньше минут в прошлом месяце", "проводили на сайте больше минут в прошлом месяце"),
    "Акционные_покупки": ("реже покупают по акциям", "чаще покупают по акциям"),
    "Неоплаченные_продукты_штук_квартал": ("оставляют в корзине меньше неоплаченных товаров", "оставляют в корзине больше неоплаченных товаров"),
    "Маркет_актив_6_мес": ("получали меньше маркетинговых контактов за полгода", "получали больше маркетинговых контактов за полгода"),
    "Маркет_актив_тек_мес": ("получают меньше маркетинговых контактов в этом месяце", "получают больше маркетинговых контактов в этом месяце"),
    "Длительность": ("зарегистрированы позже", "зарегистрированы раньше"),
    "Ошибка_сервиса": ("реже сталкиваются со сбоями сервиса", "чаще сталкиваются со сбоями сервиса"),
    "Выручка_препредыдущий_месяц": ("тратили меньше три месяца назад", "тратили больше три месяца назад"),
    "Выручка_предыдущий_месяц": ("потратили меньше в прошлом месяце", "потратили больше в прошлом месяце"),
    "Выручка_текущий_месяц": ("тратят меньше в этом месяце", "тратят больше в этом месяце"),
}
SHARES = {"Акционные_покупки"}  # features that are shares: shown in per cent


def period_label(period: str) -> str:
    """«2026-Q4» -> «IV квартал 2026 г.»; any other label as it is."""
    year, _, quarter = period.partition("-Q")
    if year.isdigit() and quarter.isdigit() and int(quarter) in ROMAN:
        return f"{ROMAN[int(quarter)]} квартал {year}{NBSP}г."
    return period


def calibration_trust(error: float, noise: float = 0.0) -> str:
    """Whether money figures can rest on the probabilities: the measured error, against what chance alone gives."""
    gap = f"{num(error * 100)}{NBSP}п.{NBSP}п."
    if error <= max(CALIBRATION_TRUSTED, noise):
        return (
            f"Вероятностям модели можно доверять: в среднем прогноз отличается от фактической доли снизивших "
            f"на {gap}, поэтому на них можно считать деньги."
        )
    return (
        f"Вероятности модели — скорее ранжирование, чем точная доля: в среднем прогноз расходится "
        f"с фактом на {gap}, поэтому суммы прибыли под риском — оценка порядка величины."
    )


def difference(contrast: Contrast) -> str:
    """«сильное / заметное / слабое / несущественное», for numbers (Cohen's d) and categories (Cramér's V)."""
    levels = COHEN_LEVELS if contrast.kind == "numeric" else CRAMER_LEVELS
    return _level(abs(contrast.effect_size), levels)


def negligible(driver: Driver) -> bool:
    return driver.mean_abs_shap < NEGLIGIBLE_SHAP and driver.permutation < NEGLIGIBLE_PERMUTATION


def driver_effect(driver: Driver) -> str:
    """The direction of a driver in words, or that it barely matters."""
    if negligible(driver):
        return "влияние несущественное"
    return driver_phrase(driver)


def cause(contrast: Contrast) -> str | None:
    """«смотрят меньше страниц за визит: 5,6 против 9,8 у стабильных», or None without plain words for it."""
    if contrast.kind != "numeric" or contrast.feature not in PLAIN or difference(contrast) == "несущественное":
        return None
    less, more = PLAIN[contrast.feature]
    words = less if contrast.segment_value < contrast.stable_value else more
    if contrast.feature in SHARES:
        values = f"{_pct(contrast.segment_value)} против {_pct(contrast.stable_value)}"
    else:
        values = f"{num(contrast.segment_value, 1)} против {num(contrast.stable_value, 1)}"
    return f"{words}: {values} у стабильных"


def risk_causes(profile: tuple[Contrast, ...], explanation: Explanation | None, shown: int = 4) -> list[str]:
    """The main causes of risk in plain words, ordered by what drives the model (or by size of difference)."""
    by_feature = {c.feature: c for c in profile}
    order = [d.feature for d in explanation.drivers if not negligible(d)] if explanation else [c.feature for c in profile]
    found = [text for f in order if f in by_feature and (text := cause(by_feature[f]))]
    return found[:shown]


def channels_phrase(channels: tuple[str, ...]) -> str:
    return ", ".join(channels)


def threshold_rule(value: float) -> str:
    """A threshold with every digit it is applied with: «от 4,045»."""
    return f"от {_value(round(value, 6))}"


def calibration_method(method: str) -> str:
    """What was done to the probabilities, in words."""
    return {
        "none": "Поправлять вероятности не понадобилось: без поправки они ближе всего к факту.",
        "sigmoid": "Вероятности поправлены плавной кривой (калибровка Платта): так они ближе всего к факту.",
        "isotonic": "Вероятности поправлены по фактическим долям снизивших (изотоническая калибровка): так они ближе всего к факту.",
    }[method]


def overlap(correlation: Correlation) -> str:
    """Whether features duplicate each other, for the main text (the measures are in the appendix)."""
    if correlation.multicollinear:
        pairs = ", ".join(f"«{label(a)}» и «{label(b)}»" for a, b, _ in correlation.strong_pairs)
        head = f"Почти дублируют друг друга {pairs}. " if pairs else "Часть признаков почти выражается через другие. "
        return head + "Модели это учитывают, но вклад таких признаков стоит читать вместе."
    return "Признаки не дублируют друг друга: все оставлены в модели (проверка — в «Методике»)."


def rejected_rules(offers: tuple[Offer, ...], segment: str) -> str:
    """«Не сработало правило …» / «Не сработали правила …», with the condition and the shares that decided it."""
    if not offers:
        return ""
    head = "Не сработало правило" if len(offers) == 1 else "Не сработали правила"
    reasons = "; ".join(
        f"«{o.title}» — условие {offer_condition(o)} выполняется у {_pct(o.share_segment)} сегмента "
        f"против {_pct(o.share_stable)} у стабильных"
        for o in offers
    )
    return f"{head} для сегмента «{segment}» (данные его не подтверждают): {reasons}."


def _quarter_as(period: str, case: str) -> str | None:
    """«IV квартале 2026 г.» for case «квартале»; None for a label that is not a quarter."""
    label_ = period_label(period)
    return label_.replace(" квартал ", f" {case} ", 1) if label_ != period else None


def in_period(period: str) -> str:
    """«в IV квартале 2026 г.» (or «в периоде …» for a label of another shape)."""
    quarter = _quarter_as(period, "квартале")
    return f"в {quarter}" if quarter else f"в периоде «{period}»"


def phik_value(value: float) -> str:
    """φK with enough digits that the number and its strength agree: 0.4974 is «0,497», not «0,50»."""
    bounds = [b for b, _ in PHIK_LEVELS if b > 0]
    for digits in (2, 3, 4, 5):
        shown = round(value, digits)
        if all((shown >= b) == (value >= b) for b in bounds):
            return num(value, digits)
    return num(value, 4)


def amount(value: float) -> str:
    """A mean as a reader wants it: whole roubles for large amounts, two decimals for small ones."""
    return num(value, 0 if abs(value) >= 100 else 2)


# --- what changed since the last quarter -----------------------------------------------------------

def change_text(metric: MetricChange) -> str:
    """«+2,1 п. п.» for shares, «−4 %» for counts and money."""
    if metric.unit == "pp":
        return f"{'+' if metric.change >= 0 else '−'}{num(abs(metric.change), 1)}{NBSP}п.{NBSP}п."
    return f"{'+' if metric.change >= 0 else '−'}{num(abs(metric.change) * 100)}{NBSP}%"


def metric_value(metric: MetricChange, value: float, unit: str) -> str:
    if metric.name == "declined_share":
        return _pct(value)
    if metric.name == "profit_at_risk":
        return f"{num(value)} {unit}"
    return num(value)


def first_report() -> str:
    return "Это первый отчёт в истории — сравнивать не с чем."


def largest_flow(flows: tuple[Flow, ...], unit: str) -> str:
    """The move that matters most: from a stable segment into the risk zone, by profit at risk."""
    from report_builder.labels import USUAL_AT_RISK, USUAL_STABLE, VALUABLE_AT_RISK, VALUABLE_STABLE

    stable, risky = (VALUABLE_STABLE, USUAL_STABLE), (VALUABLE_AT_RISK, USUAL_AT_RISK)
    into_risk = [f for f in flows if f.source in stable and f.target in risky]
    if not into_risk:
        return "Ни один стабильный покупатель не перешёл в зону риска."
    top = max(into_risk, key=lambda f: f.profit_at_risk)
    who = count(top.customers, "покупатель", "покупателя", "покупателей")
    moved = plural(top.customers, "перешёл", "перешли", "перешли")
    return f"{who} из сегмента «{top.source}» {moved} в «{top.target}» (их прибыль под риском — {num(top.profit_at_risk)} {unit})."


def drift_summary(drift: tuple[Drift, ...]) -> str:
    moved = [d for d in drift if d.level != "нет"]
    if not moved:
        return "Данные этого квартала распределены так же, как в прошлом: заметного сдвига нет ни в одном признаке."
    names = ", ".join(f"«{label(d.feature)}» ({d.level})" for d in moved[:5])
    return f"Сдвинулись признаки: {names}. Порядок — по важности признака для модели."


def model_change(comparison: Comparison) -> str:
    same = comparison.model_then == comparison.model_now
    head = "Лучшая модель та же" if same else f"Лучшая модель сменилась: была {comparison.model_then}, теперь {comparison.model_now}"
    return f"{head}; ROC-AUC при подборе {num(comparison.auc_then, 3)} → {num(comparison.auc_now, 3)}."


def sparkline(values: tuple[float, ...], width: int = 84, height: int = 18) -> str:
    """A tiny inline SVG line of the last quarters (numbers only, so nothing to escape)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = " ".join(f"{2 + i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values))
    last = points.split()[-1].split(",")
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<polyline points="{points}" fill="none" stroke="#57606a" stroke-width="1.4"/>'
        f'<circle cx="{last[0]}" cy="{last[1]}" r="2.2" fill="#0072B2"/></svg>'
    )


def compared_with(period: str) -> str:
    """«Сравнение с III кварталом 2026 г.»."""
    quarter = _quarter_as(period, "кварталом")
    return f"Сравнение с {quarter}" if quarter else f"Сравнение с периодом «{period}»"


# --- did last quarter's forecast and offers work -----------------------------------------------------

def backtest_rates(backtest: Backtest) -> str:
    return (
        f"Прогнозировали снижение у {_pct(backtest.predicted_rate)} покупателей — снизилась активность "
        f"у {_pct(backtest.actual_rate)} ({count(backtest.customers, 'покупатель', 'покупателя', 'покупателей')} есть в обоих кварталах)."
    )


def backtest_verdict(backtest: Backtest) -> str:
    low, high = backtest.roc_auc_ci95
    auc = (
        f"ROC-AUC на деле {num(backtest.roc_auc, 3)} (95{NBSP}% ДИ {num(low, 3)}–{num(high, 3)}) "
        f"против {num(backtest.cv_roc_auc_then, 3)}, обещанных при подборе"
    )
    if not backtest.retrain:
        return f"Прогноз прошлого квартала подтвердился: {auc}."
    reasons = []
    if backtest.auc_fell:
        reasons.append("модель различает хуже, чем обещала")
    if backtest.calibration_off:
        reasons.append(f"в одной из групп прогноз разошёлся с фактом на {num(backtest.calibration_gap * 100)}{NBSP}п.{NBSP}п.")
    return f"Модель стоит переобучить или проверить: {'; '.join(reasons)}. {auc}."


def uplift_verdict(backtest: Backtest) -> str:
    if backtest.verdict == "early" or backtest.uplift is None or backtest.uplift_ci95 is None:
        return "Групп пока мало, вывод о действии предложений делать рано."
    low, high = backtest.uplift_ci95
    interval = f"95{NBSP}% ДИ от {_pp(low)} до {_pp(high)}"
    if backtest.verdict == "helped":
        return f"Предложения снизили долю снизивших активность на {_pp(backtest.uplift)} ({interval})."
    if backtest.verdict == "hurt":
        return f"У получивших предложения снижение случалось чаще, на {_pp(-backtest.uplift)} ({interval}): предложения стоит пересмотреть."
    return f"Эффекта предложений пока не видно: разница {_pp(backtest.uplift)} ({interval})."


def _pp(value: float) -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}{num(abs(value) * 100, 1)}{NBSP}п.{NBSP}п."


def plan_chart_title(plan: object, unit: str) -> str:
    head = plan.headline  # type: ignore[attr-defined]
    if not head.costs_known:
        return (f"Контакт окупается, пока стоит меньше ожидаемой выгоды: в среднем {num(head.break_even_cost, 2)} {unit} "
                "на покупателя плана; цены контактов в настройках не заданы")
    return f"План приносит {num(head.expected_gain)} {unit} при затратах {num(head.cost or 0)} {unit}"
