"""The report's PNG charts go into the PDF as they are, instead of being decoded and compressed again.

WeasyPrint puts a PNG into a PDF as the PNG's own compressed pixel rows (IDAT chunks, which a PDF reads with the same
predictors), but takes them from a fresh copy: it decodes every image and compresses it again first
(`RasterImage._get_png_data`), about a fifth of the report's layout time. For a PNG whose rows a PDF can hold unchanged
(8-bit RGB or grey, not interlaced, no transparency), the rows of the file itself are the same pixels; any other image
takes WeasyPrint's own way.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from types import ModuleType

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PLAIN = {(8, 0), (8, 2)}  # (bit depth, colour type): 8-bit grey, 8-bit RGB


def plain_png_rows(data: bytes) -> bytes | None:
    """The compressed pixel rows (the IDAT chunks joined) of a PNG a PDF can hold unchanged, else None."""
    if not data.startswith(_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    depth, colour, compression, filtering, interlace = data[24:29]
    if (depth, colour) not in _PLAIN or compression or filtering or interlace:
        return None
    rows = []
    at = len(_SIGNATURE)
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if kind == b"tRNS":  # a transparent colour: WeasyPrint turns it into a mask
            return None
        if kind == b"IDAT":
            rows.append(data[at + 8 : at + 8 + length])
        if kind == b"IEND":
            return b"".join(rows) if rows else None
        at += 12 + length
    return None  # cut short: WeasyPrint's own reading copes with it


def pass_png_through(images: ModuleType) -> None:
    """Make WeasyPrint's image module (weasyprint.images) take a plain PNG's rows from the file; once per process.
    A WeasyPrint whose images are made another way is left as it is: its PDF is the same, only slower to make."""
    raster = getattr(images, "RasterImage", None)
    found = getattr(raster, "__dict__", {}).get("_get_png_data")
    if not isinstance(found, staticmethod) or getattr(found.__func__, "passes_through", False):
        return
    raster._get_png_data = staticmethod(_through(found.__func__))  # type: ignore[union-attr]


def _through(original: Callable[[object], bytes]) -> Callable[[object], bytes]:
    def get_png_data(pillow_image: object) -> bytes:
        source = getattr(pillow_image, "fp", None)  # the file of an image opened and not yet decoded
        if getattr(pillow_image, "format", None) == "PNG" and isinstance(source, io.BytesIO):
            rows = plain_png_rows(source.getvalue())
            if rows is not None:
                return rows
        return original(pillow_image)

    get_png_data.passes_through = True  # type: ignore[attr-defined]
    return get_png_data
