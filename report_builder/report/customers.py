"""The customer action list: customers.csv and customers.xlsx, sorted by profit at risk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from report_builder.labels import CATEGORICAL, PROFIT, label
from report_builder.report.filters import num
from report_builder.results.report import ReportResults

DRIVERS = 3
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = {
    "id": ("id", "0"),
    "probability": ("Вероятность снижения", "0.0%"),
    "profit": ("Прибыль в месяц", "#,##0.00"),
    "profit_at_risk": ("Прибыль под риском", "#,##0.00"),
    "segment": ("Сегмент", "@"),
    "extra": ("Дополнительные сегменты", "@"),
    "offers": ("Предложения", "@"),
    **{f"driver_{i}": (f"Фактор риска {i}", "@") for i in range(1, DRIVERS + 1)},
}


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def customer_table(results: ReportResults) -> pd.DataFrame:
    seg = results.segmentation
    frame = seg.customers
    extra_names = [s.name for s in seg.segments if not s.base]
    extra_members = {name: set(seg.members[name]) for name in extra_names}
    offers = results.recommendations.per_customer
    rows = []
    for customer, row in frame.iterrows():
        drivers = _drivers(results.scores.shap.loc[customer], row)
        rows.append(
            {
                "id": int(customer),
                "probability": float(row["probability"]),
                "profit": float(row[PROFIT]),
                "profit_at_risk": float(row["profit_at_risk"]),
                "segment": row["segment"],
                "extra": "; ".join(n for n in extra_names if customer in extra_members[n]),
                "offers": "; ".join(offers.get(int(customer), ())),
                **{f"driver_{i + 1}": drivers[i] if i < len(drivers) else "" for i in range(DRIVERS)},
            }
        )
    table = pd.DataFrame(rows).sort_values(["profit_at_risk", "id"], ascending=[False, True])
    return table.map(neutralise).reset_index(drop=True)


def _drivers(shap_row: pd.Series, row: pd.Series) -> list[str]:
    """The features that push this customer's risk up the most, with their values."""
    if shap_row.isna().all():
        return []
    top = shap_row[shap_row > 0].sort_values(ascending=False).head(DRIVERS)
    out = []
    for feature, contribution in top.items():
        value = row[feature]
        shown = str(value) if feature in CATEGORICAL else f"{float(value):g}".replace(".", ",")
        out.append(f"{label(str(feature))}: {shown} (+{num(contribution * 100, 1)} п. п.)")
    return out


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Semicolon and decimal comma, UTF-8 with BOM: opens correctly in Russian Excel."""
    headers = {k: v[0] for k, v in COLUMNS.items()}
    table.rename(columns=headers).to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.4f")


def write_xlsx(table: pd.DataFrame, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Покупатели"
    keys = list(COLUMNS)
    sheet.append([COLUMNS[k][0] for k in keys])
    for record in table[keys].itertuples(index=False):
        sheet.append(list(record))
    header_fill = PatternFill("solid", fgColor="0072B2")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = {"id": 10, "probability": 13, "profit": 12, "profit_at_risk": 13, "segment": 24, "extra": 28, "offers": 60}
    for index, key in enumerate(keys, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(key, 40)
        for cell in sheet[letter][1:]:
            cell.number_format = COLUMNS[key][1]
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.row_dimensions[1].height = 30
    book.save(path)
