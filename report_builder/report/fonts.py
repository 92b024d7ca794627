"""@font-face rules embedding DejaVu Sans (matplotlib's font), subset to Latin and Cyrillic.

The same family draws the charts, so text and figures match; embedding keeps the HTML
self-contained and the PDF independent of the fonts installed on the machine. The subsets
are made once from matplotlib's files (`python -m report_builder.report.fonts`) and ship
with the templates.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
from pathlib import Path

from report_builder.resources import templates_dir

FAMILY = "DejaVu Sans"
FACES = {  # file stem -> (weight, style)
    "DejaVuSans": ("normal", "normal"),
    "DejaVuSans-Bold": ("bold", "normal"),
    "DejaVuSans-Oblique": ("normal", "italic"),
}
FLAVORS = ("woff2", "ttf")  # the page's own faces; the files the PDF layout reads
# Basic Latin, Latin-1, Cyrillic, punctuation, currency, arrows, maths, geometric shapes.
UNICODES = "U+0020-007E,U+00A0-00FF,U+0400-045F,U+2000-206F,U+20AC,U+20BD,U+2116,U+2190-2199,U+2212-2264,U+25A0-25CF"


def fonts_dir() -> Path:
    return templates_dir() / "fonts"


def make_subsets(out_dir: Path) -> list[Path]:
    import matplotlib
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem in FACES:
        options = subset.Options()
        options.layout_features = ["kern", "liga"]
        font = subset.load_font(str(source / f"{stem}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        for flavor in FLAVORS:  # one subset, saved in each form
            options.flavor = None if flavor == "ttf" else flavor
            buffer = io.BytesIO()
            subset.save_font(font, buffer, options)
            path = out_dir / f"{stem}.{flavor}"
            path.write_bytes(buffer.getvalue())
            written.append(path)
    return written


@functools.lru_cache(maxsize=None)
def font_face_css(for_print: bool = False) -> str:
    """The faces inside the page (WOFF2, the HTML stays one file), or for the PDF by their TrueType files beside the
    templates: WeasyPrint reads those as they are, where a WOFF2 face would be unpacked on every layout."""
    rules = []
    for stem, (weight, style) in FACES.items():
        if for_print:
            source = f"url(fonts/{stem}.ttf) format('truetype')"
        else:
            data = base64.b64encode((fonts_dir() / f"{stem}.woff2").read_bytes()).decode()
            source = f"url(data:font/woff2;base64,{data}) format('woff2')"
        rules.append(f"@font-face {{ font-family: '{FAMILY}'; font-weight: {weight}; font-style: {style}; src: {source}; }}")
    return "\n".join(rules)


if __name__ == "__main__":
    for written_path in make_subsets(fonts_dir()):
        print(written_path)
