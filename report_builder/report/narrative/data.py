"""«Данные»: what came in, what was kept, and how each source file was read."""

from __future__ import annotations

from report_builder.labels import DECLINED
from report_builder.report.filters import count, pct
from report_builder.report.narrative.common import day_span
from report_builder.results.backtest import Backtest
from report_builder.results.data import CleanData, Contacts, SourceFile

SEPARATORS = {",": "запятая", ";": "точка с запятой", "\t": "табуляция", "|": "черта", "": "—"}
DECIMAL_MARKS = {",": "запятая", ".": "точка"}


BINARY_FORMATS = {"xlsx": "файл Excel", "parquet": "файл Parquet", "база данных": "таблица базы данных"}


def source_format(source: SourceFile) -> tuple[str, str, str]:
    """The cells «Кодировка», «Разделитель», «Дробная часть»: guessed for a text file; for Excel, Parquet or a database
    table the format instead, and dashes (nothing was guessed)."""
    if source.encoding in BINARY_FORMATS:
        return BINARY_FORMATS[source.encoding], "—", "—"
    return source.encoding, separator_name(source.separator), decimal_name(source.decimal)


def separator_name(separator: str) -> str:
    return SEPARATORS.get(separator, separator)


def decimal_name(decimal: str) -> str:
    return DECIMAL_MARKS.get(decimal, decimal)


def kept_share(data: CleanData) -> str:
    """The share of the source's customers that entered the analysis, with one decimal: «99,2 %»."""
    return pct(data.customers_used / data.customers_in, 1)


def contacts_read(contacts: Contacts, backtest: Backtest | None) -> str:
    """What the contacts table holds: how many contacts to how many customers, over which days, by which channels; where
    it is set beside last quarter's plan; and a warning when some are dated outside this quarter."""
    channels = ", ".join(f"{c.name} — {count(c.contacts, 'контакт', 'контакта', 'контактов')}" for c in contacts.by_channel)
    text = (f"Таблица контактов {contacts.file} — что на самом деле отправлено покупателям за квартал: "
            f"{count(contacts.rows, 'контакт', 'контакта', 'контактов')} "
            f"{count(contacts.customers, 'покупателю', 'покупателям', 'покупателям')} {day_span(contacts.first_day, contacts.last_day)}"
            f" (по каналам: {channels}). "
            + ("Её итог — в разделе «Проверка прошлого прогноза»." if backtest is not None
               else "Сопоставить её не с чем: в истории нет плана прошлого квартала на тех же покупателях."))
    if contacts.outside_quarter:
        text += (f" {count(contacts.outside_quarter, 'контакт датирован', 'контакта датированы', 'контактов датированы')} "
                 "не этим кварталом — проверьте, что таблица выгружена за тот же квартал, что и остальные.")
    return text


# --- chart captions ---------------------------------------------------------------------------

def class_balance_title(data: CleanData) -> str:
    counts = data.target_counts
    share = counts[DECLINED] / sum(counts.values())
    return f"Активность снизилась у {pct(share)} постоянных покупателей"
