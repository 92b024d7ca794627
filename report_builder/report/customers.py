"""The customer action list: customers.csv and customers.xlsx, sorted by profit at risk."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from report_builder.labels import (
    CATEGORICAL,
    CONSENT,
    PROBABILITY,
    PROFIT,
    PROFIT_AT_RISK,
    SEGMENT,
    label,
)
from report_builder.report.filters import num
from report_builder.results.history import Reference
from report_builder.results.plan import Plan
from report_builder.results.segments import (
    PEOPLE_COLUMNS,
    CustomerList,
    Scores,
    Segmentation,
)

if TYPE_CHECKING:
    import xlsxwriter
    import xlsxwriter.worksheet

DRIVERS = 3
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = {
    "id": ("id", "0"),
    "probability": ("Вероятность снижения", "0.0%"),
    "profit": ("Прибыль в месяц", "#,##0.00"),
    "profit_at_risk": ("Прибыль под риском", "#,##0.00"),
    "segment": ("Сегмент", "@"),
    "previous_segment": ("Сегмент в прошлом квартале", "@"),
    "consent": ("Согласие на рассылки", "@"),
    "in_plan": ("В плане", "@"),
    "control": ("Контрольная группа", "@"),
    "offers": ("Предложение", "@"),
    "expected_gain": ("Ожидаемая выгода", "#,##0.00"),
    "extra": ("Дополнительные сегменты", "@"),
    **{f"driver_{i}": (f"Фактор риска {i}", "@") for i in range(1, DRIVERS + 1)},
}
MONEY_COLUMNS = ("profit", "profit_at_risk", "expected_gain")  # their headers name the money unit


def headers(money_unit: str | None = None) -> dict[str, str]:
    """Column key -> header; money columns carry the unit: «Прибыль в месяц, тыс. руб.» («ед.» when none is set)."""
    unit = money_unit or "ед."
    return {key: f"{title}, {unit}" if key in MONEY_COLUMNS else title for key, (title, _) in COLUMNS.items()}


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def customer_list(segmentation: Segmentation, plan: Plan, scores: Scores, reference: Reference = Reference()) -> CustomerList:
    """One row per customer, largest profit at risk first; and what the history keeps of each."""
    table = customer_table(segmentation, plan, scores, _previous_segments(reference))
    return CustomerList(table, people(segmentation, plan))


def _previous_segments(reference: Reference) -> pd.Series:
    last = reference.snapshot
    if last is None or last.customer_list is None or last.customer_list.people is None:  # type: ignore[attr-defined]
        return pd.Series(dtype=object)
    return last.customer_list.people["segment"]  # type: ignore[attr-defined]


def customer_table(seg: Segmentation, plan: Plan, scores: Scores, previous: pd.Series | None = None) -> pd.DataFrame:
    """One row per customer, largest profit at risk first."""
    frame = seg.customers
    ids = frame.index
    extra_names = [s.name for s in seg.segments if not s.base]
    extra = pd.Series("", index=ids)
    for name in extra_names:
        members = ids.isin(seg.members[name])
        extra[members] = extra[members].where(extra[members] == "", extra[members] + "; ") + name
    chosen = plan.customers.reindex(ids)
    planned = plan.customers["in_plan"].reindex(ids, fill_value=False).astype(bool)
    control = plan.customers["control"].reindex(ids, fill_value=False).astype(bool)
    offered = planned & ~control
    offers = (chosen["title"].astype(str) + " (" + chosen["channels"].astype(str) + ")").where(offered, "")
    gain = chosen["net"].fillna(chosen["gain"]).where(offered)  # the control group gets no offer, so it gains nothing
    drivers = _drivers(scores.shap.reindex(ids), frame)
    before = (previous if previous is not None else pd.Series(dtype=object)).reindex(ids)
    table = pd.DataFrame(
        {
            "id": ids.astype(int),
            "probability": frame[PROBABILITY].to_numpy(dtype=float),
            "profit": frame[PROFIT].to_numpy(dtype=float),
            "profit_at_risk": frame[PROFIT_AT_RISK].to_numpy(dtype=float),
            "segment": frame[SEGMENT].to_numpy(),
            "previous_segment": before.fillna("новый покупатель").to_numpy(),
            "consent": frame[CONSENT].to_numpy(),
            "in_plan": np.where(planned, "да", "нет"),
            "control": np.where(control, "да", "нет"),
            "offers": offers.to_numpy(),
            "expected_gain": gain.to_numpy(dtype=float),
            "extra": extra.to_numpy(),
            **{f"driver_{k + 1}": [row[k] if k < len(row) else "" for row in drivers] for k in range(DRIVERS)},
        }
    )
    table = table.sort_values(["profit_at_risk", "id"], ascending=[False, True])
    return table.map(neutralise).reset_index(drop=True)


def people(seg: Segmentation, plan: Plan) -> pd.DataFrame:
    """What the history keeps of each customer (index: id): the forecast, the segment, and what the plan did with them."""
    frame = seg.customers
    chosen = plan.customers.reindex(frame.index)
    planned = plan.customers["in_plan"].reindex(frame.index, fill_value=False).astype(bool)
    control = plan.customers["control"].reindex(frame.index, fill_value=False).astype(bool)
    offered = planned & ~control
    eligible = plan.eligible.reindex(frame.index, fill_value=False)
    names = pd.Series("", index=frame.index)
    for rule in eligible.columns:
        names = names + np.where(eligible[rule].to_numpy(dtype=bool), rule + ";", "")
    names = names.str.rstrip(";")
    out = pd.DataFrame(
        {
            "probability": frame[PROBABILITY].astype(float),
            "segment": frame[SEGMENT].astype(str),
            "profit": frame[PROFIT].astype(float),
            "profit_at_risk": frame[PROFIT_AT_RISK].astype(float),
            "control": control,
            "offers": (chosen["title"].astype(str) + " (" + chosen["channels"].astype(str) + ")").where(offered, ""),
            "rules": chosen["rule"].astype(object).where(planned, ""),  # the planned offer, the control group's too
            "eligible": names,
            "in_plan": planned,
            "expected_gain": chosen["net"].fillna(chosen["gain"]).where(planned).astype(float),
            "cost": chosen["cost"].where(offered).astype(float),
        },
        index=frame.index,
    )
    out.index.name = "id"
    return out[list(PEOPLE_COLUMNS)]


def _drivers(shap: pd.DataFrame, frame: pd.DataFrame) -> list[list[str]]:
    """Per customer, the features that push the risk up the most, with their values."""
    values = shap.to_numpy(dtype=float)
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), axis=1)[:, :DRIVERS]
    names = [label(str(c)) for c in shap.columns]
    raw = frame[list(shap.columns)].to_numpy(dtype=object)
    out: list[list[str]] = []
    for i in range(len(values)):
        row = []
        for j in order[i]:
            contribution = values[i, j]
            if not contribution > 0:  # also false for NaN: customers beyond the explained cap
                break
            value = raw[i, j]
            shown = str(value) if shap.columns[j] in CATEGORICAL else f"{float(value):g}".replace(".", ",")
            row.append(f"{names[j]}: {shown} (+{num(contribution * 100, 1)} п. п.)")
        out.append(row)
    return out


def write_csv(table: pd.DataFrame, path: Path, money_unit: str | None = None) -> None:
    """Semicolon and decimal comma, UTF-8 with BOM: opens correctly in Russian Excel."""
    table.rename(columns=headers(money_unit)).to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.4f")


SHEET_ROWS = 1_048_575  # Excel's rows per sheet, less the header


def write_xlsx(table: pd.DataFrame, path: Path, money_unit: str | None = None) -> None:
    """One sheet per SHEET_ROWS customers («Покупатели», «Покупатели (2)», …): Excel never truncates the list.

    Written row by row (XlsxWriter's constant-memory mode): a million customers take neither minutes of styling
    cell objects nor gigabytes; each column's number format is the column's, so every cell carries it."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": False})
    try:
        parts = max(1, -(-len(table) // SHEET_ROWS))
        for number in range(parts):
            title = "Покупатели" if number == 0 else f"Покупатели ({number + 1})"
            _write_sheet(book, book.add_worksheet(title), table.iloc[number * SHEET_ROWS : (number + 1) * SHEET_ROWS], money_unit)
    finally:
        book.close()


WIDTHS = {"id": 10, "probability": 13, "profit": 12, "profit_at_risk": 13, "segment": 24, "consent": 12, "control": 12,
          "extra": 28, "offers": 60}


def _write_sheet(book: xlsxwriter.Workbook, sheet: xlsxwriter.worksheet.Worksheet, table: pd.DataFrame, money_unit: str | None) -> None:
    keys = list(COLUMNS)
    titles = headers(money_unit)
    header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#0072B2", "text_wrap": True, "valign": "vcenter"})
    for index, key in enumerate(keys):
        sheet.set_column(index, index, WIDTHS.get(key, 40), book.add_format({"num_format": COLUMNS[key][1]}))
    sheet.set_row(0, 30)
    sheet.write_row(0, 0, [titles[k] for k in keys], header)
    numeric = [COLUMNS[k][1] != "@" for k in keys]
    for row, record in enumerate(table[keys].itertuples(index=False), start=1):
        for column, value in enumerate(record):
            if value is None or value == "" or value != value:  # nothing (None, NaN, no text): the cell stays empty
                continue
            if numeric[column] and isinstance(value, int | float | np.number) and not isinstance(value, bool):
                sheet.write_number(row, column, value)
            else:
                sheet.write_string(row, column, str(value))  # never a formula, whatever the text
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(table), len(keys) - 1)


def to_csv(table: CustomerList, money_unit: str | None = None) -> bytes:
    """customers.csv as bytes, ready to be written or cached."""
    return _written(table, write_csv, "customers.csv", money_unit)


def to_xlsx(table: CustomerList, money_unit: str | None = None) -> bytes:
    """customers.xlsx as bytes, ready to be written or cached."""
    return _written(table, write_xlsx, "customers.xlsx", money_unit)


def _written(table: CustomerList, write: Callable[[pd.DataFrame, Path, str | None], None], name: str, money_unit: str | None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write(table.table, path, money_unit)
        return path.read_bytes()
