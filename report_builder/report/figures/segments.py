"""Charts of «Сегментация покупателей»."""

from __future__ import annotations

import numpy as np

from report_builder.labels import (
    PROBABILITY,
    PROFIT,
    SEGMENT,
    USUAL_AT_RISK,
    USUAL_STABLE,
    VALUABLE_AT_RISK,
    VALUABLE_STABLE,
    label,
)
from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import num, pct
from report_builder.report.narrative.segments import contrast_title, profit_share_title, scatter_title
from report_builder.results.segments import Segmentation

CLIP = 3.0  # a perfect separation (infinite d) is drawn this far out when nothing else is finite
SEGMENT_COLOURS = {
    VALUABLE_AT_RISK: style.DECLINED,
    VALUABLE_STABLE: style.STABLE,
    USUAL_AT_RISK: "#E69F00",
    USUAL_STABLE: "#56B4E9",
}


@style.chart
def scatter(seg: Segmentation, unit: str) -> Figure:
    frame = seg.customers
    fig, ax = style.new_figure(style.WIDTH, 3.6)
    for name, colour in SEGMENT_COLOURS.items():
        part = frame[frame[SEGMENT] == name]
        ax.scatter(part[PROBABILITY], part[PROFIT], s=9, alpha=0.7, color=colour, label=f"{name} ({num(len(part))})", linewidths=0, rasterized=True)
    ax.axvline(seg.threshold, color="black", linestyle="--", linewidth=1)
    ax.axhline(seg.value_threshold, color="black", linestyle=":", linewidth=1)
    ax.text(seg.threshold, ax.get_ylim()[1], f" порог риска {num(seg.threshold, 2)}", va="top", fontsize=7)
    ax.text(
        0.99, seg.value_threshold, f"порог прибыли {num(seg.value_threshold, 3)} {unit}", ha="right", va="bottom", fontsize=7,
        transform=ax.get_yaxis_transform(), bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
    )
    ax.set_xlabel("Вероятность снижения активности (вне выборки обучения)")
    ax.set_ylabel(f"{label(PROFIT)}, {unit}")
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: pct(v))
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2)
    style.title(fig, "Покупатели по риску снижения и прибыли")
    return Figure("segments_scatter", scatter_title(seg, unit), "Диаграмма рассеяния: вероятность снижения против прибыли, с порогами сегментов", style.rendered(fig))


@style.chart
def profit_at_risk(seg: Segmentation, unit: str) -> Figure:
    stats = sorted(seg.segments, key=lambda s: s.profit_at_risk)
    fig, ax = style.new_figure(style.WIDTH, 0.4 * len(stats) + 0.9)
    colours = [SEGMENT_COLOURS.get(s.name, style.NEUTRAL) for s in stats]  # one colour per segment in every chart
    bars = ax.barh([s.name for s in stats], [s.profit_at_risk for s in stats], color=colours, height=0.6)
    for bar, s in zip(bars, stats):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {num(s.profit_at_risk)} ({num(s.customers)} пок.)", va="center", fontsize=7)
    ax.set_xlim(0, max(s.profit_at_risk for s in stats) * 1.35)
    ax.set_xlabel(f"Прибыль под риском за {seg.months} мес., {unit}")
    ax.grid(axis="y", visible=False)
    style.title(fig, "Прибыль под риском по сегментам")
    return Figure("segments_profit", profit_share_title(seg), "Столбчатая диаграмма прибыли под риском по сегментам", style.rendered(fig))


@style.chart
def contrasts(seg: Segmentation) -> Figure:
    items = [c for c in seg.contrasts if c.kind == "numeric"][:10][::-1]
    fig, ax = style.new_figure(style.WIDTH, 0.32 * len(items) + 1.0)
    effects = np.array([c.effect_size for c in items])
    finite = effects[np.isfinite(effects)]
    effects = np.clip(effects, -CLIP, CLIP) if finite.size == 0 else np.clip(effects, -abs(finite).max() * 1.5 - 1, abs(finite).max() * 1.5 + 1)
    colours = [style.DECLINED if e > 0 else style.STABLE for e in effects]
    ax.barh([label(c.feature) for c in items], effects, color=colours, height=0.6)
    for i, c in enumerate(items):
        # Labels sit right of the bar end (or of zero for negative bars), never over the axis labels.
        ax.text(max(effects[i], 0), i, f"  {num(c.segment_value, 1)} против {num(c.stable_value, 1)}", va="center", ha="left", fontsize=7)
    ax.axvline(0, color=style.NEUTRAL, linewidth=0.8)
    limit = max(abs(effects).max() * 1.8, 1)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("Различие со стабильными, в стандартных отклонениях:\nлевее нуля — меньше, правее — больше")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", labelsize=7.5)
    style.title(fig, "Чем приоритетный сегмент отличается от стабильных покупателей")
    return Figure("segments_contrast", contrast_title(seg), "Размер различий признаков между приоритетным сегментом и стабильными покупателями", style.rendered(fig))


def section(segmentation: Segmentation, unit: str) -> list[Figure]:
    return [scatter(segmentation, unit), profit_at_risk(segmentation, unit), contrasts(segmentation)]
