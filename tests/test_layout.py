"""Layout of the PDF on every page: no clipped chart text, no twin sub-charts, no heading at a page foot, no page
left mostly empty inside a section. Each check is first shown to fail on a broken input."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from layout import (
    CODE_WORDS,
    code_words,
    draw_every_chart,
    drawn_charts,
    empty_pages,
    headings,
    identical_axes,
    needs_poppler,
    orphan_headings,
    page_fills,
    page_texts,
    text_outside,
)
from report_builder.build import BuildOutcome, build_report
from report_builder.report import style
from report_builder.report.figures import models as model_figures
from report_builder.report.figures import segments as segment_figures
from conftest import small_build_config

poppler = pytest.mark.skipif(needs_poppler() is not None, reason=str(needs_poppler()))


# --- the checks fail on broken input ----------------------------------------------------------

@style.chart
def _figure_with_label(xlabel: str) -> object:
    fig, ax = style.new_figure(3.0, 2.0)
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel(xlabel)
    return fig


def test_text_outside_finds_an_axis_label_wider_than_the_figure() -> None:
    long = "Различие со стабильными, в стандартных отклонениях: левее нуля — меньше, правее — больше"
    assert text_outside(_figure_with_label(long)) == [long]
    assert text_outside(_figure_with_label("Покупателей")) == []


@style.chart
def _two_matrices(same: bool) -> object:
    fig, axes = style.new_figure(4.0, 2.0, ncols=2)
    matrices = [np.array([[5, 1], [2, 7]]), np.array([[5, 1], [2, 7]] if same else [[4, 2], [1, 8]])]
    for ax, matrix in zip(axes, matrices):
        ax.imshow(matrix)
        ax.set_title("Порог 0,50")
    return fig


def test_identical_axes_finds_twin_sub_charts() -> None:
    assert identical_axes(_two_matrices(same=True)) == [(0, 1)]
    assert identical_axes(_two_matrices(same=False)) == []


def _evaluation(threshold: float, best: float, same_matrix: bool) -> SimpleNamespace:
    matrix = np.array([[120, 30], [25, 140]])
    return SimpleNamespace(confusion=matrix, threshold=threshold, best_f1_threshold=best, confusion_best=matrix if same_matrix else matrix + 5)


def test_confusion_draws_one_matrix_when_the_thresholds_or_the_matrices_coincide() -> None:
    with drawn_charts() as found:
        equal = model_figures.confusion(_evaluation(0.5, 0.501, same_matrix=True))  # type: ignore[arg-type]
        near = model_figures.confusion(_evaluation(0.5, 0.49, same_matrix=True))  # type: ignore[arg-type]
        apart = model_figures.confusion(_evaluation(0.5, 0.37, same_matrix=False))  # type: ignore[arg-type]
    assert found.charts == ["confusion"] * 3 and not found.twins and not found.clipped, found
    assert equal.svg.count("Порог") == 1 and near.svg.count("Порог") == 1 and apart.svg.count("Порог") == 2
    assert "0,49" in near.svg and "0,37" in apart.svg


def test_the_contrast_axis_label_is_not_clipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The known case: «…правее — больше» was cut at the right edge of the segment contrasts chart."""
    items = [SimpleNamespace(kind="numeric", feature=f"Признак_{i}", effect_size=e, segment_value=1.5, stable_value=2.5)
             for i, e in enumerate([1.2, -0.8, 0.4])]
    seg = SimpleNamespace(contrasts=items, priority="Ценные в зоне риска")
    with drawn_charts() as found:
        svg = segment_figures.contrasts(seg).svg  # type: ignore[arg-type]
    assert not found.clipped, found.clipped
    assert "больше" in svg


PAGE = "Отчёт\n\n{body}\n\n                                             Стр. {n} из 3\n"


def test_orphan_headings_finds_a_heading_as_the_last_line_of_a_page() -> None:
    pages = [
        PAGE.format(body="Текст раздела.\n\nОкупается ли контакт", n=1),
        PAGE.format(body="Окупается ли контакт\nОжидаемая выгода от контакта.", n=2),
        PAGE.format(body="Что делать\nс покупателями", n=3),
    ]
    found = orphan_headings(pages, ["Окупается ли контакт", "Что делать с покупателями"])
    assert found == [(1, "Окупается ли контакт"), (3, "Что делать с покупателями")]


def test_empty_pages_skips_the_page_before_a_section() -> None:
    pages = [PAGE.format(body="Данные\nтекст", n=1), PAGE.format(body="ещё текст", n=2), PAGE.format(body="Модели\nтекст", n=3),
             PAGE.format(body="текст", n=4)]
    # Page 2 ends high but comes before «Модели»; page 4 is the last one.
    assert empty_pages([0.9, 0.3, 0.2, 0.1], pages, ["Данные", "Модели"]) == [(3, 0.2)]
    assert empty_pages([0.9, 0.9, 0.9, 0.1], pages, ["Данные", "Модели"]) == []


