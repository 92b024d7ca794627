"""One look for every chart: palette, font, sizes; and the figure-to-SVG conversion."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: E402

# Colour-blind-safe pair for the two classes, plus neutrals and accents.
DECLINED = "#D55E00"
STABLE = "#0072B2"
NEUTRAL = "#7F7F7F"
ACCENT = "#009E73"
SEQUENCE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

RC = {
    "font.family": "DejaVu Sans",  # ships with matplotlib, covers Cyrillic
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.prop_cycle": matplotlib.cycler(color=SEQUENCE),
    "legend.frameon": False,
    "svg.fonttype": "none",  # text stays text, drawn with the document's embedded DejaVu Sans
    "svg.hashsalt": "report-builder",  # stable ids: identical input gives identical SVG
    "figure.dpi": 100,
}

WIDTH = 6.8  # inches: the text width of an A4 page with margins

P = ParamSpec("P")
R = TypeVar("R")


def chart(draw: Callable[P, R]) -> Callable[P, R]:
    """Run a chart function under the report's matplotlib settings, leaving the global ones alone."""

    @functools.wraps(draw)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(RC):
            return draw(*args, **kwargs)

    return wrapped


def new_figure(width: float = WIDTH, height: float = 3.2, **kwargs: object) -> tuple[Figure, object]:
    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def _russian_tick(value: float, _position: object = None) -> str:
    """Tick labels the Russian way: decimal comma, true minus, grouped thousands."""
    if abs(value) >= 10_000:
        text = f"{value:,.0f}".replace(",", "\u00a0")
    else:
        text = f"{value:.6g}"
    return text.replace(".", ",").replace("-", "\u2212")


def _localise_ticks(fig: Figure) -> None:
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(_russian_tick))


def to_svg(fig: Figure) -> str:
    _localise_ticks(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, dpi=200)  # dpi: rasterized layers only
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def title(fig: Figure, text: str) -> None:
    """A chart title anchored at the figure's left edge, so long axis labels never clip it."""
    fig.suptitle(text, x=0.01, ha="left", fontsize=RC["axes.titlesize"], fontweight="bold")
