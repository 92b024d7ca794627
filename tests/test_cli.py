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
from report_builder.output import OWN_DIR, claim_output

runner = CliRunner()
OLD_REPORT = "<html><body>Отчёт за прошлый квартал</body></html>".encode()
CLI = Path(sys.executable).with_name("report-builder")


def flat(text: str) -> str:
    """Console output with line wrapping and box drawing undone."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def old_output(tmp_path: Path) -> Path:
    """An output folder holding the previous quarter's report, written by the tool."""
    out = tmp_path / "output" / "2026-Q3"
    with claim_output(out, None) as folder:
        folder.publish({"report.html": OLD_REPORT})
    return out


def build_args(data: Path, out: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "build", "--data", str(data), "--output", str(out),
        "--format", "html", "--cache-dir", str(tmp_path / "cache"), *extra,
    ]


def assert_clean_failure(result, out: Path, headline: str = "Ошибка во входных данных.") -> str:
    text = flat(result.output)
    assert result.exit_code == 2, text
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert headline in text, text
    other = {"Ошибка во входных данных.", "Ошибка в настройках."} - {headline}
    assert not any(h in text for h in other), text
    assert (out / "report.html").read_bytes() == OLD_REPORT
    assert sorted(p.name for p in out.iterdir()) == [OWN_DIR, "report.html"]
    assert sorted(p.name for p in (out / OWN_DIR).iterdir()) == ["lock", "manifest.json"]  # no staging left
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # nothing beside it
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
    assert not (tmp_path / "cache" / "last-build.txt").exists()  # a failed build is not one to expect again
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
    text = assert_clean_failure(result, out, "Ошибка в настройках.")
    assert f"«{setting}»" in text and "неверная настройка" in text
    assert "«bad.toml»" in text


def test_unreadable_or_missing_config_fails_cleanly(tmp_path: Path, tiny_tables) -> None:
    out = old_output(tmp_path)
    broken = tmp_path / "broken.toml"
    broken.write_text("[model\ncv_folds = ", encoding="utf-8")
    result = runner.invoke(app, build_args(tiny_tables(), out, tmp_path, "--config", str(broken)))
    assert "не читается" in assert_clean_failure(result, out, "Ошибка в настройках.")
    result = runner.invoke(app, build_args(tiny_tables("e"), out, tmp_path, "--config", str(tmp_path / "nope.toml")))
    assert "файл настроек не найден" in assert_clean_failure(result, out, "Ошибка в настройках.")


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


@pytest.mark.parametrize("command", [[str(CLI)], [sys.executable, "-m", "report_builder"]], ids=["script", "module"])
def test_the_quick_exit_keeps_the_code_and_what_was_printed(tmp_path: Path, command: list[str]) -> None:
    """The installed command skips the interpreter's teardown: its exit code and what it printed survive that."""
    if not Path(command[0]).exists():
        pytest.skip("the report-builder script is not installed")
    folder = tmp_path / "demo"
    made = subprocess.run([*command, "demo-data", "--output", str(folder), "--customers", "120"],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert str(folder) in flat(made.stdout)
    again = subprocess.run([*command, "demo-data", "--output", str(folder), "--customers", "120"],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 2, again.stderr
    assert "--overwrite" in flat(again.stderr + again.stdout) and "Traceback" not in again.stderr


def test_the_quick_exit_comes_after_every_librarys_exit_handler(tmp_path: Path) -> None:
    """A library imported on the way (joblib, logging) registers its exit handler after the package: it still runs."""
    probe = tmp_path / "exit_handler_ran"
    code = (
        "import atexit, pathlib, sys\n"
        "import report_builder.cli as cli\n"
        f"atexit.register(lambda: pathlib.Path({str(probe)!r}).write_text('ok'))\n"
        f"sys.argv = ['report-builder', 'demo-data', '--output', {str(tmp_path / 'demo')!r}, '--customers', '120']\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert probe.read_text(encoding="utf-8") == "ok"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "--no-such-option"], "нет такого параметра: --no-such-option"),
        (["build", "--formt", "html"], "возможно, имелся в виду --format"),
        (["build", "--seed", "abc"], "неверное значение параметра --seed: ожидается целое число (указано: abc)"),
        (["build", "--seed"], "параметру --seed нужно значение"),
        (["build", "лишнее"], "лишние аргументы: лишнее"),
        (["demo-data", "--customers", "50"], "значение должно быть не меньше 100 (указано: 50)"),
        (["no-such-command"], "нет такой команды: no-such-command"),
        (["buld"], "нет такой команды: buld; возможно, имелось в виду build"),
        (["hystory"], "возможно, имелось в виду history"),
        (["build", "--period", "2026-Q5"], "неверное значение параметра --period: «2026-Q5» — ожидается квартал в виде ГГГГ-QN"),
        (["build", "--period", "IV квартал"], "например 2026-Q3"),
    ],
)
def test_usage_errors_are_russian(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    text = flat(result.output)
    assert result.exit_code == 2, text
    assert expected in text
    assert "Ошибка" in text and "Использование:" in text or "параметру" in text
    for english in ("No such option", "Usage:", "Error", "Try ", "Input should", "Missing", "Got unexpected"):
        assert english not in text, english


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[model]\ncv_folds = "пять"\n', "«model.cv_folds»: ожидается целое число (указано: «пять»)"),
        ("[model]\ncv_folds = 1\n", "«model.cv_folds»: значение должно быть не меньше 2 (указано: 1)"),
        ("[segments]\nthreshold = 1.5\n", "«segments.threshold»: значение должно быть меньше 1 (указано: 1.5)"),
        ('[report]\nformats = ["docx"]\n', "«report.formats.0»: допустимы только 'html' или 'pdf'"),
        ('[report]\nprofile = "может быть"\n', "«report.profile»: ожидается true или false"),
        ("[cleaning]\nno_such_setting = 1\n", "«cleaning.no_such_setting»: такой настройки нет"),
        ('model = "logreg"\n', "«model»: ожидается раздел настроек"),
    ],
)
def test_setting_errors_are_russian(tmp_path: Path, content: str, expected: str) -> None:
    from report_builder.config import load_config
    from report_builder.errors import InputError

    config = tmp_path / "settings.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_config(config)
    assert expected in raised.value.message
    assert not re.search(r"[A-Za-z]{4,} should|Input |valid (integer|number)|Extra inputs", raised.value.message)


