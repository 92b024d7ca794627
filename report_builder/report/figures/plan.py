"""Chart of «Рекомендации»: what the plan returns for what it spends."""

from __future__ import annotations

import numpy as np

from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.narrative.plan import plan_chart_title
from report_builder.results.plan import Plan


@style.chart
def returns(plan: Plan, unit: str) -> Figure:
    """With prices: expected net gain against money spent, the budget and the best spend marked. Without: what each
    further contact is expected to keep (the price under which it pays), contacts in the plan's order."""
    fig, ax = style.new_figure(style.WIDTH, 2.5)
    curve = plan.curve
    known = plan.headline.costs_known
    if known:
        if curve.low is not None and curve.high is not None:
            ax.fill_between(curve.spend, curve.low, curve.high, color=style.ACCENT, alpha=0.18, linewidth=0,
                            label="по границам измеренного эффекта")
        ax.plot(curve.spend, curve.gain, color=style.ACCENT, linewidth=2, label="ожидаемая чистая выгода")
        if plan.headline.budget is not None:
            ax.axvline(plan.headline.budget, color=style.DECLINED, linestyle="--", linewidth=1, label="бюджет")
        if plan.headline.best_spend is not None and len(curve.gain) > 1:
            best = int(np.argmax(curve.gain))
            ax.scatter([curve.spend[best]], [curve.gain[best]], color="black", zorder=3, s=18, label="наибольшая выгода")
        ax.set_xlabel(f"Затраты на контакты, {unit}")
        ax.set_ylabel(f"Выгода, {unit}")
    else:
        marginal = np.diff(curve.gain)
        contacts = np.arange(1, len(marginal) + 1)
        ax.plot(contacts, marginal, color=style.ACCENT, linewidth=2, label="ожидаемая выгода контакта")
        ax.set_xlabel("Покупателей в плане, по убыванию ожидаемой выгоды")
        ax.set_ylabel(f"Выгода контакта, {unit}")
    ax.axhline(0, color=style.NEUTRAL, linewidth=0.8)
    ax.legend(fontsize=7, loc="best")
    style.title(fig, "Что даёт план контактов" if known else "Сколько может стоить контакт, чтобы окупиться")
    return Figure("plan_returns", plan_chart_title(plan, unit), "Ожидаемая выгода плана контактов", style.rendered(fig))


def section(plan: Plan, unit: str) -> list[Figure]:
    return [returns(plan, unit)]
