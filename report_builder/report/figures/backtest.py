"""Charts of «Проверка прошлого прогноза» and of the offers' economics."""

from __future__ import annotations

from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import pct
from report_builder.report.narrative.backtest import backtest_calibration_title
from report_builder.report.narrative.recommendations import value_by_band_title
from report_builder.results.backtest import Backtest, Economics


@style.chart
def calibration(backtest: Backtest) -> Figure:
    fig, ax = style.new_figure(3.6, 2.6)
    ax.plot([0, 1], [0, 1], color=style.NEUTRAL, linestyle="--", linewidth=1, label="Прогноз сбылся бы точно")
    ax.plot(backtest.calibration_predicted, backtest.calibration_actual, marker="o", color=style.DECLINED, label="Что случилось")
    ax.set_xlabel("Прогноз прошлого квартала")
    ax.set_ylabel("Доля снизивших сейчас")
    ax.xaxis.set_major_formatter(lambda v, _: pct(v))
    ax.yaxis.set_major_formatter(lambda v, _: pct(v))
    ax.legend(fontsize=7, loc="upper left")
    style.title(fig, "Прогноз прошлого квартала и факт")
    return Figure("backtest_calibration", backtest_calibration_title(backtest), "Калибровка прогноза прошлого квартала по фактическим исходам", style.to_svg(fig))


@style.chart
def value_by_band(economics: Economics, unit: str) -> Figure:
    fig, ax = style.new_figure(style.WIDTH, 2.2)
    labels = [f"{pct(low)}–{pct(high)}" for low, high, _ in economics.bands]
    values = [v for _, _, v in economics.bands]
    ax.bar(labels, values, color=[style.ACCENT if v > 0 else style.NEUTRAL for v in values], width=0.6)
    ax.axhline(0, color=style.NEUTRAL, linewidth=0.8)
    ax.set_xlabel("Вероятность снижения")
    ax.set_ylabel(f"на покупателя, {unit}")
    ax.grid(axis="x", visible=False)
    style.title(fig, "Ожидаемая выгода от контакта по вероятности снижения")
    return Figure("value_by_band", value_by_band_title(economics), "Ожидаемая выгода от контакта с покупателем по группам вероятности снижения", style.to_svg(fig))


def section(backtest: Backtest) -> list[Figure]:
    return [calibration(backtest)]


def economics_section(economics: Economics, unit: str) -> list[Figure]:
    return [value_by_band(economics, unit)]
