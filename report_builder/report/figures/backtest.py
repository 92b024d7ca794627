"""Charts of «Проверка прошлого прогноза»."""

from __future__ import annotations

from report_builder.report import style
from report_builder.report.figure import Figure
from report_builder.report.filters import pct
from report_builder.report.narrative.backtest import backtest_calibration_title
from report_builder.results.backtest import Backtest


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
    return Figure("backtest_calibration", backtest_calibration_title(backtest), "Калибровка прогноза прошлого квартала по фактическим исходам", style.rendered(fig))


def section(backtest: Backtest) -> list[Figure]:
    return [calibration(backtest)]
