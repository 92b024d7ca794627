"""The errors users see, explained in Russian, and the exit codes they map to."""

from __future__ import annotations

from collections.abc import Sequence


class InputError(Exception):
    """Input that cannot produce a correct report: bad data, settings or paths (exit code 2).

    Carries the file, the column and example rows so the message points the analyst
    at the exact place to fix.
    """

    headline = "Ошибка во входных данных."

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


class OutputError(InputError):
    """The output or cache folder cannot be used as asked; nothing was written (exit code 2)."""

    headline = "Папка для отчёта не подходит."


class BuildBusy(OutputError):
    """Another build holds the output folder (exit code 2)."""

    headline = "Сборка не начата."


class Interrupted(BaseException):
    """SIGTERM or Ctrl-C: a BaseException, so no stage's `except Exception` swallows it."""

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        super().__init__(signal_number)

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM
