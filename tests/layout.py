"""Layout checks of a built report: charts at the matplotlib level, pages of the PDF.

Plain functions, each returning what it found (empty when the layout is right):
- `text_outside(fig)`: texts of a chart that reach past the figure's edges (clipped in the SVG);
- `identical_axes(fig)`: sub-charts of one figure that draw exactly the same thing;
- `drawn_charts()`: a context that runs both checks on every chart drawn inside it, before it becomes SVG;
- `orphan_headings(pages, headings)`: pages whose last line of text is a heading;
- `empty_pages(fills, pages, sections)`: pages that end high up although the next one starts no section.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text

from report_builder.report import style

TOLERANCE_PX = 1.0  # anti-aliasing and rounding: a pixel past the edge is not a clipped glyph
FOOTER = re.compile(r"^\s*Стр\.\s*\d+\s*из\s*\d+\s*$")


# --- charts ------------------------------------------------------------------------------------

def _drawn_texts(fig: Figure) -> list[Text]:
    """Every text the figure draws: its titles, each axes' titles, axis labels, visible tick labels, annotations
    and legends (ticks outside the view limits are laid out but never drawn, so they are left out)."""
    texts: list[Text] = [*fig.texts]
    for legend in fig.legends:
        texts += [*legend.get_texts(), legend.get_title()]
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]  # type: ignore[attr-defined]
        for axis in (ax.xaxis, ax.yaxis):
            texts.append(axis.offsetText)
            for tick in axis._update_ticks():  # the ticks inside the view limits, as drawing uses them
                texts += [tick.label1, tick.label2]
        if (legend := ax.get_legend()) is not None:
            texts += [*legend.get_texts(), legend.get_title()]
    return [t for t in texts if t.get_visible() and str(t.get_text()).strip()]


def text_outside(fig: Figure) -> list[str]:
    """Texts (titles, axis and tick labels, annotations, legends) whose drawn extent leaves the figure."""
    fig.draw_without_rendering()  # run the constrained layout, as savefig does
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    found = []
    for text in _drawn_texts(fig):
        extent = text.get_window_extent(renderer)
        if not np.isfinite([extent.x0, extent.x1, extent.y0, extent.y1]).all():
            continue
        if (extent.x0 < box.x0 - TOLERANCE_PX or extent.x1 > box.x1 + TOLERANCE_PX
                or extent.y0 < box.y0 - TOLERANCE_PX or extent.y1 > box.y1 + TOLERANCE_PX):
            found.append(str(text.get_text()))
    return found


def _axes_drawing(ax: object) -> tuple:
    """What one axes draws: images, lines, bars and other patches, and texts inside it, as comparable values."""
    images = tuple((im.get_array().shape, np.asarray(im.get_array()).tobytes()) for im in ax.get_images())  # type: ignore[attr-defined]
    lines = tuple(np.asarray(line.get_xydata()).round(9).tobytes() for line in ax.get_lines())  # type: ignore[attr-defined]
    patches = tuple(np.asarray(p.get_extents().get_points()).round(6).tobytes() for p in ax.patches)  # type: ignore[attr-defined]
    collections = tuple(np.asarray(c.get_offsets()).round(9).tobytes() for c in ax.collections)  # type: ignore[attr-defined]
    texts = tuple(t.get_text() for t in ax.texts)  # type: ignore[attr-defined]
    return images, lines, patches, collections, texts  # titles left out: two panels titled apart can still repeat


def identical_axes(fig: Figure) -> list[tuple[int, int]]:
    """Pairs of axes (by index) of one figure that draw the same data with the same texts in them, whatever their titles."""
    drawings = [(i, _axes_drawing(ax)) for i, ax in enumerate(fig.axes)]
    pairs = []
    for n, (i, a) in enumerate(drawings):
        if not any(a[:4]):
            continue  # an empty axes (a colour bar's frame, say) draws nothing to repeat
        pairs += [(i, j) for j, b in drawings[n + 1 :] if a == b]
    return pairs


@dataclass
class ChartProblems:
    clipped: dict[str, list[str]] = field(default_factory=dict)  # chart function -> texts outside
    twins: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # chart function -> identical axes
    charts: list[str] = field(default_factory=list)  # every chart checked, in drawing order


@contextmanager
def drawn_charts() -> Iterator[ChartProblems]:
    """Check every chart converted to SVG inside the block, named by the function that drew it."""
    problems = ChartProblems()
    original = style.rendered

    def checked(fig: Figure) -> str:
        name = sys._getframe(1).f_code.co_name
        problems.charts.append(name)
        if outside := text_outside(fig):
            problems.clipped.setdefault(name, []).extend(outside)
        if twins := identical_axes(fig):
            problems.twins.setdefault(name, []).extend(twins)
        return original(fig)

    style.rendered = checked
    try:
        yield problems
    finally:
        style.rendered = original


# --- pages of the PDF ------------------------------------------------------------------------------

def needs_poppler() -> str | None:
    """Why the page checks cannot run here, or None."""
    missing = [t for t in ("pdftotext", "pdftoppm") if shutil.which(t) is None]
    return f"нет {', '.join(missing)} (пакет poppler-utils)" if missing else None


def page_texts(pdf: Path) -> list[str]:
    """The text of each page as `pdftotext -layout` lays it out."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120)
    pages = out.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _flat(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f\u00ad]+", " ", text).strip()


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"h2": [], "h3": []}
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.found:
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.found[tag].append(_flat("".join(self._text)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def headings(html: str) -> dict[str, list[str]]:
    """The h2 (section) and h3 heading texts of the report's HTML."""
    parser = _Headings()
    parser.feed(html)
    return parser.found


def body_lines(page: str) -> list[str]:
    """A page's non-empty lines without the running header (first line) and the footer «Стр. N из M»."""
    lines = [_flat(line) for line in page.splitlines() if line.strip()]
    if lines and FOOTER.match(lines[-1]):
        lines = lines[:-1]
    return lines


def orphan_headings(pages: Sequence[str], heading_texts: Sequence[str]) -> list[tuple[int, str]]:
    """(page number, heading) for each page whose last line of text before the footer is a heading."""
    wanted = {_flat(h) for h in heading_texts if _flat(h)}
    found = []
    for number, page in enumerate(pages, start=1):
        lines = body_lines(page)
        if lines and lines[-1] in wanted:
            found.append((number, lines[-1]))
        elif len(lines) >= 2 and f"{lines[-2]} {lines[-1]}" in wanted:  # a heading wrapped over two lines
            found.append((number, f"{lines[-2]} {lines[-1]}"))
    return found


def starts_section(page: str, sections: Sequence[str]) -> bool:
    """Whether a page opens with one of the section (h2) headings, below its running header."""
    wanted = {_flat(s) for s in sections}
    return any(line in wanted for line in body_lines(page)[:3])


# A4 with the stylesheet's margins (20 mm top and bottom): the page's text area in fractions of its height.
TOP_MARGIN = 20 / 297
BOTTOM_MARGIN = 20 / 297


def page_fills(pdf: Path, folder: Path, resolution: int = 30) -> list[float]:
    """For each page, how far down its text area the content reaches (0 = nothing, 1 = to the bottom margin).

    The page is rendered in grey at low resolution; the running header and footer in the margins are left out.
    """
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", str(resolution), str(pdf), str(folder / "page")], check=True, timeout=300)
    fills = []
    for path in sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
        pixels = np.asarray(Image.open(path).convert("L"))
        height = pixels.shape[0]
        top, bottom = int(height * TOP_MARGIN), int(height * (1 - BOTTOM_MARGIN))
        inked = np.flatnonzero((pixels[top:bottom] < 245).any(axis=1))
        fills.append(0.0 if inked.size == 0 else (inked[-1] + 1) / (bottom - top))
    return fills


def empty_pages(fills: Sequence[float], pages: Sequence[str], sections: Sequence[str], least: float = 0.4) -> list[tuple[int, float]]:
    """(page number, fill) for pages filled less than `least` of their text area whose next page starts no section.

    A section starts on a new page by design, so the page before it may end anywhere; so may the last page.
    """
    found = []
    for number, fill in enumerate(fills, start=1):
        if number == len(fills) or (number < len(pages) and starts_section(pages[number], sections)):
            continue
        if fill < least:
            found.append((number, round(fill, 2)))
    return found


def draw_every_chart(results: object, unit: str = "ед.") -> object:
    """Draw every section's charts from a results object, as the build's chart stages do; returns an object that
    `arrange_sections` reads (the results, with a `charts_<key>` attribute per drawn section)."""
    import inspect
    from types import SimpleNamespace

    values = {name: getattr(results, name) for name in vars(results)} if not hasattr(results, "__dataclass_fields__") else {
        name: getattr(results, name) for name in results.__dataclass_fields__}  # type: ignore[attr-defined]
    for owner, section in type(results).sections:  # type: ignore[attr-defined]
        if section.figures is None or values.get(owner) is None:
            continue
        parameters = inspect.signature(section.figures).parameters
        values[f"charts_{section.key}"] = section.figures(**{p: unit if p == "unit" else values[p] for p in parameters})
    drawn = type("Drawn", (SimpleNamespace,), {"sections": type(results).sections})  # type: ignore[attr-defined]
    return drawn(**values)


# --- words of the main text --------------------------------------------------------------------------

CODE_WORDS = [
    (re.compile(r"п\.\s?п\.\."), "«п. п..»: две точки"),
    (re.compile(r"\d\.\d"), "десятичная точка вместо запятой"),
    (re.compile(r"\b\d{4}-Q\d\b"), "период в виде кода («2026-Q3»)"),
    (re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"), "идентификатор из кода"),
    (re.compile(r"\b(?:recommendations|segments|backtest|forecast|history|report|model|explain|source)\.[a-z_]+"),
     "имя настройки вне «Методики»"),
    (re.compile(r"\b(?:knn|svc|logreg|extra_trees|random_forest|gradient_boosting)\b"), "код семейства моделей"),
    (re.compile(r"(?<!«)\b[А-Яа-яЁё]+_[А-Яа-яЁё_]+"), "имя столбца с подчёркиванием"),  # a value quoted from the data may have one
]


def main_text(html: str) -> str:
    """What a director reads of report.html: every section before the appendix, without charts, styles and data URIs
    (file names such as customers.xlsx and summary.json are allowed words)."""
    html = re.sub(r"<(script|style|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    end = html.find('id="methodology"')
    text = re.sub(r"<[^>]+>", " ", html[: end if end > 0 else None])
    from html import unescape

    text = re.sub(r"\b[\w-]+\.(?:xlsx|csv|json|html|pdf|sqlite)\b", " ", unescape(text))
    return re.sub(r"\s+", " ", text)


def code_words(html: str) -> list[tuple[str, str]]:
    """(what is wrong, where) for each code word, decimal point or typo in the main text."""
    text = main_text(html)
    return [(why, text[max(0, m.start() - 60) : m.end() + 20]) for pattern, why in CODE_WORDS for m in pattern.finditer(text)]
