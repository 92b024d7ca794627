"""«Главное»: the verdict on the model, the cost of doing nothing and the causes of risk in plain words."""

from __future__ import annotations

from report_builder.report.filters import num, plural
from report_builder.report.narrative.common import level, percent, points, quarter_as
from report_builder.report.narrative.eda import NO_DIFFERENCE, difference
from report_builder.report.narrative.explain import negligible
from report_builder.results.analysis import Explanation
from report_builder.results.segments import Contrast, Segmentation

# ROC-AUC: from this value on, the verdict on the model's ability to find customers.
AUC_VERDICTS = (
    (0.9, "Модель надёжно находит таких покупателей."),
    (0.8, "Модель хорошо находит таких покупателей."),
    (0.7, "Модель находит таких покупателей лишь удовлетворительно: прогнозы стоит проверять."),
    (0.0, "Модель пока плохо отличает таких покупателей: на её прогнозы опираться нельзя."),
)
CALIBRATION_TRUSTED = 0.05  # an average gap this small is fine whatever the sample size
CAUSES_SHOWN = 4  # causes of risk listed on the page

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


def auc_verdict(auc: float) -> str:
    return level(auc, AUC_VERDICTS)


def auc_in_words(auc: float) -> str:
    """ROC-AUC as odds a manager can picture: «в 93 случаях из 100»."""
    cases = round(auc * 100)
    return f"в {cases} {plural(cases, 'случае', 'случаях', 'случаях')} из 100"


def calibration_trust(error: float, noise: float = 0.0) -> str:
    """Whether money figures can rest on the probabilities: the measured error, against what chance alone gives."""
    gap = points(error)
    if error <= max(CALIBRATION_TRUSTED, noise):
        return (
            f"Вероятностям модели можно доверять: в среднем прогноз отличается от фактической доли снизивших "
            f"на {gap}, поэтому на них можно считать деньги."
        )
    return (
        f"Вероятности модели — скорее ранжирование, чем точная доля: в среднем прогноз расходится "
        f"с фактом на {gap}, поэтому суммы прибыли под риском — оценка порядка величины."
    )


def in_period(period: str) -> str:
    """«в IV квартале 2026 г.» (or «в периоде …» for a label of another shape)."""
    quarter = quarter_as(period, "квартале")
    return f"в {quarter}" if quarter else f"в периоде «{period}»"


def at_risk_kpi(segmentation: Segmentation) -> str:
    """The label under the number of customers in the risk zone."""
    return f"в зоне риска: вероятность снижения от {percent(segmentation.threshold)}"


def inaction_kpi(segmentation: Segmentation, unit: str) -> tuple[str, str]:
    """The cost of doing nothing: (the amount, the label under it)."""
    totals = segmentation.totals
    label = (
        f"прибыли под риском — {percent(totals.share_of_quarter_profit)} прибыли квартала; "
        f"в зоне риска — {num(totals.profit_at_risk_zone)} {unit}"
    )
    return f"{num(totals.profit_at_risk_all)} {unit}", label


def cause(contrast: Contrast) -> str | None:
    """«смотрят меньше страниц за визит: 5,6 против 9,8 у стабильных», or None without plain words for it."""
    if contrast.kind != "numeric" or contrast.feature not in PLAIN or difference(contrast) == NO_DIFFERENCE:
        return None
    less, more = PLAIN[contrast.feature]
    words = less if contrast.segment_value < contrast.stable_value else more
    if contrast.feature in SHARES:
        values = f"{percent(contrast.segment_value)} против {percent(contrast.stable_value)}"
    else:
        values = f"{num(contrast.segment_value, 1)} против {num(contrast.stable_value, 1)}"
    return f"{words}: {values} у стабильных"


def risk_causes(profile: tuple[Contrast, ...], explanation: Explanation | None, shown: int = CAUSES_SHOWN) -> list[str]:
    """The main causes of risk in plain words, ordered by what drives the model (or by size of difference)."""
    by_feature = {c.feature: c for c in profile}
    order = [d.feature for d in explanation.drivers if not negligible(d)] if explanation else [c.feature for c in profile]
    found = [text for f in order if f in by_feature and (text := cause(by_feature[f]))]
    return found[:shown]
