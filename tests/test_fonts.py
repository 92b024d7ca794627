"""The faces shipped with the templates: inside the HTML as WOFF2, read by the PDF layout as TrueType files."""

from __future__ import annotations

import re

from fontTools.ttLib import TTFont

from report_builder.report.fonts import FACES, font_face_css, fonts_dir


def test_the_page_carries_its_faces_and_the_print_page_names_shipped_truetype_files() -> None:
    screen, printed = font_face_css(), font_face_css(for_print=True)
    assert screen.count("data:font/woff2;base64,") == len(FACES) and "url(fonts/" not in screen
    named = re.findall(r"url\(fonts/([^)]+)\) format\('truetype'\)", printed)
    assert sorted(named) == sorted(f"{stem}.ttf" for stem in FACES)
    for name in named:
        woff2 = TTFont(fonts_dir() / name.replace(".ttf", ".woff2"))
        ttf = TTFont(fonts_dir() / name)
        assert ttf.flavor is None and woff2.flavor == "woff2"
        assert set(ttf.getBestCmap()) == set(woff2.getBestCmap())  # the same subset in both forms
        assert 0x0416 in ttf.getBestCmap()  # «Ж»: Cyrillic is there
