"""Charts of «Модели»: comparison of families and the chosen model's quality."""

from __future__ import annotations

import numpy as np

from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import num, pct
from report_builder.report.narrative.models import calibration_title, comparison_title, confusion_title, roc_title, short_title
from report_builder.results.analysis import Evaluation, Exploration, ModelSearch


@style.chart
def comparison(search: ModelSearch) -> Figure:
    scores = list(reversed(search.scores))
    fig, ax = style.new_figure(style.WIDTH, 0.42 * len(scores) + 0.9)
    y = np.arange(len(scores))
    means = [s.cv_roc_auc_mean for s in scores]
    stds = [s.cv_roc_auc_std for s in scores]
    colours = [style.ACCENT if s.family == search.best else style.STABLE for s in scores]
    ax.barh(y, means, xerr=stds, color=colours, height=0.55, capsize=3, label="Кросс-валидация (среднее ± ст. откл.)")
    ax.scatter([s.test_roc_auc for s in scores], y, color="black", marker="D", s=18, zorder=3, label="Отложенная выборка")
    for i, s in enumerate(scores):
        ax.text(0.502, i, f" {num(s.cv_roc_auc_mean, 3)}", va="center", fontsize=7, color="white")
    ax.set_yticks(y, [short_title(s) for s in scores])
    ax.set_xlim(0.5, 1.0)
    ax.set_xlabel("ROC-AUC")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=2, fontsize=7)
    style.title(fig, "ROC-AUC моделей: кросс-валидация и отложенная выборка")
    return Figure("model_comparison", comparison_title(search), "Сравнение ROC-AUC всех моделей", style.rendered(fig))


@style.chart
def roc_pr(evaluation: Evaluation, search: ModelSearch, base_rate: float) -> Figure:
    test_auc = search.best_score.test_roc_auc
    fig, (left, right) = style.new_figure(style.WIDTH, 2.6, ncols=2)
    left.plot(evaluation.roc.x, evaluation.roc.y, color=style.ACCENT, linewidth=2, label=f"Модель, AUC = {num(test_auc, 3)}")
    left.plot([0, 1], [0, 1], color=style.NEUTRAL, linestyle="--", linewidth=1, label="Случайное угадывание")
    left.set_xlabel("Доля ложных тревог")
    left.set_ylabel("Доля найденных снижений")
    left.set_title("ROC-кривая")
    left.legend(fontsize=7, loc="lower right")
    right.plot(evaluation.pr.x, evaluation.pr.y, color=style.DECLINED, linewidth=2, label=f"AP = {num(evaluation.average_precision, 3)}")
    right.axhline(base_rate, color=style.NEUTRAL, linestyle="--", linewidth=1, label=f"Доля снизивших, {pct(base_rate)}")
    right.set_xlabel("Полнота (найдено снижений)")
    right.set_ylabel("Точность")
    right.set_ylim(0, 1.02)
    right.set_title("Точность и полнота")
    right.legend(fontsize=7, loc="lower left")
    return Figure("roc_pr", roc_title(search), "ROC-кривая и кривая точность–полнота на отложенной выборке", style.rendered(fig))


@style.chart
def confusion(evaluation: Evaluation) -> Figure:
    """The confusion matrix at the configured threshold and, beside it, at the F1-best one, unless the two are one
    picture: both thresholds read the same, or the matrices are equal."""
    threshold, best = num(evaluation.threshold, 2), num(evaluation.best_f1_threshold, 2)
    one = threshold == best or np.array_equal(evaluation.confusion, evaluation.confusion_best)
    if threshold == best:
        pairs = [(evaluation.confusion, f"Порог {threshold}")]
    elif one:
        pairs = [(evaluation.confusion, f"Пороги {threshold} и {best}\n(наилучшая F1): одни числа")]
    else:
        pairs = [(evaluation.confusion, f"Порог {threshold}"), (evaluation.confusion_best, f"Порог {best}, наилучшая F1")]
    fig, axes = style.new_figure(style.WIDTH / 2 if one else style.WIDTH, 2.2, ncols=len(pairs), squeeze=False)
    for ax, (matrix, heading) in zip(axes[0], pairs):
        ax.imshow(matrix, cmap="Blues")
        ax.grid(False)
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, num(int(value)), ha="center", va="center", fontsize=11, color="white" if value > matrix.max() / 2 else "black")
        ax.set_xticks([0, 1], ["Прежний", "Снизилась"])
        ax.set_yticks([0, 1], ["Прежний", "Снизилась"])
        ax.set_xlabel("Прогноз")
        ax.set_ylabel("Факт")
        ax.set_title(heading, fontsize=9)
    if threshold == best:
        alt = f"Матрица ошибок при пороге {threshold}; он же даёт наилучшую F1-меру"
    elif one:
        alt = f"Матрица ошибок: порог {threshold} и порог наилучшей F1-меры {best} дают одни и те же числа"
    else:
        alt = f"Матрицы ошибок при пороге {threshold} и при пороге наилучшей F1-меры {best}"
    return Figure("confusion", confusion_title(evaluation), alt, style.rendered(fig))


@style.chart
def calibration(evaluation: Evaluation) -> Figure:
    fig, ax = style.new_figure(3.4, 2.5)
    ax.plot([0, 1], [0, 1], color=style.NEUTRAL, linestyle="--", linewidth=1, label="Идеальная калибровка")
    ax.plot(evaluation.calibration.x, evaluation.calibration.y, marker="o", color=style.ACCENT, label="Модель")
    ax.set_xlabel("Предсказанная вероятность")
    ax.set_ylabel("Фактическая доля снизивших")
    ax.legend(fontsize=7)
    style.title(fig, "Калибровка вероятностей")
    return Figure("calibration", calibration_title(evaluation), "Калибровочная кривая модели", style.rendered(fig))


def section(search: ModelSearch, evaluation: Evaluation, exploration: Exploration) -> list[Figure]:
    return [
        comparison(search),
        roc_pr(evaluation, search, exploration.decline_rate),
        confusion(evaluation),
        calibration(evaluation),
    ]
