"""Charts of «Корреляционный анализ»."""

from __future__ import annotations

import numpy as np

from report_builder.labels import label, short_label
from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import num
from report_builder.report.narrative.correlation import heatmap_title, phik_digits, phik_strength, phik_value, target_links_title
from report_builder.results.analysis import Correlation

_LEVEL_COLOURS = {"высокая": style.DECLINED, "заметная": style.DECLINED, "умеренная": style.STABLE, "слабая": style.NEUTRAL}


@style.chart
def heatmap(corr: Correlation) -> Figure:
    matrix = corr.matrix
    names = [short_label(c) for c in matrix.columns]
    fig, ax = style.new_figure(style.WIDTH, 6.2)
    image = ax.imshow(matrix.to_numpy(), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.grid(False)
    for i in range(len(names)):
        for j in range(len(names)):
            value = matrix.iat[i, j]
            ax.text(j, i, num(value, 2)[1:] if value < 1 else "1", ha="center", va="center", fontsize=5.5, color="white" if value > 0.6 else "#333333")
    fig.colorbar(image, ax=ax, shrink=0.6, label="φK")
    style.title(fig, "Матрица φK всех признаков и целевого признака")
    return Figure("phik_heatmap", heatmap_title(corr), "Тепловая карта коэффициентов φK между всеми признаками", style.rendered(fig))


@style.chart
def with_target(corr: Correlation) -> Figure:
    pairs = list(reversed(corr.with_target))
    fig, ax = style.new_figure(style.WIDTH, 0.22 * len(pairs) + 0.8)
    values = np.array([v for _, v in pairs])
    colours = [_LEVEL_COLOURS[phik_strength(v)] for v in values]
    ax.barh([label(f) for f, _ in pairs], values, color=colours, height=0.65)
    digits = phik_digits(list(values))
    for i, v in enumerate(values):
        ax.text(v, i, f" {phik_value(v, digits)}", va="center", fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("φK с покупательской активностью")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", labelsize=7.5)
    style.title(fig, "Связь каждого признака с активностью, φK")
    return Figure("phik_target", target_links_title(corr), "Столбчатая диаграмма φK каждого признака с целевым", style.rendered(fig))


def section(correlation: Correlation) -> list[Figure]:
    return [with_target(correlation), heatmap(correlation)]
