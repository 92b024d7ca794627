"""The two documents of a real-data build: PDF structure and fonts, HTML self-containment and layout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from report_builder.report.filters import num, pct

pytestmark = [pytest.mark.slow, pytest.mark.real_data]

SECTIONS = (
    "Главное",
    "Данные",
    "Исследовательский анализ",
    "Корреляционный анализ",
    "Модели",
    "Важность признаков",
    "Сегментация покупателей",
    "Рекомендации",
    "Приложение. Методика",
)


def _flat(text: str) -> str:
    """Fold every kind of space so PDF text extraction and formatted numbers compare."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.fixture(scope="module")
def pdf(real_report: Path) -> PdfReader:
    return PdfReader(real_report / "report.pdf")


@pytest.fixture(scope="module")
def pdf_text(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


@pytest.fixture(scope="module")
def html(real_report: Path) -> str:
    return (real_report / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary(real_report: Path) -> dict:
    return json.loads((real_report / "summary.json").read_text(encoding="utf-8"))


def _outline_titles(pdf: PdfReader) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))

    walk(pdf.outline, 0)
    return found


def test_bookmarks_for_every_section_and_subsections(pdf: PdfReader) -> None:
    outline = _outline_titles(pdf)
    top = [title for depth, title in outline if depth == 0]
    for section in SECTIONS:
        assert section in top, f"нет закладки «{section}»: {top}"
    assert any(depth == 1 for depth, _ in outline), "нет закладок подразделов"


def test_fonts_are_embedded_dejavu(pdf: PdfReader) -> None:
    fonts = {}
    for page in pdf.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts, "в PDF нет шрифтов"
    assert all(fonts.values()), f"не встроены: {[f for f, ok in fonts.items() if not ok]}"
    assert all("DejaVu" in name for name in fonts), fonts


def test_page_count_and_page_numbers(pdf: PdfReader) -> None:
    total = len(pdf.pages)
    assert 12 <= total <= 40
    assert f"Стр. 2 из {total}" in _flat(pdf.pages[1].extract_text())
    assert f"Стр. {total} из {total}" in _flat(pdf.pages[-1].extract_text())


def test_toc_has_page_numbers(pdf: PdfReader) -> None:
    toc = next(page.extract_text() for page in pdf.pages if "Содержание" in page.extract_text())
    assert re.search(r"Модели\s*\.+\s*\d+", toc), toc[:400]


def test_pdf_states_the_numbers_of_the_summary(pdf_text: str, summary: dict) -> None:
    text = _flat(pdf_text)
    data = summary["data"]
    best = next(m for m in summary["models"] if m["name"] == summary["best_model"])
    declined = data["target_counts"]["Снизилась"] / data["customers_used"]
    priority = next(s for s in summary["segments"] if s["name"] == summary["priority_segment"])
    for expected in (
        num(data["customers_used"]),
        pct(declined),
        num(best["cv_roc_auc_mean"], 3),
        num(priority["profit_at_risk"]),
        summary["priority_segment"],
    ):
        assert _flat(expected) in text, expected
    for section in SECTIONS:
        assert section in text


