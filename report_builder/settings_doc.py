"""The settings, described from the settings model itself: the effective values, a sample file, the README table.

Everything here walks `config.Config`, so a new setting appears in all three the moment it is declared.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from report_builder.config import DEFAULT_RULES, Config, OfferRule, RecommendationsConfig, SegmentRule

RULES = "recommendations.rules"
EXTRA = "segments.extra"
NOT_SET = "не задано"
REQUIRED = "обязательно"


@dataclass(frozen=True)
class Setting:
    path: str  # dotted, as in a settings file: «segments.threshold», «recommendations.rules.cart.cost»
    value: object
    default: object  # REQUIRED for a field a new rule must give
    description: str


def toml_value(value: object) -> str:
    """A value as TOML writes it; an open bound (None) is infinite, as TOML has no null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, BaseModel):
        return toml_value(value.model_dump())
    raise TypeError(f"no TOML form for {type(value).__name__}")


def shown(value: object) -> str:
    """A value for people: TOML's spelling, «не задано» for none."""
    if value is None:
        return NOT_SET
    if isinstance(value, tuple) and value and isinstance(value[0], SegmentRule):
        return "; ".join(f"{rule.name}: {toml_value(_bounds(rule.where))}" for rule in value)
    return toml_value(value)


def _bounds(where: dict[str, tuple[float | None, float | None]]) -> dict[str, list[float]]:
    return {column: [-math.inf if low is None else low, math.inf if high is None else high] for column, (low, high) in where.items()}


def _default(info: FieldInfo) -> object:
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return REQUIRED if info.default is PydanticUndefined else info.default


def _nested(info: FieldInfo) -> type[BaseModel] | None:
    kind = info.annotation
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def settings(config: Config) -> Iterator[Setting]:
    """Every setting of `config`: its dotted path, value, default and description.

    Offer rules are listed field by field under their names; the default of a field of a rule
    that is not one of the built-in ones is the field's own default.
    """
    yield from _walk(config, Config(), "")


def _walk(model: BaseModel, default: BaseModel, prefix: str) -> Iterator[Setting]:
    for name, info in type(model).model_fields.items():
        path = prefix + name
        value, base = getattr(model, name), getattr(default, name)
        if _nested(info) is not None:
            yield from _walk(value, base, path + ".")
        elif path == RULES:
            yield from _rules(value)
        else:
            yield Setting(path, value, base, info.description or "")


def _rules(rules: tuple[OfferRule, ...]) -> Iterator[Setting]:
    defaults = {rule.name: rule for rule in DEFAULT_RULES}
    for rule in rules:
        for name, info in OfferRule.model_fields.items():
            if name == "name":
                continue
            known = defaults.get(rule.name)
            default = getattr(known, name) if known else _default(info)
            yield Setting(f"{RULES}.{rule.name}.{name}", getattr(rule, name), default, info.description or "")


def described(path: str) -> str:
    """A setting's description for the main text (no setting names there): «recommendations.rules.cart.cost» ->
    «цена одного контакта в единицах прибыли (предложение «Напомнить о корзине»)»; an unknown path as it is."""
    parts = path.split(".")
    if path.startswith(RULES + ".") and len(parts) == 4:
        info = OfferRule.model_fields.get(parts[3])
        titles = {rule.name: rule.title for rule in Config().recommendations.rules}
        return f"{_first_clause(info.description)} (предложение «{titles.get(parts[2], parts[2])}»)" if info and info.description else path
    model: type[BaseModel] = Config
    for part in parts:
        info = model.model_fields.get(part)
        if info is None:
            return path
        nested = _nested(info)
        if nested is None:
            return _first_clause(info.description) if info.description else path
        model = nested
    return path


# --- a sample settings file ----------------------------------------------------------------------

EXAMPLES: dict[str, object] = {  # what a setting without a default could be set to, in the sample
    "segments.priority": "Ценные в зоне риска",
    "report.money_unit": "тыс. руб.",
    "history.url": "postgresql+psycopg://analyst@db.shop/reports",
    "mail.host": "smtp.shop.ru",
    "mail.user": "reports@shop.ru",
    "mail.sender": "reports@shop.ru",
    "recommendations.min_effect": 0.1,
    "recommendations.budget": 5000.0,
    "recommendations.revenue_to_money": 0.001,
    f"{RULES}.ИМЯ.cost": 0.5,
    f"{RULES}.ИМЯ.discount": 0.05,
}


def example_toml(config: Config | None = None) -> str:
    """A commented settings file holding every setting at its value in `config` (the defaults by default).

    `load_config` reads it unchanged into the same settings; a setting with no value is a comment.
    """
    config = config or Config()
    lines = [
        "# Настройки report_builder: все ключи с их значениями по умолчанию.",
        "# Оставьте только то, что меняете: всё, чего в файле нет, берётся по умолчанию.",
        "# Сборка с этим файлом: report-builder build --config этот_файл.toml",
        "",
    ]
    lines += _section(config, Config, "")
    return "\n".join(lines).rstrip("\n") + "\n"


def _comment(text: str) -> list[str]:
    return [f"# {text}"] if text else []


