"""«Рекомендации», the plan: whom to contact, what it keeps and costs (or the price under which it pays), what is assumed
(what a decline costs and what the offers changed: `effects`)."""

from __future__ import annotations

from typing import NamedTuple

from report_builder.report.filters import count, num
from report_builder.report.narrative.common import end, percent
from report_builder.report.narrative.effects import measured_groups
from report_builder.report.narrative.recommendations import channels_phrase, losing_note
from report_builder.results.plan import Plan, Value

UNCOVERED = {
    "no_rule": "ни одно правило предложений им не подходит",
    "no_consent": "подходящее предложение идёт только письмами, а согласия на рассылки нет",
    "not_working": "подходят только предложения, которые по измерениям не работают",
    "not_paying": "предложение им ничего не сохраняет или обходится дороже, чем сохраняет",
    "budget": "не хватило бюджета",
}


SOURCE_WORDS = {"measured": "измерен", "assumed": "допущение", "mixed": "частично измерен"}


class ValueCells(NamedTuple):
    """One row of the plan table (an offer or a segment), as printed."""

    title: str
    detail: str  # what is done, for an offer
    channels: str
    who: str
    customers: str
    gain: str  # expected profit kept
    gain_range: str  # its range by the measured effect's interval, on a line of its own («по измерению: от −131 до 151»)
    money: str  # net gain when prices are known; else the break-even price per contact
    effect: str  # the share of declines prevented the money assumes, and where it comes from


def plan_line(plan: Plan, unit: str) -> str:
    """The plan in one sentence: customers, cost and expected gain with its range, or the break-even without prices; each
    says whether the effect it rests on is measured or assumed, and what the measurement's interval allows."""
    head = plan.headline
    who = count(head.customers, "покупателю", "покупателям", "покупателям")
    basis = _basis(plan)
    if head.costs_known:
        budget = f" при бюджете {num(head.budget)} {unit}" if head.budget is not None else ""
        return end(
            f"План{budget}: предложения назначены {who}, затраты {num(head.cost or 0.0)} {unit}, "
            f"ожидаемая выгода за вычетом затрат {num(head.expected_gain)} {unit} {basis}{_range(head.expected_gain_range, unit)}"
            f"{losing_note(plan)}"
        )
    ignored = " Бюджет не применён: без цен нельзя сказать, сколько контактов он оплатит." if head.budget is not None else ""
    names = ", ".join(f"«{t}»" for t in head.unpriced)
    why = (f"Цена известна не для всех предложений: у {names} не задана цена канала или размер скидки, поэтому окупаемость "
           "не оценивается." if head.unpriced else "Цены контактов не заданы, поэтому окупаемость не оценивается.")
    return end(
        f"{why} План: предложения назначены {who}; "
        f"контакт окупается, если обходится дешевле {num(head.break_even_cost, 2)} {unit} на покупателя — "
        f"столько в среднем сохраняет одно предложение {basis}{_range_note(head.expected_gain_range, head.customers, unit)}"
        f"{losing_note(plan)}"
    ) + ignored


def _basis(plan: Plan) -> str:
    """The effect the money rests on: assumed, or measured — and in which groups (a segment's can differ from all offers')."""
    if plan.effect_source == "assumed":
        return "при допущенном эффекте"
    if plan.effect_source == "measured":
        return f"по эффекту, измеренному {measured_groups(plan)}"
    return f"по эффекту, для части покупателей измеренному {measured_groups(plan)}, для части — допущенному"


def _range(interval: tuple[float, float] | None, unit: str) -> str:
    if interval is None:
        return " (измерений ещё нет)"
    return f" (от {num(interval[0])} до {num(interval[1])} {unit} по границам интервала измерения)"


def _range_note(interval: tuple[float, float] | None, customers: int, unit: str) -> str:
    """What the measured interval allows a contact to cost: its upper end, and whether its lower end pays at all."""
    if interval is None or not customers:
        return " (измерений ещё нет)"
    low, high = interval[0] / customers, interval[1] / customers
    if high <= 0:
        return "; по интервалу измерения предложения не сохраняют ничего — контакт не окупается ни при какой цене"
    if low <= 0:
        return (f"; но интервал измерения накрывает ноль: на его верхней границе — {num(high, 2)} {unit}, "
                "на нижней контакт не окупается ни при какой цене")
    return f"; по границам интервала измерения — от {num(low, 2)} до {num(high, 2)} {unit}"


def value_cells(value: Value, unit: str) -> ValueCells:
    gain, gain_range = num(value.gain), ""
    if value.gain_range is not None:
        low, high = num(value.gain_range[0]), num(value.gain_range[1])
        gain_range = f"от {low} до {high}" if value.effect_source == "measured" else f"по измерению: от {low} до {high}"
    money = f"{num(value.net)} за {num(value.cost or 0.0)}" if value.net is not None else f"дешевле {num(value.break_even_cost, 2)}"
    return ValueCells(
        title=value.title,
        detail=value.action,
        channels=channels_phrase(value.channels) if value.channels else "",
        who=f"{value.owner}, {value.start}" if value.owner else "",
        customers=num(value.customers),
        gain=gain,
        gain_range=gain_range,
        money=money,
        effect=f"{percent(value.effect)}, {SOURCE_WORDS[value.effect_source]}",
    )


def money_header(plan: Plan, unit: str) -> str:
    """The money column's header: net gain for its cost, or the price under which a contact pays."""
    return f"Выгода за вычетом затрат, {unit}" if plan.headline.costs_known else f"Окупается, если контакт, {unit}"


def uncovered_sentence(plan: Plan, at_risk: int) -> str:
    """At-risk customers neither offered nor held back, and why."""
    if not plan.uncovered:
        return "Каждый покупатель зоны риска либо получает предложение, либо входит в контрольную группу."
    parts = "; ".join(f"{count(u.customers, 'покупатель', 'покупателя', 'покупателей')} — {UNCOVERED[u.reason]}" for u in plan.uncovered)
    missing = sum(u.customers for u in plan.uncovered)
    return f"Из {count(at_risk, 'покупателя', 'покупателей', 'покупателей')} зоны риска в план не вошли {num(missing)}: {parts}."


def plan_chart_title(plan: Plan, unit: str) -> str:
    head = plan.headline
    if not head.costs_known:
        return (
            f"Выгода каждого следующего контакта, покупатели по убыванию: контакт окупается, пока стоит меньше этой суммы "
            f"(в среднем {num(head.break_even_cost, 2)} {unit})"
        )
    if head.budget is not None and head.best_spend is not None and head.best_spend > head.budget:
        return (
            f"Бюджет {num(head.budget)} {unit} меньше суммы, при которой выгода наибольшая ({num(head.best_spend)} {unit}): "
            "каждый следующий контакт ещё окупается"
        )
    return f"Выгода растёт, пока контакт окупается: наибольшая при затратах {num(head.best_spend or 0.0)} {unit}"


def plan_formula(plan: Plan) -> str:
    """How a customer's expected gain is computed, with the loss share that is used."""
    return (
        f"Ожидаемая выгода предложения для покупателя — вероятность снижения × прибыль в месяц × "
        f"{percent(plan.loss_share)} × {plan.months} мес. × доля снижений, которую предложение предотвращает"
        + ("; за вычетом цены контакта и скидки." if plan.headline.costs_known else
           "; цены известны не для всех предложений." if plan.headline.unpriced else "; цены контактов не заданы.")
    )
