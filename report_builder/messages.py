"""Russian wording of the libraries' own errors: command-line usage (click) and settings (pydantic)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pydantic import ValidationError

from typer._click import exceptions as click  # typer ships its own copy of click

_TYPES = {
    "int": "целое число",
    "integer": "целое число",
    "float": "число",
    "boolean": "да или нет (true / false)",
    "text": "текст",
    "path": "путь",
}


CLOSENESS = 0.6  # difflib's ratio from which a name counts as a misspelling of a known one


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name a misspelt one most likely meant, or None: the one rule for settings, sections and commands."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=CLOSENESS)
    return found[0] if found else None


def russian_usage_error(exc: click.UsageError) -> click.UsageError:
    """The same error with a Russian message; the context (and so the usage line) is kept."""
    return click.UsageError(_usage_text(exc), ctx=exc.ctx)


def _usage_text(exc: click.UsageError) -> str:
    if isinstance(exc, click.NoSuchOption):
        text = f"нет такого параметра: {exc.option_name}"
        if exc.possibilities:
            text += "; возможно, имелся в виду " + ", ".join(sorted(exc.possibilities))
        return text
    if isinstance(exc, click.BadOptionUsage):
        return f"параметру {exc.option_name} нужно значение"
    if isinstance(exc, click.MissingParameter):
        return f"не задан обязательный параметр {_name(exc.param)}"
    if isinstance(exc, click.BadParameter):
        cause = exc.__cause__
        if isinstance(cause, ValidationError):  # typer converts values with pydantic
            first = cause.errors()[0]
            return f"неверное значение параметра {_name(exc.param)}: {russian_setting_error(dict(first))} (указано: {first['input']})"
        return f"неверное значение параметра {_name(exc.param)}: {_bad_value(exc.message)}"
    message = exc.message
    if message.startswith("No such command"):
        if "'" not in message:
            return "нет такой команды"
        name = message.split("'")[1]
        group = getattr(exc.ctx, "command", None)
        known = group.list_commands(exc.ctx) if exc.ctx is not None and hasattr(group, "list_commands") else []
        guess = closest(name, known)
        return f"нет такой команды: {name}" + (f"; возможно, имелось в виду {guess}" if guess else "")
    if message.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)\s*$", message)
        return "лишние аргументы: " + (found.group(1) if found else message)
    return "неверная команда: " + message


def _name(param: object) -> str:
    opts = getattr(param, "opts", None)
    return opts[0] if opts else "?"


def _bad_value(message: str) -> str:
    """typer's conversion messages, in Russian: the value given and what was expected."""
    found = re.match(r"Value (.+) is not a valid (\w+)", message)
    if found:
        return f"{found.group(1)} — ожидается {_TYPES.get(found.group(2), found.group(2))}"
    found = re.match(r"(.+) is not in the range (.+)\.$", message)
    if found:
        bounds = found.group(2).replace("x>=", "не меньше ").replace("x<=", "не больше ").replace("<=x<=", " … ")
        return f"{found.group(1)} вне допустимого диапазона ({bounds})"
    return message


# --- settings files ------------------------------------------------------------------------------

