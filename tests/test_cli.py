"""The command line: Russian help, clean failures that leave the previous report in place."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from report_builder.cli import app

runner = CliRunner()
OLD_REPORT = "<html><body>Отчёт за прошлый квартал</body></html>".encode()
CLI = Path(sys.executable).with_name("report-builder")


def flat(text: str) -> str:
    """Console output with line wrapping and box drawing undone."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def old_output(tmp_path: Path) -> Path:
    out = tmp_path / "output" / "2026-Q3"
    out.mkdir(parents=True)
    (out / "report.html").write_bytes(OLD_REPORT)
    return out


def build_args(data: Path, out: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "build", "--data", str(data), "--output", str(out),
        "--format", "html", "--cache-dir", str(tmp_path / "cache"), *extra,
    ]


def assert_clean_failure(result, out: Path) -> str:
    text = flat(result.output)
    assert result.exit_code == 2, text
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Ошибка во входных данных" in text
    assert (out / "report.html").read_bytes() == OLD_REPORT
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary folders
    return text


def test_help_is_russian() -> None:
    result = runner.invoke(app, ["--help"])
    text = flat(result.output)
    assert result.exit_code == 0
    assert "Отчёт о покупательской активности клиентов «В один клик»" in text
    assert "build" in text and "Построить отчёт" in text
    assert "demo-data" in text and "Сгенерировать демонстрационный набор данных" in text


def test_build_help_is_russian() -> None:
    result = runner.invoke(app, ["build", "--help"])
    text = flat(result.output)
    assert result.exit_code == 0
    for option, words in {
        "--data": "Папка с market_file",
        "--output": "Папка для файлов этого запуска",
        "--format": "Форматы через запятую",
        "--config": "Файл настроек TOML или YAML",
    }.items():
        assert option in text and words in text, option


def test_corrupted_file_fails_cleanly_and_keeps_the_old_report(tmp_path: Path, tiny_tables, edit_table) -> None:
    data = tiny_tables()

    def change(frame: pd.DataFrame) -> None:
        frame.loc[4, "Длительность"] = "abc"

    edit_table(data, "market_file", change)
    out = old_output(tmp_path)

    result = runner.invoke(app, build_args(data, out, tmp_path))

    text = assert_clean_failure(result, out)
    assert "«market_file.csv»" in text and "«Длительность»" in text
    assert "«abc»" in text and "строки: 6" in text
    assert "прежние файлы в папке вывода не тронуты" in text


def test_missing_table_fails_cleanly(tmp_path: Path, tiny_tables) -> None:
    data = tiny_tables()
    (data / "money.csv").unlink()
    out = old_output(tmp_path)
    result = runner.invoke(app, build_args(data, out, tmp_path))
    text = assert_clean_failure(result, out)
    assert "money.csv" in text and "не найдена" in text


def test_missing_data_folder_fails_cleanly(tmp_path: Path) -> None:
    out = old_output(tmp_path)
    result = runner.invoke(app, build_args(tmp_path / "нет такой папки", out, tmp_path))
    text = assert_clean_failure(result, out)
    assert "Папка с данными не найдена" in text


def test_unknown_format_fails_cleanly(tmp_path: Path, tiny_tables) -> None:
    out = old_output(tmp_path)
    result = runner.invoke(
        app, ["build", "--data", str(tiny_tables()), "--output", str(out), "--format", "docx",
              "--cache-dir", str(tmp_path / "cache")],
    )
    text = assert_clean_failure(result, out)
    assert "«docx»" in text and "html" in text and "pdf" in text
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("content", "setting"),
    [
        ("[model]\ncv_folds = 1\n", "model.cv_folds"),
        ("[cleaning]\ntypo_similarity = 2.0\n", "cleaning.typo_similarity"),
        ("[cleaning]\nno_such_setting = 1\n", "cleaning.no_such_setting"),
    ],
)
def test_invalid_setting_fails_cleanly_naming_it(tmp_path: Path, tiny_tables, content: str, setting: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    out = old_output(tmp_path)
    result = runner.invoke(app, build_args(tiny_tables(), out, tmp_path, "--config", str(config)))
    text = assert_clean_failure(result, out)
    assert f"«{setting}»" in text and "неверная настройка" in text
    assert "«bad.toml»" in text


def test_unreadable_or_missing_config_fails_cleanly(tmp_path: Path, tiny_tables) -> None:
    out = old_output(tmp_path)
    broken = tmp_path / "broken.toml"
    broken.write_text("[model\ncv_folds = ", encoding="utf-8")
    result = runner.invoke(app, build_args(tiny_tables(), out, tmp_path, "--config", str(broken)))
    assert "не читается" in assert_clean_failure(result, out)
    result = runner.invoke(app, build_args(tiny_tables("e"), out, tmp_path, "--config", str(tmp_path / "nope.toml")))
    assert "файл настроек не найден" in assert_clean_failure(result, out)


def test_demo_data_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo-data", "--output", str(tmp_path / "demo"), "--customers", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [
        "market_file.csv", "market_money.csv", "market_time.csv", "money.csv"]
    assert len(pd.read_csv(tmp_path / "demo" / "market_file.csv")) == 120


def test_demo_data_rejects_too_few_customers_without_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo-data", "--output", str(tmp_path / "demo"), "--customers", "50"])
    assert result.exit_code == 2
    assert not isinstance(result.exception, ValueError)
    assert "Traceback" not in result.output
    assert "--customers" in flat(result.output)
    assert not (tmp_path / "demo").exists()


@pytest.mark.skipif(not CLI.exists(), reason="the report-builder script is not installed")
def test_installed_script_prints_no_traceback(tmp_path: Path, tiny_tables, edit_table) -> None:
    data = tiny_tables()
    edit_table(data, "market_money", lambda f: f.drop(columns=["Выручка"]))
    out = old_output(tmp_path)
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [str(CLI), *build_args(data, out, tmp_path)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    text = flat(proc.stderr)
    assert "«market_money.csv»" in text and "«Выручка»" in text
    assert (out / "report.html").read_bytes() == OLD_REPORT