class _VisibleText(HTMLParser):
    """Text a reader sees: outside <style>, <head> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "head", "title", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "head", "title", "svg"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def test_no_glyph_is_missing_in_the_pdf(pdf_text: str, html: str) -> None:
    parser = _VisibleText()
    parser.feed(html)
    html_chars = set("".join(parser.parts)) - set(" \n\t\r\u00a0\u202f\u2009")
    pdf_chars = set(pdf_text)
    assert "\ufffd" not in pdf_chars
    missing = sorted(html_chars - pdf_chars)
    assert not missing, f"символы HTML, которых нет в тексте PDF: {missing}"


def test_html_is_self_contained_and_small(html: str, real_report: Path) -> None:
    assert (real_report / "report.html").stat().st_size < 5 * 1024 * 1024
    assert "<script" not in html.lower()
    assert not re.search(r"<link[^>]+stylesheet", html, re.I)
    for attribute, value in re.findall(r"\b(src|href)\s*=\s*[\"']([^\"']*)", html, re.I):
        assert value.startswith(("#", "data:")) or value == "profile.html", f"{attribute}={value[:60]}"
    assert not re.search(r"url\((?!data:|#)", html), "внешний url() в стилях"


def test_every_chart_of_the_report_is_in_the_pdf_once(html: str, real_report: Path) -> None:
    """The print page names its charts and the layout serves their PNGs from memory; WeasyPrint itself leaves out an
    image it cannot fetch with no more than a warning (as it did with the Cyrillic names before they were decoded)."""
    import pikepdf

    charts = re.findall(r'<figure class="chart"', html)
    with pikepdf.open(real_report / "report.pdf") as pdf:
        drawn = {image.objgen for page in pdf.pages for image in page.get_images().values()}
    assert charts and len(drawn) == len(charts)


def test_html_outline_and_alt_text(html: str) -> None:
    levels = [int(h) for h in re.findall(r"<h([1-6])\b", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, f"заголовок h{current} после h{previous}"
    images = re.findall(r'role="img"([^>]*)>', html)
    assert images, "нет графиков"
    for attrs in images:
        label = re.search(r'aria-label="([^"]+)"', attrs)
        assert label and len(label.group(1)) > 10


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium не установлен: .ci/run должен его поставить")
        pytest.skip("chromium не установлен")
    return path


@pytest.mark.parametrize("width", [360, 1280])
def test_html_layout_in_chromium(real_report: Path, tmp_path: Path, width: int) -> None:
    """Render the page in headless Chromium at phone and desktop widths: no sideways overflow."""
    probe = tmp_path / "probe.html"
    probe.write_text(
        f'<iframe id="f" src="{(real_report / "report.html").as_uri()}" width="{width}" height="800"></iframe>'
        "<script>document.getElementById('f').onload = () => {"
        " const d = document.getElementById('f').contentDocument.documentElement;"
        " document.title = 'size=' + d.scrollWidth + 'x' + d.scrollHeight; };</script>",
        encoding="utf-8",
    )
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--allow-file-access-from-files",
    ]
    dom = subprocess.run(
        [_chromium(), *flags, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    match = re.search(r"size=(\d+)x(\d+)", dom)
    assert match, dom[:300]
    scroll_width, scroll_height = int(match.group(1)), int(match.group(2))
    assert scroll_width <= width, f"страница шире экрана: {scroll_width} > {width}"
    assert 3000 < scroll_height < 200_000
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [_chromium(), *flags, f"--window-size={width},1200", f"--screenshot={shot}", (real_report / "report.html").as_uri()],
        capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-500:]
    from PIL import Image, ImageStat

    with Image.open(shot) as image:
        assert image.size == (width, 1200)
        grey = image.convert("L")
        # The title page: dark text on white, not an empty or an error page.
        assert ImageStat.Stat(grey).stddev[0] > 10
        assert grey.getextrema()[0] < 80 and grey.getextrema()[1] > 240


def test_every_printed_rule_is_the_rule_applied(pdf_text: str, summary: dict) -> None:
    """Each offer rule and the value threshold appear with the number the code compares against."""
    from report_builder.config import Config
    from report_builder.report.narrative.segments import threshold_rule

    text = _flat(pdf_text).replace("- ", "")
    for rule in Config().recommendations.rules:
        word = "не меньше" if rule.op == ">=" else "не больше"
        number = f"{rule.value:.10g}".replace(".", ",")
        assert f"{word} {number}" in text, (rule.name, word, number)
    assert _flat(threshold_rule(summary["value_threshold"])) in text
    assert "меньше 0,4 процентного" not in text  # the review's false comparison is gone


def test_no_customer_without_consent_is_offered_a_message(real_report: Path) -> None:
    import csv

    with open(real_report / "customers.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    refused = [r for r in rows if r["Согласие на рассылки"] == "нет"]
    assert refused, "the real data has customers without consent"
    offered = [r for r in refused if r["Предложение"]]
    assert offered, "customers without consent still get offers on the site"
    for row in offered:
        for offer in row["Предложение"].split("; "):
            channels = offer.rsplit("(", 1)[1].rstrip(")").split(", ")
            assert channels == ["сайт"], (row["id"], offer)
    agreed = [r for r in rows if r["Согласие на рассылки"] == "да" and "email" in r["Предложение"]]
    assert agreed  # the others do get messages


def test_summary_has_the_money_a_director_asked_for(summary: dict) -> None:
    totals = summary["totals"]
    assert totals["profit_at_risk_zone"] < totals["profit_at_risk_all"] < totals["quarter_profit"]
    assert totals["share_of_quarter_profit"] == pytest.approx(totals["profit_at_risk_all"] / totals["quarter_profit"], abs=1e-4)
    assert 0 <= summary["calibration_error"] <= 0.2 and summary["calibration"] in ("none", "sigmoid", "isotonic")
    assert all(a["channels"] and a["owner"] and a["start"] for a in summary["actions"])


def test_the_pdf_is_archival_tagged_and_carries_its_numbers(pdf: PdfReader, real_report: Path) -> None:
    xmp = pdf.xmp_metadata
    assert xmp is not None
    assert str(xmp.pdfaid_part) == "3" and xmp.pdfaid_conformance == "U"
    assert "Интернет-магазин «В один клик»" in xmp.dc_creator
    assert "квартал" in xmp.dc_title["x-default"]
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    attachments = pdf.attachments
    assert sorted(attachments) == ["summary.json"]  # never the customer list: the PDF is mailed around
    for name in attachments:
        assert attachments[name][0] == (real_report / name).read_bytes(), name