def test_demo_data_never_overwrites_without_asking(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "money.csv").write_text("мои данные", encoding="utf-8")
    result = runner.invoke(app, ["demo-data", "--output", str(folder), "--customers", "120"])
    assert result.exit_code == 2
    assert "уже есть money.csv" in flat(result.output) and "--overwrite" in flat(result.output)
    assert sorted(p.name for p in folder.iterdir()) == ["money.csv"]
    assert (folder / "money.csv").read_text(encoding="utf-8") == "мои данные"
    result = runner.invoke(app, ["demo-data", "--output", str(folder), "--customers", "120", "--overwrite"])
    assert result.exit_code == 0
    assert len((folder / "money.csv").read_text(encoding="utf-8").splitlines()) == 121


def test_bad_offer_rule_stops_the_build_at_once(tmp_path: Path, tiny_tables) -> None:
    """A rule on a text feature is refused by the settings check, before the analysis libraries even load."""
    import time

    config = tmp_path / "rules.toml"
    config.write_text(
        '[[recommendations.rules]]\nname = "x"\nfeature = "Тип сервиса"\ntitle = "t"\naction = "a"\n'
        'op = ">="\nvalue = 1\nchannels = ["сайт"]\n',
        encoding="utf-8",
    )
    out = old_output(tmp_path)
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "report_builder", *build_args(tiny_tables(), out, tmp_path, "--config", str(config))],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr
    assert "«recommendations.rules.0.feature»" in flat(proc.stderr) and "нечисловой признак «Тип сервиса»" in flat(proc.stderr)
    assert "Traceback" not in proc.stderr
    assert seconds < 3, seconds  # Python and the command line start in a fraction of it; no stage ran
    assert not (tmp_path / "cache").exists()
    assert (out / "report.html").read_bytes() == OLD_REPORT


def test_config_lists_every_setting_with_value_default_and_description(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[segments]\nthreshold = 0.4\n[recommendations.rules.cart]\ncost = 0.05\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "--config", str(settings)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"файл {settings}" in lines[0]
    assert "* segments.threshold = 0.4  [по умолчанию: 0.5]  — вероятность снижения, с которой покупатель в зоне риска" in lines
    assert ("* recommendations.rules.cart.cost = 0.05  [по умолчанию: не задано]  — цена одного контакта в единицах прибыли; "
            "не задана — по ценам каналов (recommendations.channel_costs)") in lines
    assert "  recommendations.rules.errors.owner = \"служба поддержки\"  [по умолчанию: \"служба поддержки\"]  — кто выполняет действие" in lines
    assert "  limits.max_file_mb = 256  [по умолчанию: 256]  — размер файла таблицы (CSV, Excel, Parquet) не больше, МБ" in lines
    assert "  mail.password_env = \"REPORT_BUILDER_SMTP_PASSWORD\"  [по умолчанию: \"REPORT_BUILDER_SMTP_PASSWORD\"]  — переменная окружения, в которой лежит пароль" in lines
    assert sum(line.startswith("* ") for line in lines) == 2


def test_config_with_a_bad_file_is_a_settings_error(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[segments]\nthreshold = 2\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "--config", str(settings)])
    assert result.exit_code == 2
    assert "«segments.threshold»" in flat(result.output) and "Traceback" not in result.output


