"""The templates only print: no comparison, arithmetic, wording map or number of their own in their logic.

Every template is parsed with the report's own Jinja environment and its syntax tree walked. A number is
allowed only as the digits of a formatting filter (``value | num(2)``); everything else the templates show
comes from `say` (report_builder.report.narrative), the results or the settings.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jinja2 import nodes

from report_builder.report.narrative import say
from report_builder.report.render import environment

ARITHMETIC = (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Neg, nodes.Pos)
# Jinja tests that compare, by every name Jinja knows them under.
COMPARING_TESTS = {"eq", "equalto", "==", "ne", "!=", "gt", "greaterthan", ">", "ge", ">=", "lt", "lessthan", "<", "le", "<=", "sameas", "in"}
SELECTING_FILTERS = {"select", "reject", "selectattr", "rejectattr"}
FORMATTING_FILTERS = {"num", "pct"}  # their numeric argument is the number of digits shown


def templates() -> list[str]:
    return sorted(name for name in environment().list_templates() if name.endswith(".j2"))


def decisions(source: str) -> list[str]:
    """What the template decides instead of printing, one line per finding; empty for a template that only prints."""
    tree = environment().parse(source)
    digits = {id(arg) for f in tree.find_all(nodes.Filter) if f.name in FORMATTING_FILTERS for arg in _arguments(f)}
    found = []
    for node in _walk(tree):
        where = f"line {node.lineno}"
        if isinstance(node, nodes.Compare):
            found.append(f"{where}: comparison")
        elif isinstance(node, ARITHMETIC):
            found.append(f"{where}: arithmetic ({type(node).__name__})")
        elif isinstance(node, nodes.Dict):
            found.append(f"{where}: dict literal")
        elif isinstance(node, nodes.Test) and node.name in COMPARING_TESTS:
            found.append(f"{where}: comparing test «{node.name}»")
        elif isinstance(node, nodes.Filter) and node.name in SELECTING_FILTERS:
            tests = [a.value for a in _arguments(node) if isinstance(a, nodes.Const) and a.value in COMPARING_TESTS]
            found.extend(f"{where}: «{node.name}» compares with «{t}»" for t in tests)
        elif isinstance(node, nodes.Const) and _number(node.value) and id(node) not in digits:
            found.append(f"{where}: number {node.value!r}")
    return found


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arguments(node: nodes.Filter | nodes.Call) -> list[nodes.Node]:
    return [*node.args, *(k.value for k in node.kwargs)]


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _say_names(source: str) -> set[str]:
    """Every `say.<name>` a template uses."""
    tree = environment().parse(source)
    return {n.attr for n in tree.find_all(nodes.Getattr) if isinstance(n.node, nodes.Name) and n.node.name == "say"}


def _source(name: str) -> str:
    env = environment()
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def test_the_report_has_its_templates() -> None:
    names = templates()
    assert "report.html.j2" in names and "macros.html.j2" in names
    assert sum(n.startswith("partials/") for n in names) >= 12


@pytest.mark.parametrize("name", templates())
def test_a_template_only_prints(name: str) -> None:
    assert decisions(_source(name)) == [], name


@pytest.mark.parametrize("name", templates())
def test_a_template_calls_only_what_the_narrative_has(name: str) -> None:
    missing = sorted(n for n in _say_names(_source(name)) if not hasattr(say, n))
    assert missing == [], name


@pytest.mark.parametrize(
    ("source", "finding"),
    [
        ("{% if x > 1 %}много{% endif %}", "comparison"),
        ('{{ {"a": "b"}[k] }}', "dict literal"),
        ("{{ (share * 100) | num }}", "arithmetic (Mul)"),
        ("{{ -x }}", "arithmetic (Neg)"),
        ("{% for d in drivers[:3] %}{{ d }}{% endfor %}", "number 3"),
        ("{{ pair[0] }}", "number 0"),
        ('{{ flows | selectattr("source", "equalto", s) | list }}', "«selectattr» compares with «equalto»"),
        ("{% if rows is gt limit %}…{% endif %}", "comparing test «gt»"),
        ("{{ value | num(2 + 1) }}", "arithmetic (Add)"),
    ],
)
def test_the_check_finds_a_decision_in_a_template(source: str, finding: str) -> None:
    found = decisions(source)
    assert any(finding in f for f in found), found


def test_the_check_allows_digits_of_a_formatting_filter_and_plain_printing() -> None:
    assert decisions('{{ auc | num(3) }} {{ share | pct(1) }} {% if note %}<p>{{ note }}</p>{% endif %} {{ say.head(rows, v.config.max_table_rows) | length }}') == []
    assert decisions("{% for name, value in pairs %}{{ name }}{{ '; ' if not loop.last }}{% endfor %}") == []
