"""narrative.data: what came in, what was kept, and how each file was read."""

from __future__ import annotations

import small_results as make
from report_builder.report.narrative import data as say


def test_separators_and_decimal_marks_by_name() -> None:
    assert [say.separator_name(s) for s in (",", ";", "\t", "|", "", "#")] == ["запятая", "точка с запятой", "табуляция", "черта", "—", "#"]
    assert [say.decimal_name(d) for d in (",", ".", "?")] == ["запятая", "точка", "?"]


def test_kept_share_and_the_balance_caption() -> None:
    d = make.clean_data()  # 8 of 10 kept; 2 of 8 declined
    assert say.kept_share(d) == "80,0\u00a0%"
    assert say.class_balance_title(d) == "Активность снизилась у 25\u00a0% постоянных покупателей"
