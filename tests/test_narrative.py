"""The narrative package: `say` is built from its section modules, and a name two modules define stops the import.

The words of each section are tested in test_narrative_<section>.py, one file per module, without rendering.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from types import ModuleType

import pytest

from report_builder.report import narrative
from report_builder.report.narrative import build_namespace, defined_names, say, section_modules

SECTIONS = {"common", "summary", "causes", "data", "eda", "correlation", "models", "explain", "forecast", "segments",
            "recommendations", "plan", "effects", "changes", "drift", "backtest", "dynamics", "methodology"}
FIRST = """from math import floor

LIMIT = 3


def verdict(x):
    return floor(x)


def _private():
    pass
"""


def _module(folder: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A module written to `folder` and imported under `name` for this test only."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, name, raising=False)
    module = importlib.import_module(name)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_there_is_a_module_per_section_each_readable_at_once() -> None:
    modules = section_modules()
    assert {m.__name__.rsplit(".", 1)[1] for m in modules} == SECTIONS
    for module in modules:
        assert len(inspect.getsource(module).splitlines()) <= 150, module.__name__


def test_say_holds_every_public_name_each_module_defines_and_nothing_it_imports() -> None:
    from report_builder.report.narrative import causes, models, summary

    assert say.auc_verdict is summary.auc_verdict and say.PLAIN is causes.PLAIN
    assert say.confusion_counts is models.confusion_counts and say.ConfusionCounts is models.ConfusionCounts
    assert not hasattr(say, "num") and not hasattr(say, "label") and not hasattr(say, "Contrast")  # imported, not defined
    assert not any(name.startswith("_") for name in vars(say))
    assert sum(len(defined_names(m)) for m in section_modules()) == len(vars(say))


def test_a_name_defined_in_two_modules_stops_the_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _module(tmp_path, "say_first", FIRST, monkeypatch)
    second = _module(tmp_path, "say_second", "from say_first import verdict\n\n\ndef reading():\n    return verdict(1.5)\n", monkeypatch)
    assert sorted(vars(build_namespace([first, second]))) == ["LIMIT", "reading", "verdict"]  # an import is no definition
    twice = _module(tmp_path, "say_twice", "def verdict(x):\n    return x\n", monkeypatch)
    with pytest.raises(ImportError, match=r"'verdict' is defined in both say_first and say_twice"):
        build_namespace([first, twice])


def test_the_renderer_offers_this_namespace_to_the_templates() -> None:
    from report_builder.report.render import environment

    assert environment().globals["say"] is narrative.say
