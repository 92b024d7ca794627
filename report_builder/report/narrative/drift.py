"""«Что изменилось», the drift: which features moved since last quarter, in their own units and by how much."""

from __future__ import annotations

from report_builder.labels import label
from report_builder.report.filters import num
from report_builder.report.narrative.common import percent
from report_builder.results.history import Drift


NO_DRIFT = "нет"  # the drift level of a feature that did not move



DRIFT_NAMED = 5  # moved features named in the sentence



def shifted(drift: Drift) -> bool:
    return drift.level != NO_DRIFT



def drift_summary(drift: tuple[Drift, ...]) -> str:
    moved = [d for d in drift if shifted(d)]
    if not moved:
        return "Данные этого квартала распределены так же, как в прошлом: заметного сдвига нет ни в одном признаке."
    names = ", ".join(f"«{label(d.feature)}» ({d.level})" for d in moved[:DRIFT_NAMED])
    return f"Сдвинулись признаки: {names}. Порядок — по важности признака для модели."



def drift_values(drift: Drift) -> tuple[str, str]:
    """Then and now in the feature's own units (a category: the share of the one that moved most, named in
    `drift_categories`)."""
    if drift.category is not None:
        return percent(drift.then), percent(drift.now)
    return _amount(drift.then), _amount(drift.now)


def drift_categories(drift: Drift) -> str:
    """The last column: whose share the row compares, the categories that appeared and those that vanished."""
    parts = [f"доля «{drift.category}»"] if drift.category is not None else []
    if drift.new_categories:
        parts.append("новые: " + ", ".join(drift.new_categories))
    if drift.vanished_categories:
        parts.append("исчезли: " + ", ".join(drift.vanished_categories))
    return "; ".join(parts)



def _amount(value: float) -> str:
    return num(value, 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0)



def drift_unit() -> str:
    return (
        "Сдвиг числового признака — точное расстояние Вассерштейна между распределениями прошлого и этого квартала, "
        "в стандартных отклонениях прошлого квартала; категориального — индекс стабильности совокупности (PSI)."
    )
