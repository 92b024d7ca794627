"""Command line: `report-builder build` and `report-builder demo-data`.

Exit codes: 0 — done; 1 — internal error or the machine refused (a full disk); 2 — bad input,
settings or paths, or the output folder is busy; 130 / 143 — interrupted by Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from typer._click import exceptions as click  # typer ships its own copy of click
import typer
import typer.rich_utils
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from report_builder import ending
from report_builder.cache import DEFAULT_MAX_MB
from report_builder.errors import InputError, Interrupted
from report_builder.interruption import interruptible
from report_builder.messages import russian_usage_error

if TYPE_CHECKING:  # the results import scikit-learn: a command that fails on its settings fails at once
    from rich.table import Table

    from report_builder.config import Config
    from report_builder.history import ListedRun
    from report_builder.results.report import StageTiming

# The help and error screens speak Russian throughout, not only in our own texts.
typer.rich_utils.OPTIONS_PANEL_TITLE = "Параметры"
typer.rich_utils.ARGUMENTS_PANEL_TITLE = "Аргументы"
typer.rich_utils.COMMANDS_PANEL_TITLE = "Команды"
typer.rich_utils.ERRORS_PANEL_TITLE = "Ошибка"
typer.rich_utils.RICH_HELP = "Справка: [blue]{command_path} {help_option}[/]"
typer.rich_utils.DEFAULT_STRING = "[по умолчанию: {}]"
typer.rich_utils.REQUIRED_LONG_STRING = "[обязательно]"
HELP_TEXT = "Показать эту справку и выйти."


class _Russian:
    def format_usage(self, ctx, formatter):  # type: ignore[no-untyped-def]
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Использование: ")

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]
        except click.UsageError as exc:
            raise russian_usage_error(exc) from None


class RussianCommand(_Russian, TyperCommand):
    pass


class RussianGroup(_Russian, TyperGroup):
    def resolve_command(self, ctx, args):  # type: ignore[no-untyped-def]
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise russian_usage_error(exc) from None


app = typer.Typer(
    cls=RussianGroup,
    options_metavar="[ПАРАМЕТРЫ]",
    subcommand_metavar="КОМАНДА [АРГУМЕНТЫ]...",
    help="Отчёт о покупательской активности клиентов «В один клик»: HTML и PDF из четырёх таблиц.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """The installed command (`report-builder`, `python -m report_builder`): the app, then the quick exit (`ending`)."""
    try:
        app(prog_name="report-builder")
    except SystemExit as done:
        ending.finished(done.code)
        raise


def _console(stderr: bool, quiet: bool = False) -> Console:
    """A log piped to a file or cron's mail is never wrapped at 80 columns: paths stay whole."""
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty()
    return Console(file=stream, quiet=quiet, soft_wrap=piped, width=200 if piped else None, highlight=False)


QUARTER = re.compile(r"\d{4}-Q[1-4]")


def _quarter(value: str | None) -> str | None:
    """--period: a quarter as YYYY-QN, the shape the history, the comparison and the report's wording expect."""
    if value is not None and not QUARTER.fullmatch(value):
        raise typer.BadParameter(f"«{value}» — ожидается квартал в виде ГГГГ-QN, например 2026-Q3 (N от 1 до 4)")
    return value


def _given(source: Path | str | None, config_file: Path | None, history: str | None, *options: object) -> Callable[[], str] | None:
    """What a build is given, as `last_build.stamp` reads it (a function: the stamp after the build differs from the one
    before, as the build records itself in the history); None for tables in a database, whose changes no file shows."""
    if isinstance(source, str):
        return None
    from report_builder import __version__, last_build

    files = [*(last_build.folder_files(source) if source is not None else []), *([config_file] if config_file else [])]
    if history is not None and "://" not in history:
        files.append(Path(history))
    return lambda: last_build.stamp((source, history, __version__, sys.executable, os.getcwd(), *options), files)  # relative paths