def _section(model: BaseModel, kind: type[BaseModel], prefix: str) -> list[str]:
    lines: list[str] = []
    tables: list[list[str]] = []
    for name, info in kind.model_fields.items():
        path = prefix + name
        value = getattr(model, name)
        inner = _nested(info)
        if inner is not None:
            tables.append(["", *_comment(info.description or ""), f"[{path}]", *_section(value, inner, path + ".")])
        elif path == RULES:
            tables.append(_rule_tables(value, info))
        elif path == EXTRA and not value:
            lines += [*_comment(info.description or ""), f"{name} = []"]
        elif path == EXTRA:
            tables.append(_extra_tables(value, info))
        elif path == "model.grids":
            tables.append(_grid_tables(value, info))
        elif value is None:
            example = EXAMPLES.get(path, "")
            lines += [*_comment(f"{info.description} ({NOT_SET})"), f"# {name} = {toml_value(example)}"]
        else:
            lines += [*_comment(info.description or ""), f"{name} = {toml_value(value)}"]
    return lines + [line for table in tables for line in table]


def _rule_tables(rules: tuple[OfferRule, ...], info: FieldInfo) -> list[str]:
    lines = ["", *_comment(info.description or "")]
    for number, rule in enumerate(rules):
        lines += [*([""] if number else []), f"[{RULES}.{rule.name}]"]
        for name, field in OfferRule.model_fields.items():
            if name == "name":
                continue
            value = getattr(rule, name)
            text = f"# {name} = {toml_value(EXAMPLES.get(f'{RULES}.ИМЯ.{name}', 0.0))}" if value is None else f"{name} = {toml_value(value)}"
            lines += [*(_comment(field.description or "") if number == 0 else []), text]
    kept = {rule.name for rule in rules}
    for rule in DEFAULT_RULES:
        if rule.name not in kept:
            lines += ["", f"[{RULES}.{rule.name}]", "enabled = false"]
    return lines


def _extra_tables(extra: tuple[SegmentRule, ...], info: FieldInfo) -> list[str]:
    lines = ["", *_comment(info.description or "")]
    for number, rule in enumerate(extra):
        lines += [*([""] if number else []), f"[[{EXTRA}]]"]
        for name, field in SegmentRule.model_fields.items():
            value = _bounds(rule.where) if name == "where" else getattr(rule, name)
            lines += [*_comment(field.description or ""), f"{name} = {toml_value(value)}"]
    return lines


def _grid_tables(grids: dict[str, dict[str, tuple[object, ...]]], info: FieldInfo) -> list[str]:
    lines = ["", *_comment(info.description or "")]
    if not grids:
        return [*lines, "# [model.grids.knn]", "# n_neighbors = [15, 25, 40, 60]"]
    for family, grid in grids.items():
        lines += [f"[model.grids.{family}]", *(f"{p} = {toml_value(list(v))}" for p, v in grid.items())]
    return lines


# --- the README table ----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table() -> str:
    """The settings reference of the README: every setting with its default and description.

    Offer rules are described once, field by field, for any rule name; extra segments likewise.
    """
    rows = ["| Настройка | По умолчанию | Что задаёт |", "| --- | --- | --- |"]
    for setting in settings(Config()):
        if setting.path.startswith(RULES + "."):
            continue
        if setting.path == EXTRA:
            rows.append(f"| `{EXTRA}` | `{_cell(shown(setting.default))}` | {_cell(setting.description)} |")
            for name, field in SegmentRule.model_fields.items():
                rows.append(f"| `{EXTRA}[].{name}` | {_cell(_default_cell(_default(field)))} | {_cell(field.description or '')} |")
            continue
        rows.append(f"| `{setting.path}` | {_cell(_default_cell(setting.default))} | {_cell(setting.description)} |")
        if setting.path == "recommendations.effect":  # the rules after the section's own settings
            rows += _rule_rows()
    return "\n".join(rows) + "\n"


def _rule_rows() -> list[str]:
    names = ", ".join(f"`{rule.name}`" for rule in DEFAULT_RULES)
    info = RecommendationsConfig.model_fields["rules"]
    rows = [f"| `{RULES}.ИМЯ` | {names} | {_cell(info.description or '')} |"]
    for name, field in OfferRule.model_fields.items():
        if name != "name":
            default = _default(field)
            cell = "обязательно у нового правила" if default == REQUIRED else _default_cell(default)
            rows.append(f"| `{RULES}.ИМЯ.{name}` | {_cell(cell)} | {_cell(field.description or '')} |")
    rows.append(f"| `{RULES}.ИМЯ.enabled` | `true` | `false` — правило отключено |")
    return rows


def _default_cell(value: object) -> str:
    if value == REQUIRED:
        return REQUIRED
    text = shown(value)
    return NOT_SET if value is None else f"`{text}`"


def _first_clause(description: str) -> str:
    """What a setting means, without the remark after «;» and without a bracket that names other settings."""
    clause = description.split(";")[0]
    return re.sub(r"\s*\([^()]*\b[a-z_]+\.[a-z_.\[\]]+[^()]*\)", "", clause).strip()
