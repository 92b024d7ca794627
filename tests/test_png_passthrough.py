"""PNG charts go into the PDF with their own compressed rows: the same pixels, without a second compression."""

from __future__ import annotations

import base64
import io

import numpy as np
import pikepdf
import pytest
from PIL import Image

from report_builder.report.png_passthrough import plain_png_rows
from report_builder.report.render import PrintPage, render_pdf


def _png(mode: str, **save: object) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(7)
    shape = (90, 140, 3) if mode == "RGB" else (90, 140) if mode == "L" else (90, 140, 4)
    pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    pixels[20:60, 30:100] = 255  # a flat part, as charts have
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", **save)  # the mode follows the shape
    return out.getvalue(), pixels


def _pdf_image(png: bytes) -> tuple[bytes, np.ndarray]:
    """The stored bytes and the pixels of the one image on a PDF page showing the PNG."""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    html = f'<html lang="ru"><body><p>Рисунок</p><img alt="Рисунок" src="{uri}"></body></html>'
    with pikepdf.open(io.BytesIO(render_pdf(html))) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1
        return images[0].read_raw_bytes(), np.asarray(pikepdf.PdfImage(images[0]).as_pil_image())


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_plain_png_keeps_its_own_rows_and_its_pixels(mode: str) -> None:
    png, pixels = _png(mode, compress_level=1)
    rows = plain_png_rows(png)
    assert rows is not None
    stored, shown = _pdf_image(png)
    assert stored == rows  # not compressed again
    assert np.array_equal(shown, pixels)


def test_any_other_png_takes_weasyprints_way_with_the_same_pixels() -> None:
    """A palette image and one with transparency are not held as they are: WeasyPrint converts them as before."""
    rgb, pixels = _png("RGB")
    palette = io.BytesIO()
    Image.open(io.BytesIO(rgb)).quantize(64).save(palette, format="PNG")
    expected = np.asarray(Image.open(io.BytesIO(palette.getvalue())).convert("RGB"))
    assert plain_png_rows(palette.getvalue()) is None
    assert np.array_equal(_pdf_image(palette.getvalue())[1], expected)
    rgba, pixels = _png("RGBA")
    assert plain_png_rows(rgba) is None
    assert np.array_equal(_pdf_image(rgba)[1], pixels)  # the colours and, as a mask, the transparency


def test_a_chart_the_print_page_names_is_laid_out_from_memory_as_the_same_image() -> None:
    """The print page keeps its charts' PNGs beside the HTML (`PrintPage`): the PDF holds the same image as from a data
    URI inside the page (a name in any letters: WeasyPrint asks for it %-encoded); a name the page does not carry stops
    the layout instead of leaving a PDF short of a chart."""
    png, pixels = _png("RGB", compress_level=1)
    page = PrintPage('<html lang="ru"><body><p>Рисунок</p><img alt="Рисунок" src="chart:eda_Тип сервиса"></body></html>',
                     (("eda_Тип сервиса", png),))
    with pikepdf.open(io.BytesIO(render_pdf(page))) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1
        assert images[0].read_raw_bytes() == _pdf_image(png)[0]
        assert np.array_equal(np.asarray(pikepdf.PdfImage(images[0]).as_pil_image()), pixels)
    unknown = PrintPage(page.html.replace("chart:eda_Тип сервиса", "chart:other"), page.charts)
    with pytest.raises(RuntimeError, match="names a chart it does not carry: 'other'"):
        render_pdf(unknown)  # WeasyPrint itself would lay the page out without the chart


def test_files_that_are_not_plain_pngs_are_refused() -> None:
    png, _ = _png("RGB")
    assert plain_png_rows(b"GIF89a" + png[6:]) is None
    assert plain_png_rows(png[: len(png) // 2]) is None  # cut short before its end
    sixteen = io.BytesIO()
    Image.new("I;16", (4, 4)).save(sixteen, format="PNG")
    assert plain_png_rows(sixteen.getvalue()) is None


def test_a_weasyprint_that_makes_images_another_way_is_left_as_it_is() -> None:
    """Another version's image module (no such class, or no such static method) is not changed, and nothing fails;
    applied twice, WeasyPrint's own method is wrapped once."""
    import types

    import weasyprint.images

    from report_builder.report.png_passthrough import pass_png_through

    pass_png_through(types.ModuleType("images"))
    other = types.ModuleType("images")
    other.RasterImage = type("RasterImage", (), {"_get_png_data": lambda self, image: b"rows"})  # type: ignore[attr-defined]
    before = other.RasterImage.__dict__["_get_png_data"]  # type: ignore[attr-defined]
    pass_png_through(other)
    assert other.RasterImage.__dict__["_get_png_data"] is before  # type: ignore[attr-defined]
    pass_png_through(weasyprint.images)
    wrapped = weasyprint.images.RasterImage.__dict__["_get_png_data"].__func__
    pass_png_through(weasyprint.images)
    assert weasyprint.images.RasterImage.__dict__["_get_png_data"].__func__ is wrapped
    assert wrapped.passes_through and wrapped.__closure__[0].cell_contents.__module__ == "weasyprint.images"