_TOML = (  # the beginning of tomllib's message -> what it means
    ("Expected ']' at the end of a table", "заголовок раздела не закрыт: нужна «]»"),
    ("Expected ']' at the end of an array", "заголовок раздела [[…]] не закрыт: нужны «]]»"),
    ("Expected '=' after a key", "после названия настройки нужен знак «=»"),
    ("Invalid value", "значение не распознано: текст берут в кавычки, списки — в квадратные скобки, true и false пишут строчными"),
    ("Cannot overwrite a value", "настройка задана дважды"),
    ("Cannot declare", "раздел объявлен дважды"),
    ("Cannot mutate", "раздел или значение задано дважды"),
    ("Unterminated string", "текст не закрыт кавычкой"),
    ("Unclosed array", "список не закрыт: нужна «]»"),
    ("Unclosed inline table", "раздел в фигурных скобках не закрыт: нужна «}»"),
    ("Expected newline or end of document", "после значения в строке ничего не должно быть, кроме комментария #"),
    ("Invalid initial character for a key", "название настройки начинается с недопустимого знака"),
    ("Invalid statement", "строка не похожа ни на «ключ = значение», ни на [раздел]"),
    ("Illegal character '\\n'", "текст не закрыт кавычкой до конца строки"),
    ("Illegal character", "недопустимый знак"),
    ("Invalid hex value", "неверная escape-последовательность в тексте"),
    ("Unescaped", "неверная escape-последовательность в тексте"),
)
_YAML = (
    ("mapping values are not allowed", "двоеточие здесь недопустимо: текст с двоеточием берут в кавычки"),
    ("expected ',' or ']'", "список не закрыт: нужна «]»"),
    ("expected ',' or '}'", "раздел в фигурных скобках не закрыт: нужна «}»"),
    ("found unexpected end of stream", "файл кончился раньше, чем закрылась кавычка или скобка"),
    ("expected <block end>", "нарушены отступы"),
    ("could not find expected ':'", "после названия настройки нужно двоеточие"),
    ("found character '\\t'", "табуляция в отступе: отступы делают пробелами"),
    ("found duplicate anchor", "метка & задана дважды"),
    ("found undefined alias", "ссылка * на неизвестную метку"),
)
_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


def russian_parse_error(exc: Exception, text: str) -> str:
    """A TOML or YAML parser's error as a Russian phrase with the line and column, no library text."""
    import tomllib

    import yaml

    if isinstance(exc, tomllib.TOMLDecodeError):
        message = str(exc)
        what = next((ru for en, ru in _TOML if message.startswith(en)), "нарушена разметка TOML")
        place = _TOML_PLACE.search(message)
        if place:
            return f"{what} (строка {place.group(1)}, столбец {place.group(2)})"
        return f"{what} (в конце файла, строка {max(len(text.splitlines()), 1)})"
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        problem = str(exc.problem or "")
        what = next((ru for en, ru in _YAML if problem.startswith(en)), "нарушена разметка YAML")
        return f"{what} (строка {exc.problem_mark.line + 1}, столбец {exc.problem_mark.column + 1})"
    return "нарушена разметка YAML"


# --- settings ------------------------------------------------------------------------------------

_PYDANTIC = {
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число, без дробной части",
    "float_parsing": "ожидается число",
    "float_type": "ожидается число",
    "bool_parsing": "ожидается true или false",
    "bool_type": "ожидается true или false",
    "string_type": "ожидается текст в кавычках",
    "list_type": "ожидается список значений в квадратных скобках",
    "tuple_type": "ожидается список значений в квадратных скобках",
    "dict_type": "ожидается раздел настроек",
    "model_type": "ожидается раздел настроек",
    "model_attributes_type": "ожидается раздел настроек",
    "missing": "обязательная настройка не задана",
    "extra_forbidden": "такой настройки нет",
    "finite_number": "ожидается конечное число",
    "too_short": "слишком мало значений",
    "too_long": "слишком много значений",
}

_BOUNDS = {
    "greater_than": "должно быть больше {gt}",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than": "должно быть меньше {lt}",
    "less_than_equal": "должно быть не больше {le}",
}


def _number(value: object) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, int | float) else str(value)


def russian_setting_error(error: dict[str, object]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as a Russian phrase."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    assert isinstance(context, dict)
    if kind in _BOUNDS:
        return "значение " + _BOUNDS[kind].format(**{k: _number(v) for k, v in context.items()})
    if kind == "literal_error":
        return "допустимы только " + str(context.get("expected", "")).replace(" or ", " или ")
    if kind == "value_error":
        return str(context.get("error", error.get("msg", "")))
    return _PYDANTIC.get(kind, f"неверное значение ({kind})")