def _html_pdf(body: str, tmp_path: Path) -> Path:
    from report_builder.report.render import render_pdf
    from report_builder.resources import templates_dir

    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    html = f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>t</title><style>{css}</style></head><body>{body}</body></html>'
    path = tmp_path / "t.pdf"
    path.write_bytes(render_pdf(html))
    return path


@poppler
def test_page_fills_measure_a_short_page_and_the_stylesheet_keeps_headings_with_what_follows(tmp_path: Path) -> None:
    filler = "<p>" + "Строка текста, которая занимает место на странице. " * 12 + "</p>"
    short = '<div style="break-after: page"><p>Одна строка.</p></div><p>Вторая страница.</p>'
    pdf = _html_pdf(short, tmp_path)
    fills = page_fills(pdf, tmp_path / "png")
    assert len(fills) == 2 and fills[0] < 0.1
    assert empty_pages(fills, page_texts(pdf), []) == [(1, round(fills[0], 2))]
    # A heading that would land on the last line of the first page moves to the next one with its text.
    for n in range(14, 24):
        body = filler * n + "<h3>Окупается ли контакт</h3>" + filler
        pdf = _html_pdf(body, tmp_path)
        assert orphan_headings(page_texts(pdf), ["Окупается ли контакт"]) == [], n


# --- the real-data report and a small demo build with history ----------------------------------

def _check_charts(outcome: BuildOutcome) -> None:
    with drawn_charts() as found:
        draw_every_chart(outcome.results)
    assert len(found.charts) >= 10
    assert not found.clipped, f"текст за краем графика: {found.clipped}"
    assert not found.twins, f"одинаковые части одного графика: {found.twins}"


def _check_pages(folder: Path, tmp_path: Path) -> None:
    pdf = folder / "report.pdf"
    pages = page_texts(pdf)
    found = headings((folder / "report.html").read_text(encoding="utf-8"))
    assert not orphan_headings(pages, found["h2"] + found["h3"]), "заголовок — последняя строка страницы"
    fills = page_fills(pdf, tmp_path / "pages")
    assert len(fills) == len(pages)
    assert not empty_pages(fills, pages, found["h2"]), f"почти пустые страницы внутри раздела: {[round(f, 2) for f in fills]}"


@pytest.mark.slow
@pytest.mark.real_data
def test_real_report_charts_have_no_clipped_text_and_no_twins(real_build: tuple[Path, BuildOutcome]) -> None:
    _check_charts(real_build[1])


@poppler
@pytest.mark.slow
@pytest.mark.real_data
def test_real_report_pages(real_build: tuple[Path, BuildOutcome], tmp_path: Path) -> None:
    _check_pages(real_build[0], tmp_path)


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> tuple[Path, BuildOutcome]:
    """The demo data with its two earlier quarters in a fresh history, with the small model search."""
    config = small_build_config()
    root = tmp_path_factory.mktemp("demo")
    outcome = build_report(config, out_dir=root / "report", history=str(root / "history.sqlite"), cache_dir=shared_cache)
    return root / "report", outcome


@pytest.mark.slow
def test_demo_report_charts_have_no_clipped_text_and_no_twins(demo_build: tuple[Path, BuildOutcome]) -> None:
    _check_charts(demo_build[1])


@poppler
@pytest.mark.slow
def test_demo_report_pages(demo_build: tuple[Path, BuildOutcome], tmp_path: Path) -> None:
    _check_pages(demo_build[0], tmp_path)


def test_code_words_are_found_in_the_main_text_only() -> None:
    page = ('<section id="summary"><p>Итог: +0,8 п. п.. Модель extra_trees, 2026-Q3, порог 0.5, '
            'recommendations.budget и Популярная_категория; файл customers.xlsx.</p></section>'
            '<section id="methodology"><p>recommendations.budget = 0.5</p></section>')
    found = {why for why, _ in code_words(page)}
    assert found == {why for _, why in CODE_WORDS}
    assert code_words('<p>Итог: +0,8 п. п. Модель — сверхслучайный лес; файл customers.xlsx.</p>') == []


@pytest.mark.slow
@pytest.mark.real_data
def test_the_real_reports_main_text_has_no_code_words(real_build: tuple[Path, BuildOutcome]) -> None:
    assert code_words((real_build[0] / "report.html").read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_the_demo_reports_main_text_has_no_code_words(demo_build: tuple[Path, BuildOutcome]) -> None:
    assert code_words((demo_build[0] / "report.html").read_text(encoding="utf-8")) == []
