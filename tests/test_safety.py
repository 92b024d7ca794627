"""Data can never inject markup, and rendering never reads anything outside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import small_explain_config, small_model_config
from report_builder.build import build_report
from report_builder.config import Config
from report_builder.report.render import local_fetcher, render_pdf
from report_builder.resources import demo_data_dir, templates_dir

HOSTILE = '<script>alert("x")</script> & «Зоо»'


def test_fetcher_reads_only_inline_data_and_templates() -> None:
    fetcher = local_fetcher()
    for url in ("http://example.com/a.png", "https://example.com/a.css", "file:///etc/hostname", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,b2s=") is not None
    assert fetcher.fetch((templates_dir() / "report.css").resolve().as_uri()) is not None


def _page_with_outside_resources(folder: Path) -> str:
    """A page that pulls a stylesheet (adding a unique text) and an image from outside the templates folder."""
    (folder / "outside.css").write_text('body::after { content: "ВНЕШНИЙ-РЕСУРС-4711"; }', encoding="utf-8")
    image = folder / "outside.png"
    from PIL import Image

    Image.new("RGB", (40, 40), (200, 30, 30)).save(image)
    return (
        f'<html><head><link rel="stylesheet" href="{(folder / "outside.css").as_uri()}"></head>'
        f'<body><p>текст</p><img src="{image.as_uri()}"><img src="http://example.com/x.png"></body></html>'
    )


def _pdf_text_and_images(pdf: bytes) -> tuple[str, int]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(p.extract_text() for p in reader.pages), sum(len(p.images) for p in reader.pages)


def test_pdf_render_ignores_outside_resources(tmp_path: Path) -> None:
    html = _page_with_outside_resources(tmp_path)
    text, images = _pdf_text_and_images(render_pdf(html))
    assert "текст" in text
    assert "ВНЕШНИЙ-РЕСУРС-4711" not in text and images == 0
    # Without the project's fetcher the same page does pull them in: the check above can fail.
    from weasyprint import HTML

    text, images = _pdf_text_and_images(HTML(string=html, base_url=str(templates_dir())).write_pdf())
    assert "ВНЕШНИЙ-РЕСУРС-4711" in text and images == 1


@pytest.mark.slow
def test_hostile_category_is_escaped_everywhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_data_dir(), data)
    market = pd.read_csv(data / "market_file.csv")
    market.loc[market.index[:60], "Популярная_категория"] = HOSTILE
    market.to_csv(data / "market_file.csv", index=False)

    config = Config()
    config = config.model_copy(
        update={
            "model": small_model_config(),
            "explain": small_explain_config(),
            "report": config.report.model_copy(update={"profile": False, "formats": ("html",)}),
        }
    )
    build_report(config, data_dir=data, out_dir=tmp_path / "out", cache_dir=None)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html  # shown as text in tables and charts
    assert HOSTILE not in html
