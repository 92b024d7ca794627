"""«Данные»: what came in, what was kept, and how each source file was read."""

from __future__ import annotations

from report_builder.labels import DECLINED
from report_builder.report.filters import pct
from report_builder.results.data import CleanData

SEPARATORS = {",": "запятая", ";": "точка с запятой", "\t": "табуляция", "|": "черта", "": "—"}
DECIMAL_MARKS = {",": "запятая", ".": "точка"}


def separator_name(separator: str) -> str:
    return SEPARATORS.get(separator, separator)


def decimal_name(decimal: str) -> str:
    return DECIMAL_MARKS.get(decimal, decimal)


def kept_share(data: CleanData) -> str:
    """The share of the source's customers that entered the analysis, with one decimal: «99,2 %»."""
    return pct(data.customers_used / data.customers_in, 1)


# --- chart captions ---------------------------------------------------------------------------

def class_balance_title(data: CleanData) -> str:
    counts = data.target_counts
    share = counts[DECLINED] / sum(counts.values())
    return f"Активность снизилась у {pct(share)} постоянных покупателей"
