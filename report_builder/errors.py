"""The one error type users see: bad input, explained in Russian."""

from __future__ import annotations

from collections.abc import Sequence


class InputError(Exception):
    """Input data that cannot produce a correct report.

    Carries the file, the column and example rows so the message points the analyst
    at the exact place to fix.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[object] = (),
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.column = column
        self.rows = list(rows)
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file:
            where.append(f"файл «{self.file}»")
        if self.column:
            where.append(f"столбец «{self.column}»")
        place = ", ".join(where)
        head = (place[:1].upper() + place[1:] + ": ") if where else ""  # keep the names' own case
        text = head + (self.problem if head else self.problem[:1].upper() + self.problem[1:])
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" и ещё {len(self.rows) - 10}" if len(self.rows) > 10 else ""
            text += f" (строки: {shown}{more})"
        if self.hint:
            text += f". {self.hint}"
        return text