def test_config_example_goes_to_stdout_or_a_new_file_only(tmp_path: Path) -> None:
    from report_builder.config import Config, load_config

    result = runner.invoke(app, ["config", "--example"])
    assert result.exit_code == 0
    printed = tmp_path / "printed.toml"
    printed.write_text(result.output, encoding="utf-8")
    assert load_config(printed) == Config()

    target = tmp_path / "settings.toml"
    result = runner.invoke(app, ["config", "--example", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == printed.read_text(encoding="utf-8")
    assert f"Записан образец настроек: {target}" in flat(result.output)

    target.write_text("seed = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "--example", "--output", str(target)])
    assert result.exit_code == 2
    assert "уже есть" in flat(result.output)
    assert target.read_text(encoding="utf-8") == "seed = 1\n"


def test_bad_settings_and_bad_data_have_headlines_of_their_own(tmp_path: Path, tiny_tables) -> None:
    out = old_output(tmp_path)
    settings = tmp_path / "settings.toml"
    settings.write_text("[report]\nmoney_units = \"тыс. руб.\"\n", encoding="utf-8")
    text = assert_clean_failure(runner.invoke(app, build_args(tiny_tables(), out, tmp_path, "--config", str(settings))),
                                out, "Ошибка в настройках.")
    assert "«report.money_units»: такой настройки нет; возможно, имелось в виду «report.money_unit»" in text


def test_data_naming_a_file_says_a_folder_is_expected(tmp_path: Path, tiny_tables) -> None:
    out = old_output(tmp_path)
    table = tiny_tables() / "market_file.csv"
    text = assert_clean_failure(runner.invoke(app, build_args(table, out, tmp_path)), out)
    assert f"{table} — это файл, а --data ожидает папку с четырьмя таблицами" in text
    assert "или адрес базы данных" in text and f"--data {table.parent}" in text


def test_period_help_names_the_shape() -> None:
    assert "ГГГГ-QN, например 2026-Q3" in flat(runner.invoke(app, ["build", "--help"]).output)


def test_the_same_closeness_rule_for_commands_and_settings() -> None:
    from report_builder.messages import closest

    assert closest("buld", ["build", "demo-data", "history", "config", "send"]) == "build"
    assert closest("segment", ["segments", "report"]) == "segments"
    assert closest("zzz", ["build", "history"]) is None


def test_budget_option_sets_the_contact_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--budget reaches recommendations.budget, over a settings file; no build runs."""
    import report_builder.build as build

    budgets: list[float | None] = []

    def build_report(config, *args: object, **kwargs: object) -> build.BuildOutcome:
        budgets.append(config.recommendations.budget)
        return build.BuildOutcome([], None, ())  # type: ignore[arg-type]

    monkeypatch.setattr(build, "build_report", build_report)
    settings = tmp_path / "settings.toml"
    settings.write_text("[recommendations]\nbudget = 10\n", encoding="utf-8")
    base = ["build", "--output", str(tmp_path / "out"), "--format", "html", "--no-history"]
    for extra in (["--budget", "1500,5"], ["--budget", "1500.5"], ["--config", str(settings), "--budget", "20"],
                  ["--config", str(settings)], []):
        result = runner.invoke(app, [*base, *extra])
        if extra[:2] == ["--budget", "1500,5"]:
            assert result.exit_code == 2 and "--budget: ожидается число" in flat(result.output)
            continue
        assert result.exit_code == 0, result.output
    assert budgets == [1500.5, 20.0, 10.0, None]
    result = runner.invoke(app, [*base, "--budget", "0"])
    assert result.exit_code == 2 and "Ошибка в настройках." in flat(result.output)
    assert "«recommendations.budget»: значение должно быть больше 0" in flat(result.output)
    assert budgets == [1500.5, 20.0, 10.0, None]
    help_text = flat(runner.invoke(app, ["build", "--help"]).output)
    assert "--budget" in help_text and "Бюджет на контакты за квартал в единицах прибыли" in help_text


def test_the_build_gives_numba_a_folder_in_the_stage_cache_for_its_own_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where numba keeps shap's compiled masking (`shap_values._compiled_once`): the cache's `numba` folder while the
    build runs, nowhere without a cache, and the user's own NUMBA_CACHE_DIR when it is set."""
    from report_builder.cli import _compiled_code_in

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    with _compiled_code_in(tmp_path / "cache"):
        assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "cache" / "numba")
    assert "NUMBA_CACHE_DIR" not in os.environ
    with _compiled_code_in(None):
        assert "NUMBA_CACHE_DIR" not in os.environ
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    with _compiled_code_in(tmp_path / "cache"):
        assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")
