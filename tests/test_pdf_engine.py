"""WeasyPrint without Pango: a Russian message with the install command, and HTML never needs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from report_builder.errors import PANGO_INSTALL, PdfEngineMissing
from report_builder.report.render import import_weasyprint, render_pdf

def test_missing_pango_is_named_with_the_commands_that_install_it(no_pango: None, capsys: pytest.CaptureFixture[str]) -> None:
    # The real WeasyPrint import runs and fails where it loads Pango.
    with pytest.raises(PdfEngineMissing) as caught:
        import_weasyprint()
    error = caught.value
    assert isinstance(error.__cause__, OSError)
    assert error.library == "libpango-1.0-0"
    assert "не найдена системная библиотека «libpango-1.0-0»" in error.message
    assert "sudo apt install libpango-1.0-0 libpangoft2-1.0-0" in error.message
    assert "sudo dnf install pango" in error.message
    assert "brew install pango" in error.message
    assert "pacman -S mingw-w64-x86_64-pango" in error.message
    assert "--format html" in error.message
    assert str(error) == error.message
    # WeasyPrint's own English banner does not reach the user.
    assert capsys.readouterr().out == ""


def test_render_pdf_raises_the_same_error(no_pango: None) -> None:
    with pytest.raises(PdfEngineMissing, match="libpango-1.0-0"):
        render_pdf("<p>Отчёт</p>")


def test_the_import_is_retried_once_pango_is_installed(no_pango: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PdfEngineMissing):
        import_weasyprint()
    monkeypatch.undo()  # Pango "installed"
    assert hasattr(import_weasyprint(), "HTML")


def test_missing_library_from_any_loader_message() -> None:
    windows = OSError("cannot load library 'libgobject-2.0-0': error 0x7e")
    assert PdfEngineMissing.from_os_error(windows).library == "libgobject-2.0-0"
    unknown = PdfEngineMissing.from_os_error(OSError("something else"))
    assert unknown.library is None
    assert unknown.message.startswith("PDF не построен: не найдены системные библиотеки Pango")
    assert all(command in unknown.message for _, command in PANGO_INSTALL)


def test_macos_message_says_where_homebrew_keeps_pango(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert "DYLD_FALLBACK_LIBRARY_PATH" in PdfEngineMissing("libpango-1.0-0").message
    monkeypatch.setattr(sys, "platform", "linux")
    assert "DYLD_FALLBACK_LIBRARY_PATH" not in PdfEngineMissing("libpango-1.0-0").message


def test_weasyprint_with_pango_imports() -> None:
    assert hasattr(import_weasyprint(), "HTML")


def test_the_pdf_leaves_no_temporary_folder(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint copies the report's fonts into a temporary folder it removes only when collected; the command ends
    without a last collection, so each build left one behind in /tmp until render_pdf removed it itself."""
    import gc
    import tempfile

    from report_builder.report.fonts import font_face_css

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    html = f"<html><head><style>{font_face_css(True)}</style></head><body><p>Отчёт</p></body></html>"
    gc.disable()  # as at the command's end: nothing is collected behind the test's back
    try:
        pdf = render_pdf(html)
        left = sorted(p.name for p in tmp_path.iterdir())
    finally:
        gc.enable()
    assert pdf.startswith(b"%PDF")
    assert left == []


def test_html_side_never_imports_weasyprint() -> None:
    """A build with --format html must work on a machine with no Pango at all."""
    code = textwrap.dedent(
        """
        import sys
        import report_builder.build, report_builder.cli, report_builder.report.render as render
        render.environment().get_template("report.html.j2")
        loaded = sorted(n for n in sys.modules if n.split(".")[0] == "weasyprint")
        print(loaded)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_a_build_without_pango_publishes_the_rest_and_says_why(no_pango: None, tmp_path, tiny_tables) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app

    config = tmp_path / "small.toml"
    config.write_text(SMALL, encoding="utf-8")
    args = ["build", "--data", str(tiny_tables()), "--config", str(config), "--cache-dir", str(tmp_path / "cache")]
    result = CliRunner().invoke(app, [*args, "--output", str(tmp_path / "both"), "--format", "html,pdf"])
    assert result.exit_code == 1, result.output
    assert "libpango-1.0-0" in result.output and "sudo apt install" in result.output
    assert "Traceback" not in result.output and "Внутренняя ошибка" not in result.output
    assert "WeasyPrint could not import" not in result.output, result.output
    written = sorted(p.name for p in (tmp_path / "both").iterdir() if not p.name.startswith("."))
    assert written == ["customers.csv", "customers.xlsx", "report.html", "summary.json"]
    result = CliRunner().invoke(app, [*args, "--output", str(tmp_path / "html"), "--format", "html"])
    assert result.exit_code == 0, result.output


SMALL = """
[model]
families = ["logreg"]
search_iterations = 2
bootstrap_rounds = 200
n_jobs = 1
[explain]
agnostic_sample = 20
background = 10
permutation_repeats = 2
customers_max = 20
[report]
profile = false
"""
