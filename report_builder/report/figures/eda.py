"""Charts of «Исследовательский анализ»: each feature split by activity class."""

from __future__ import annotations

import pandas as pd

from report_builder.labels import DECLINED, STABLE, label
from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import num, pct
from report_builder.report.narrative.eda import compared
from report_builder.results.analysis import CategoricalFeature, Exploration, NumericFeature

SMALL = (3.3, 2.0)


@style.chart
def numeric_distribution(feature: NumericFeature) -> Figure:
    column = feature.feature
    dist = feature.distribution
    fig, ax = style.new_figure(*SMALL)
    groups = ((STABLE, style.STABLE, dist.stable, feature.median_stable), (DECLINED, style.DECLINED, dist.declined, feature.median_declined))
    for cls, colour, heights, median in groups:
        if dist.discrete:
            offset = -0.2 if cls == STABLE else 0.2
            ax.bar(dist.positions + offset, heights, width=0.4, color=colour, label=cls)
        else:
            ax.stairs(heights, dist.positions, fill=True, alpha=0.35, color=colour, label=cls)
            ax.stairs(heights, dist.positions, color=colour, linewidth=1.2)
        ax.axvline(median, color=colour, linestyle="--", linewidth=1)
    ax.set_yticks([])
    ax.set_xlabel(label(column))
    title = label(column)
    style.title(fig, _wrap(title, 32))
    alt = (
        f"Распределение «{title}» по классам: медиана {num(feature.median_declined, 1)} у снизивших активность "
        f"и {num(feature.median_stable, 1)} у остальных"
    )
    return Figure(f"eda_{column}", title, alt, style.rendered(fig))


@style.chart
def categorical_rates(feature: CategoricalFeature, overall: float) -> Figure:
    rates = pd.Series(feature.decline_rate).sort_values()
    fig, ax = style.new_figure(SMALL[0], max(1.4, 0.32 * len(rates) + 0.7))
    colours = [style.DECLINED if r > overall else style.STABLE for r in rates]
    bars = ax.barh([_wrap(str(k)) for k in rates.index], rates.to_numpy(), color=colours, height=0.6)
    for bar, (name, rate) in zip(bars, rates.items()):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {pct(rate)} из {num(feature.counts[name])}", va="center", fontsize=7)
    ax.axvline(overall, color=style.NEUTRAL, linestyle="--", linewidth=1)
    ax.set_xlim(0, min(1.0, rates.max() * 1.6))
    ax.xaxis.set_major_formatter(lambda v, _: pct(v))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", labelsize=7)
    title = label(feature.feature)
    style.title(fig, _wrap(f"{title}: доля снизивших", 32))
    large = compared(feature)  # a category of a few customers is drawn, not named as the highest
    top = f"; выше всего у «{large[0]}» ({pct(rates[large[0]])})" if large else ""
    alt = f"Доля клиентов со сниженной активностью по значениям «{title}»{top}"
    return Figure(f"eda_{feature.feature}", title, alt, style.rendered(fig))


def _wrap(text: str, width: int = 22) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def section(exploration: Exploration) -> list[Figure]:
    return [categorical_rates(f, exploration.decline_rate) for f in exploration.categorical] + [
        numeric_distribution(f) for f in exploration.numeric
    ]
