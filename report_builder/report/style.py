"""One look for every chart: palette, font, sizes; and the figure-to-SVG conversion."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: a build served from the cache never loads it
    from matplotlib.figure import Figure

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
    "legend.frameon": False,
    "svg.fonttype": "none",  # text stays text, drawn with the document's embedded DejaVu Sans
    "svg.hashsalt": "report-builder",  # stable ids: identical input gives identical SVG
    "figure.dpi": 100,
    # Each figure chooses its layout engine (`new_figure`); a user's matplotlibrc does not add one.
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
}

WIDTH = 6.8  # inches: the text width of an A4 page with margins

P = ParamSpec("P")
R = TypeVar("R")


def chart(draw: Callable[P, R]) -> Callable[P, R]:
    """Run a chart function under the report's matplotlib settings, leaving the global ones alone."""

    @functools.wraps(draw)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        matplotlib.use("Agg")
        with matplotlib.rc_context({**RC, "axes.prop_cycle": matplotlib.cycler(color=SEQUENCE)}):
            return draw(*args, **kwargs)

    return wrapped


def new_figure(width: float = WIDTH, height: float = 3.2, **kwargs: object) -> tuple[Figure, object]:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def _russian_tick(value: float, _position: object = None) -> str:
    """Tick labels the Russian way: decimal comma, true minus, grouped thousands."""
    if abs(value) >= 10_000:
        text = f"{value:,.0f}".replace(",", "\u00a0")
    else:
        text = f"{value:.6g}"
    return text.replace(".", ",").replace("-", "\u2212")


def _localise_ticks(fig: Figure) -> None:
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(_russian_tick))


PRINT_DPI = 200  # the PDF's charts: sharp in print, and laid out far faster than SVG


@dataclass(frozen=True)
class Drawing:
    """A chart twice: SVG for the screen (scales, text stays text) and PNG for the PDF."""

    svg: str
    png: bytes


def rendered(fig: Figure) -> Drawing:
    """The chart as SVG and as PNG, then closed."""
    import matplotlib.pyplot as plt

    _localise_ticks(fig)
    raster = _raster(fig)  # the one drawing that lays the figure out (constrained layout)
    # The SVG keeps that layout: with the layout engine still on, saving would lay the figure out twice more (a
    # draw to place the parts, then the drawing itself), an eighth of a chart's time, to move its parts by a fraction
    # of a millimetre. None is no engine at all (RC turns off the rc settings that would pick one).
    fig.set_layout_engine(None)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, dpi=PRINT_DPI)  # dpi: rasterized layers only
    plt.close(fig)
    text = buffer.getvalue()
    return Drawing(text[text.index("<svg") :], raster)


def _raster(fig: Figure) -> bytes:
    """The figure drawn once at PRINT_DPI, its pixels saved as an opaque RGB PNG, whose compressed rows go into the PDF
    as they are (`png_passthrough`; an alpha channel would be split off and compressed again). Fast compression: on
    the real report's 29 charts the default level makes them 5 % smaller and takes half as long again."""
    from PIL import Image

    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    fig.set_dpi(PRINT_DPI)
    fig.canvas.draw()
    pixels = Image.frombuffer("RGBA", fig.canvas.get_width_height(physical=True), fig.canvas.buffer_rgba())
    out = io.BytesIO()
    pixels.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def title(fig: Figure, text: str) -> None:
    """A chart title anchored at the figure's left edge, so long axis labels never clip it."""
    fig.suptitle(text, x=0.01, ha="left", fontsize=RC["axes.titlesize"], fontweight="bold")
