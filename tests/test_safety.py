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


def test_pdf_render_ignores_outside_resources() -> None:
    html = '<html><body><p>текст</p><img src="file:///etc/hostname"><img src="http://example.com/x.png"></body></html>'
    assert render_pdf(html).startswith(b"%PDF")  # blocked images are skipped, nothing is fetched


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
