"""The errors users see, explained in Russian, and the exit codes they map to."""

from __future__ import annotations

import errno
import re
import sys
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


class SettingsError(InputError):
    """A settings file or setting that cannot be used: unreadable, unknown or out of range (exit code 2)."""

    headline = "Ошибка в настройках."


class OutputError(InputError):
    """The output or cache folder cannot be used as asked; nothing was written (exit code 2)."""

    headline = "Папка для отчёта не подходит."


class BuildBusy(OutputError):
    """Another build holds the output folder (exit code 2)."""

    headline = "Сборка не начата."


class MailError(Exception):
    """The mail server could not be reached, or refused the login, the sender or the recipients (exit code 1).

    The message names the server (host:port) and never carries the password."""

    headline = "Письмо не отправлено."

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Interrupted(BaseException):
    """SIGTERM or Ctrl-C: a BaseException, so no stage's `except Exception` swallows it."""

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        super().__init__(signal_number)

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM


# One command per system that installs Pango with everything WeasyPrint loads beside it
# (GObject, HarfBuzz, Fontconfig, PangoFT2).
PANGO_INSTALL = (
    ("Debian/Ubuntu", "sudo apt install libpango-1.0-0 libpangoft2-1.0-0"),
    ("Fedora", "sudo dnf install pango"),
    ("macOS", "brew install pango"),
    ("Windows (MSYS2)", "pacman -S mingw-w64-x86_64-pango"),
)


class PdfEngineMissing(Exception):
    """WeasyPrint is installed, but the system libraries it lays out PDF with are not.

    WeasyPrint opens Pango and its companions when it is imported; without them the import
    raises OSError. This carries the missing library's name and how to install it.
    """

    def __init__(self, library: str | None, detail: str = "") -> None:
        self.library = library
        self.detail = detail
        super().__init__(self.message)

    @classmethod
    def from_os_error(cls, exc: OSError) -> PdfEngineMissing:
        # cffi says: cannot load library 'libpango-1.0-0': <the loader's reason>
        found = re.search(r"cannot load library '([^']+)'", str(exc))
        return cls(found.group(1) if found else None, str(exc))

    @property
    def message(self) -> str:
        if self.library:
            missing = f"не найдена системная библиотека «{self.library}»"
        else:
            missing = "не найдены системные библиотеки Pango"
        lines = [
            f"PDF не построен: {missing}, без которой WeasyPrint не может сверстать PDF.",
            "Установите Pango одной командой:",
            *(f"  {system}: {command}" for system, command in PANGO_INSTALL),
        ]
        if sys.platform == "darwin":
            lines.append(
                "Если Pango из Homebrew уже стоит, укажите, где его искать: "
                "export DYLD_FALLBACK_LIBRARY_PATH=$(brew --prefix)/lib"
            )
        lines.append("HTML-версия отчёта строится и без Pango: --format html.")
        return "\n".join(lines)


def os_reason(exc: OSError) -> str:
    """Why the system refused, in Russian."""
    reasons = {
        errno.EACCES: "нет прав на запись",
        errno.EPERM: "нет прав на запись",
        errno.EROFS: "файловая система только для чтения",
        errno.ENOSPC: "нет места на диске",
        errno.ENOTDIR: "часть пути — файл, а не папка",
        errno.ENAMETOOLONG: "слишком длинный путь",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))
