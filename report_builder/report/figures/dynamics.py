"""Chart of «Динамика по кварталам»: the share that declined, and each forecast's promise against what came true."""

from __future__ import annotations

import numpy as np

from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import pct
from report_builder.report.narrative.common import short_period
from report_builder.report.narrative.dynamics import dynamics_title
from report_builder.results.dynamics import Dynamics


@style.chart
def trend(dynamics: Dynamics) -> Figure:
    rows = dynamics.quarters
    x = np.arange(len(rows))
    labels = [short_period(r.period) for r in rows]
    fig, (left, right) = style.new_figure(style.WIDTH, 2.5, ncols=2)
    left.bar(x, [r.decline_share for r in rows], color=style.DECLINED, width=0.6)
    left.set_xticks(x, labels, fontsize=7)
    left.yaxis.set_major_formatter(lambda v, _: pct(v))
    left.set_title("Доля снизивших активность", loc="center", fontsize=9)
    left.grid(axis="x", visible=False)

    def line(values: list[float | None], **style_: object) -> None:
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if points:
            right.plot([p[0] for p in points], [p[1] for p in points], marker="o", **style_)

    line([r.promised_roc_auc for r in rows], color=style.NEUTRAL, linestyle="--", label="обещан")
    line([r.realised_roc_auc for r in rows], color=style.ACCENT, linewidth=2, label="на деле")
    line([r.persistence_roc_auc for r in rows], color=style.STABLE, label="«как сейчас»")
    right.set_xticks(x, labels, fontsize=7)
    right.set_xlim(-0.5, len(rows) - 0.5)
    right.set_title("ROC-AUC прогноза квартала", loc="center", fontsize=9)
    right.legend(fontsize=7, loc="best", framealpha=0.9)
    style.title(fig, "Квартал за кварталом")
    return Figure("dynamics_trend", dynamics_title(dynamics), "Доля снизивших и точность прогнозов по кварталам", style.rendered(fig))


def section(dynamics: Dynamics) -> list[Figure]:
    return [trend(dynamics)]
