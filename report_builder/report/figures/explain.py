"""Charts of «Важность признаков»: SHAP beeswarm and importance bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.labels import CATEGORICAL, label
from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.narrative.explain import beeswarm_title, importance_title
from report_builder.results.analysis import Explanation

TOP = 12


@style.chart
def beeswarm(explanation: Explanation) -> Figure:
    order = [explanation.features.index(d.feature) for d in explanation.drivers[:TOP]][::-1]
    fig, ax = style.new_figure(style.WIDTH, 0.26 * len(order) + 1.0)  # rows as tight as the labels allow: the section ends sooner
    rng = np.random.default_rng(0)
    for row, j in enumerate(order):
        feature = explanation.features[j]
        values = explanation.shap_values[:, j] * 100  # percentage points, as in the table
        raw = explanation.feature_values[feature]
        colour = _colour_scale(raw, feature in CATEGORICAL)
        jitter = rng.uniform(-0.28, 0.28, len(values))
        points = ax.scatter(values, row + jitter, c=colour, cmap="coolwarm", vmin=0, vmax=1, s=7, alpha=0.8, linewidths=0, rasterized=True)
    ax.axvline(0, color=style.NEUTRAL, linewidth=0.8)
    ax.set_yticks(range(len(order)), [label(explanation.features[j]) for j in order], fontsize=7.5)
    ax.set_xlabel("Вклад в вероятность снижения, п.\u00a0п.")
    ax.grid(axis="y", visible=False)
    bar = fig.colorbar(points, ax=ax, shrink=0.6, ticks=[0, 1])
    bar.ax.set_yticklabels(["мало", "много"])
    bar.set_label("Значение признака", fontsize=7)
    style.title(fig, "Вклад признаков в прогноз каждого покупателя")
    return Figure("shap_beeswarm", beeswarm_title(explanation), "Диаграмма SHAP-вкладов признаков для выборки покупателей", style.rendered(fig))


@style.chart
def importance(explanation: Explanation) -> Figure:
    drivers = list(explanation.drivers[:TOP])[::-1]
    fig, (left, right) = style.new_figure(style.WIDTH, 0.22 * len(drivers) + 0.8, ncols=2, sharey=True)  # with its table on one page
    names = [label(d.feature) for d in drivers]
    left.barh(names, [d.mean_abs_shap * 100 for d in drivers], color=style.ACCENT, height=0.6)
    left.set_xlabel("Средний вклад, п.\u00a0п.")
    left.set_title("Вклад (SHAP)", loc="center", fontsize=9)
    right.barh(names, [d.permutation for d in drivers], xerr=[d.permutation_std for d in drivers], color=style.STABLE, height=0.6, capsize=2)
    right.set_xlabel("Падение ROC-AUC")
    right.set_title("Перемешивание", loc="center", fontsize=9)
    for ax in (left, right):
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", labelsize=7.5)
    return Figure("importance", importance_title(explanation), "Средний модуль SHAP и перестановочная важность признаков", style.rendered(fig))


def _colour_scale(values: pd.Series, categorical: bool) -> np.ndarray:
    if categorical:
        codes = values.astype("category").cat.codes.to_numpy(dtype=float)
        return codes / max(codes.max(), 1)
    ranks = values.rank(pct=True).to_numpy(dtype=float)
    return ranks


def section(explanation: Explanation) -> list[Figure]:
    return [beeswarm(explanation), importance(explanation)]
