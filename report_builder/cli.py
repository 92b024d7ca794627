"""Command line: `report-builder build` and `report-builder demo-data`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.rich_utils
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from report_builder.errors import InputError
from report_builder.results.report import StageTiming

# The help screen speaks Russian throughout, not only in our own texts.
typer.rich_utils.OPTIONS_PANEL_TITLE = "Параметры"
typer.rich_utils.ARGUMENTS_PANEL_TITLE = "Аргументы"
typer.rich_utils.COMMANDS_PANEL_TITLE = "Команды"
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


class RussianCommand(_Russian, TyperCommand):
    pass


class RussianGroup(_Russian, TyperGroup):
    pass


app = typer.Typer(
    cls=RussianGroup,
    options_metavar="[ПАРАМЕТРЫ]",
    subcommand_metavar="КОМАНДА [АРГУМЕНТЫ]...",
    help="Отчёт о покупательской активности клиентов «В один клик»: HTML и PDF из четырёх таблиц.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(stderr=True)


@app.command(cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Построить отчёт (HTML, PDF, summary.json) по папке с данными или по демо-данным.")
def build(
    data: Annotated[Path | None, typer.Option("--data", help="Папка с market_file, market_money, market_time и money (.csv или .xlsx). Без неё — демо-данные.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Папка для файлов этого запуска. По умолчанию output/<период>.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Подпись периода, например 2026-Q3. По умолчанию текущий квартал.")] = None,
    formats: Annotated[str, typer.Option("--format", help="Форматы через запятую: html, pdf.")] = "html,pdf",
    config_file: Annotated[Path | None, typer.Option("--config", help="Файл настроек TOML или YAML.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Зерно случайности (переопределяет настройки).")] = None,
    profile: Annotated[bool | None, typer.Option("--profile/--no-profile", help="Построить приложение ydata-profiling (profile.html).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Пересчитать все этапы, не используя кэш.")] = False,
    cache_dir: Annotated[Path, typer.Option("--cache-dir", help="Папка кэша этапов.")] = Path(".cache"),
    debug: Annotated[bool, typer.Option("--debug", help="Показать полную трассировку при ошибке.")] = False,
) -> None:
    from report_builder.build import build_report
    from report_builder.config import load_config

    try:
        chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
        bad = [f for f in chosen if f not in ("html", "pdf")]
        if bad or not chosen:
            raise InputError(f"неизвестный формат «{', '.join(bad) or formats}»; допустимы html и pdf")
        config = load_config(config_file, seed=seed, **{"report.formats": list(chosen), "report.profile": profile})
        outcome = build_report(
            config, data, output, period, None if no_cache else cache_dir, on_stage=_show_stage
        )
    except InputError as exc:
        if debug:
            raise
        out.print(f"[bold red]Ошибка во входных данных.[/] {exc.message}", highlight=False)
        out.print("Отчёт не построен; прежние файлы в папке вывода не тронуты.", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:
        if debug:
            raise
        out.print(f"[bold red]Внутренняя ошибка:[/] {exc.__class__.__name__}: {exc}", highlight=False)
        out.print("Отчёт не построен; запустите с --debug, чтобы увидеть подробности.", highlight=False)
        raise typer.Exit(1) from None
    out.print("Готово: " + ", ".join(str(f) for f in outcome.files), highlight=False)


@app.command("demo-data", cls=RussianCommand, options_metavar="[ПАРАМЕТРЫ]", help="Сгенерировать демонстрационный набор данных (схема и дефекты как у настоящих).")
def demo_data(
    output: Annotated[Path, typer.Option("--output", help="Папка для четырёх файлов.")] = Path("data/demo"),
    customers: Annotated[int, typer.Option("--customers", min=100, help="Число покупателей (не меньше 100).")] = 1300,
    seed: Annotated[int, typer.Option("--seed", help="Зерно случайности.")] = 7,
) -> None:
    from report_builder.demo_data import write_demo

    paths = write_demo(output, customers=customers, seed=seed)
    out.print("Записано: " + ", ".join(str(p) for p in paths), highlight=False)


def _show_stage(timing: StageTiming) -> None:
    from report_builder.report.filters import seconds

    note = " [dim](из кэша)[/]" if timing.cached else ""
    out.print(f"[green]✓[/] {timing.title:<34} {seconds(timing.seconds):>8}{note}", highlight=False)
