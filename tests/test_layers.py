"""The render layer reads result objects only: nothing under report_builder/report imports a stage."""

from __future__ import annotations

import ast
from pathlib import Path

import report_builder

REPORT = Path(report_builder.__file__).parent / "report"


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_render_layer_never_imports_stages() -> None:
    offenders = {str(p.relative_to(REPORT)): sorted(m for m in imported(p) if m.startswith("report_builder.stages"))
                 for p in REPORT.rglob("*.py")}
    assert not {k: v for k, v in offenders.items() if v}


def test_the_check_sees_an_import_of_a_stage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from report_builder.stages.compare import NEW\n", encoding="utf-8")
    assert imported(bad) == {"report_builder.stages.compare"}