@contextlib.contextmanager
def _compiled_code_in(cache: Path | None) -> Iterator[None]:
    """numba keeps the code it compiles for the build (shap's masking, `shap_values._compiled_once`) in the stage
    cache's `numba` folder, unless its own variable says where; without a cache, nowhere. Set for this build only."""
    if cache is None or "NUMBA_CACHE_DIR" in os.environ:
        yield
        return
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(os.path.abspath(cache), "numba")
    try:
        yield
    finally:
        del os.environ["NUMBA_CACHE_DIR"]


@app.command(cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Построить отчёт (HTML, PDF, summary.json) по папке с данными или по демо-данным.")
def build(
    data: Annotated[str | None, typer.Option("--data", help="Папка с market_file, market_money, market_time и money (и, если есть, contacts — что отправлено покупателям; .csv, .xlsx или .parquet) или адрес базы (sqlite:///shop.db, postgresql+psycopg://…). Без неё — демо-данные.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Папка для файлов этого запуска. По умолчанию output/<период>. Чужие файлы в ней не трогаются.")] = None,
    period: Annotated[str | None, typer.Option("--period", callback=_quarter, help="Квартал в виде ГГГГ-QN, например 2026-Q3 (N от 1 до 4). По умолчанию последний закончившийся квартал (по UTC; например, 2 декабря 2026 года это 2026-Q3).")] = None,
    formats: Annotated[str, typer.Option("--format", help="Форматы через запятую: html, pdf.")] = "html,pdf",
    config_file: Annotated[Path | None, typer.Option("--config", help="Файл настроек TOML или YAML.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Зерно случайности (переопределяет настройки).")] = None,
    profile: Annotated[bool | None, typer.Option("--profile/--no-profile", help="Построить приложение ydata-profiling (profile.html).")] = None,
    budget: Annotated[float | None, typer.Option("--budget", help="Бюджет на контакты за квартал в единицах прибыли (переопределяет настройку recommendations.budget).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Пересчитать все этапы, не используя кэш.")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Папка кэша этапов. По умолчанию — папка кэша пользователя.")] = None,
    cache_max_mb: Annotated[float, typer.Option("--cache-max-mb", min=1, help="Размер кэша, МБ: после сборки давно не использованные записи удаляются, пока кэш больше. Записи этой сборки остаются.")] = DEFAULT_MAX_MB,
    history: Annotated[str | None, typer.Option("--history", help="История сборок: путь к файлу SQLite или адрес базы (postgresql+psycopg://…). По умолчанию history.sqlite рядом с папкой периода.")] = None,
    no_history: Annotated[bool, typer.Option("--no-history", help="Не читать и не записывать историю сборок.")] = False,
    compare_with: Annotated[str | None, typer.Option("--compare-with", help="С каким периодом сравнивать. По умолчанию — последний более ранний в истории.")] = None,
    send: Annotated[bool, typer.Option("--send", help="После удачной сборки отправить report.pdf получателям из раздела \\[mail] настроек.")] = False,
    with_customers: Annotated[bool, typer.Option("--with-customers", help="С --send: приложить и customers.xlsx (в нём персональные данные покупателей).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Печатать только ошибки (для cron).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Показать полную трассировку при ошибке.")] = False,
) -> None:
    from report_builder.config import load_config

    errors, progress, result = _console(True), _console(True, quiet), _console(False, quiet)

    def show_stage(timing: StageTiming) -> None:
        from report_builder.report.filters import seconds

        note = " [dim](из кэша)[/]" if timing.cached else ""
        progress.print(f"[green]✓[/] {timing.title:<34} {seconds(timing.seconds):>8}{note}")

    try:
        with interruptible():
            chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
            bad = [f for f in chosen if f not in ("html", "pdf")]
            if bad or not chosen:
                raise InputError(f"неизвестный формат «{', '.join(bad) or formats}»; допустимы html и pdf")
            config = load_config(config_file, seed=seed, **{"report.formats": list(chosen), "report.profile": profile,
                                                            "recommendations.budget": budget})
            if with_customers and not send:
                raise InputError("--with-customers действует только вместе с --send")
            if send:
                if "pdf" not in chosen:
                    raise InputError("--send отправляет report.pdf, а он не строится: добавьте pdf в --format")
                config.mail.check_sendable()  # a mail that cannot go stops the build before any work
            from report_builder import last_build
            from report_builder.cache import default_cache_dir
            from report_builder.worker import started_ahead

            cache = None if no_cache else (cache_dir or default_cache_dir())
            source = data if data is None or "://" in data else Path(data)
            given = _given(source, config_file, history, config.model_dump_json(), output, period, no_history, compare_with)
            expected = cache is not None and given is not None and last_build.same_as_last(cache, given())
            with started_ahead(not expected):  # the worker's imports on the second core while the analysis libraries load
                from report_builder.build import build_report  # the analysis libraries load once the settings are good

                with _compiled_code_in(cache):
                    outcome = build_report(
                        config, source, output, period, cache, cache_max_mb, on_stage=show_stage,
                        history=history, use_history=not no_history, compare_with=compare_with,
                    )
            if cache is not None and given is not None:
                last_build.remember(cache, given())  # after the build, which changes its history file
    except InputError as exc:
        if debug:
            raise
        errors.print(f"[bold red]{exc.headline}[/] {escape(exc.message)}")
        errors.print("Отчёт не построен; прежние файлы в папке вывода не тронуты.")
        raise typer.Exit(2) from None
    except Interrupted as exc:
        name = "Ctrl-C" if exc.signal_number == signal.SIGINT else signal.Signals(exc.signal_number).name
        errors.print(f"[bold red]Сборка прервана[/] ({name}). Прежний отчёт в папке вывода не тронут, временные файлы удалены.")
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:
        if debug:
            raise
        if exc.errno == errno.ENOSPC:
            where = f" ({escape(str(exc.filename))})" if exc.filename else ""
            errors.print(f"[bold red]Недостаточно места на диске[/]{where}. Освободите место и запустите сборку снова.")
        else:
            errors.print(f"[bold red]Ошибка ввода-вывода:[/] {escape(str(exc.strerror or exc))}" + (f" ({escape(str(exc.filename))})" if exc.filename else ""))
        errors.print("Отчёт не построен; прежние файлы в папке вывода не тронуты.")
        raise typer.Exit(1) from None
    except Exception as exc:
        if debug:
            raise
        errors.print(f"[bold red]Внутренняя ошибка:[/] {exc.__class__.__name__}: {escape(str(exc))}")
        errors.print("Отчёт не построен; запустите с --debug, чтобы увидеть подробности.")
        raise typer.Exit(1) from None
    result.print("Готово:")
    for file in outcome.files:
        result.print(f"  {file}")
    for problem in outcome.problems:
        errors.print(problem, markup=False)
    if outcome.problems:
        if send:
            errors.print("Письмо не отправлено: отчёт собран не полностью.", markup=False)
        raise typer.Exit(1)
    if send:
        folder = next(f.parent for f in outcome.files if f.name == "report.pdf")
        code = _send(folder, config, with_customers, errors, result)
        if code:
            errors.print(f"Отчёт собран и лежит в {folder}; не удалась только отправка.", markup=False)
            raise typer.Exit(code)


@app.command("demo-data", cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Сгенерировать демонстрационный набор данных (схема и дефекты как у настоящих).")
def demo_data(
    output: Annotated[Path, typer.Option("--output", help="Папка для четырёх файлов.")] = Path("data/demo"),
    customers: Annotated[int, typer.Option("--customers", min=100, help="Число покупателей (не меньше 100).")] = 1300,
    seed: Annotated[int, typer.Option("--seed", help="Зерно случайности.")] = 7,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Заменить четыре файла, если они уже есть в папке.")] = False,
) -> None:
    from report_builder.demo_data import FILE_NAMES, write_demo

    present = [name for name in FILE_NAMES if (output / name).exists()]
    if present and not overwrite:
        _console(True).print(
            f"[bold red]Файлы не записаны:[/] в папке {output} уже есть {', '.join(present)}. "
            "Укажите другую папку или добавьте --overwrite, чтобы заменить их."
        )
        raise typer.Exit(2)
    paths = write_demo(output, customers=customers, seed=seed)
    _console(False).print("Записано: " + ", ".join(str(p) for p in paths))


@app.command("history", cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Показать записанные сборки: период, дата, покупатели, риск, модель, обещанная и достигнутая точность.")
def history_list(
    history: Annotated[str | None, typer.Option("--history", help="Файл SQLite или адрес базы истории. По умолчанию — та, в которую пишет сборка без параметров: history.url из настроек или output/history.sqlite.")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="Файл настроек TOML или YAML (из него берётся history.url).")] = None,
) -> None:
    from report_builder.config import load_config
    from report_builder.databases import is_url, shown_url
    from report_builder.locations import default_output, history_location, today_utc
    from report_builder.periods import last_finished_quarter

    errors, out = _console(True), _console(False)
    try:
        config = load_config(config_file)
        given = history or config.history.url
        location = history_location(default_output(last_finished_quarter(today_utc())), given)
        file = None if is_url(location) else Path(location).expanduser().resolve()
        if file is not None and given is not None and not file.exists():
            where = "в --history" if history else f"в настройке history.url ({config_file})"
            raise InputError(f"файл истории {file} не найден", hint=f"Проверьте путь {where}; история появляется после первой удачной сборки")
        out.print(f"Файл истории: {file}" if file is not None else f"База истории: {shown_url(location)}", markup=False)
        if file is not None and not file.exists():
            out.print("Пока нет ни одной сборки: файл появится после первой удачной сборки в output/.", markup=False)
            return
        from report_builder.history import History, history_url, listing  # the stage table loads with the history's schema

        with contextlib.closing(History(history_url(location))) as store:
            found = listing(store.runs())
    except InputError as exc:
        errors.print(f"[bold red]{exc.headline}[/] {escape(exc.message)}")
        raise typer.Exit(2) from None
    if not found:
        out.print("Пока нет ни одной сборки.", markup=False)
        return
    out.print(_history_table(found))
    out.print("«ROC-AUC на деле» — что показала проверка прогноза этой сборки в следующем квартале; «—» — ещё не проверен.", markup=False)


def _history_table(found: list[ListedRun]) -> Table:
    """Runs by data set and period; one money unit in the header, or each sum with its own when they differ."""
    from rich.table import Table

    from report_builder.report.filters import num, pct

    units = {run.money_unit for run in found}
    one_unit = units.pop() if len(units) == 1 else None
    table = Table()
    at_risk = f"Под риском, {one_unit}" if one_unit else "Под риском"
    for title in ("Данные", "Период", "Собран", "Покупателей", "Снизилась", "В зоне риска", at_risk, "Модель",
                  "ROC-AUC обещанный", "ROC-AUC на деле"):
        table.add_column(title, no_wrap=title in ("Период", "Собран"))

    for run in found:
        money = num(run.profit_at_risk) + ("" if one_unit or run.profit_at_risk is None else f" {run.money_unit}")
        table.add_row(
            run.dataset, run.period, run.built_at[:16].replace("T", " "), num(run.customers), pct(run.declined_share),
            num(run.at_risk), money, run.best_model or "—", num(run.promised_auc, 3), num(run.realised_auc, 3),
        )
    return table


@app.command("send", cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Отправить report.pdf собранного отчёта получателям из раздела \\[mail] настроек (SMTP).")
def send_command(
    folder: Annotated[Path | None, typer.Argument(metavar="ПАПКА", show_default=False, help="Папка собранного отчёта. По умолчанию — та, в которую пишет сборка без параметров: output/<последний закончившийся квартал>.")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="Файл настроек TOML или YAML с разделом \\[mail].")] = None,
    with_customers: Annotated[bool, typer.Option("--with-customers", help="Приложить и customers.xlsx (в нём персональные данные покупателей). Без этого параметра список не отправляется.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Печатать только ошибки (для cron).")] = False,
) -> None:
    from report_builder.config import load_config
    from report_builder.locations import default_output, today_utc
    from report_builder.periods import last_finished_quarter

    errors, out = _console(True), _console(False, quiet)
    try:
        config = load_config(config_file)
    except InputError as exc:
        errors.print(f"[bold red]{exc.headline}[/] {escape(exc.message)}")
        raise typer.Exit(2) from None
    code = _send(folder or default_output(last_finished_quarter(today_utc())), config, with_customers, errors, out)
    if code:
        raise typer.Exit(code)


def _send(folder: Path, config: Config, with_customers: bool, errors: Console, out: Console) -> int:
    """Mail the report in `folder`; the exit code: 0 sent, 2 bad settings or paths, 1 the server unreachable or refusing."""
    from report_builder.errors import MailError
    from report_builder.mail import send_report

    try:
        sent = send_report(folder, config.mail, config.report, with_customers)
    except InputError as exc:
        errors.print(f"[bold red]{exc.headline}[/] {escape(exc.message)}")
        errors.print("Письмо не отправлено; файлы отчёта не изменены.", markup=False)
        return 2
    except MailError as exc:
        errors.print(f"[bold red]{exc.headline}[/] {escape(exc.message)}")
        errors.print("Файлы отчёта не изменены; повторите отправку командой report-builder send, когда сервер будет доступен.", markup=False)
        return 1
    out.print(f"Отправлено через {sent.server}: {', '.join(sent.attachments)} → {', '.join(sent.recipients)}", markup=False)
    out.print(f"Тема: {sent.subject}", markup=False)
    return 0


@app.command("config", cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Показать действующие настройки (ключ, значение, значение по умолчанию, описание) или записать образец файла настроек.")
def show_config(
    config_file: Annotated[Path | None, typer.Option("--config", help="Файл настроек TOML или YAML. Без него — значения по умолчанию.")] = None,
    example: Annotated[bool, typer.Option("--example", help="Записать образец файла настроек TOML со всеми ключами и пояснениями.")] = False,
    output: Annotated[Path | None, typer.Option("--output", help="Куда записать образец (с --example). Без него — в стандартный вывод. Существующий файл не перезаписывается.")] = None,
) -> None:
    from report_builder.config import load_config
    from report_builder.settings_doc import example_toml, settings, shown

    errors, out = _console(True), _console(False)
    if output is not None and not example:
        errors.print("[bold red]Ошибка в параметрах.[/] --output используется только вместе с --example.")
        raise typer.Exit(2)
    try:
        config = load_config(config_file)
    except InputError as exc:
        errors.print(f"[bold red]{exc.headline}[/] {escape(exc.message)}")
        raise typer.Exit(2) from None
    if example:
        text = example_toml(config)
        if output is None:
            sys.stdout.write(text)
            return
        if output.exists():
            errors.print(f"[bold red]Образец не записан:[/] файл {output} уже есть. Укажите другое имя или удалите его.")
            raise typer.Exit(2)
        try:
            with output.open("x", encoding="utf-8") as handle:  # «x»: never over a file that appeared meanwhile
                handle.write(text)
        except OSError as exc:
            errors.print(f"[bold red]Образец не записан:[/] {escape(str(output))}: {escape(str(exc.strerror or exc))}")
            raise typer.Exit(2) from None
        out.print(f"Записан образец настроек: {output}")
        return
    source = f"файл {config_file}" if config_file else "значения по умолчанию, файл настроек не задан"
    out.print(f"Действующие настройки ({source}). Формат: ключ = значение  [по умолчанию: …]  — описание", markup=False)
    for setting in settings(config):
        changed = "* " if setting.value != setting.default else "  "
        out.print(
            f"{changed}{setting.path} = {shown(setting.value)}  [по умолчанию: {shown(setting.default)}]  — {setting.description}",
            markup=False,
        )
    out.print("Звёздочка (*) отмечает значения, отличные от значений по умолчанию.", markup=False)
