"""Charts of the «Данные» section."""

from __future__ import annotations

from report_builder.labels import DECLINED, STABLE
from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import num, pct
from report_builder.report.narrative.data import class_balance_title
from report_builder.results.data import CleanData


@style.chart
def class_balance(data: CleanData) -> Figure:
    counts = data.target_counts
    total = sum(counts.values())
    fig, ax = style.new_figure(height=1.6)
    names = [STABLE, DECLINED]
    values = [counts[STABLE], counts[DECLINED]]
    bars = ax.barh(names, values, color=[style.STABLE, style.DECLINED], height=0.6)
    for bar, value in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {num(value)} ({pct(value / total)})", va="center")
    ax.set_xlim(0, max(values) * 1.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Покупателей")
    title = class_balance_title(data)
    style.title(fig, title)
    return Figure(
        "class_balance",
        title,
        f"Столбчатая диаграмма: прежний уровень — {num(counts[STABLE])}, снизилась — {num(counts[DECLINED])}",
        style.rendered(fig),
    )


def section(data: CleanData) -> list[Figure]:
    return [class_balance(data)]
