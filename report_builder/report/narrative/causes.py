"""«Главное», the causes of risk: how the customers at risk differ from the stable ones, in plain words."""

from __future__ import annotations

from report_builder.report.filters import num
from report_builder.report.narrative.common import percent
from report_builder.report.narrative.eda import NO_DIFFERENCE, difference
from report_builder.report.narrative.explain import negligible
from report_builder.results.analysis import Explanation
from report_builder.results.segments import Contrast


CAUSES_SHOWN = 3  # causes of risk listed on the page



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
    "Выручка_препредыдущий_месяц": ("тратили меньше в позапрошлом месяце", "тратили больше в позапрошлом месяце"),
    "Выручка_предыдущий_месяц": ("потратили меньше в прошлом месяце", "потратили больше в прошлом месяце"),
    "Выручка_текущий_месяц": ("тратят меньше в этом месяце", "тратят больше в этом месяце"),
}



SHARES = {"Акционные_покупки"}  # features that are shares: shown in per cent



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
