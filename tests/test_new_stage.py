"""The README's example stage, added to a copy of the project with exactly four touches, reaches every document."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```(?:python|jinja)\n(.*?)```", re.S)


def readme_blocks() -> dict[str, str]:
    """The README's example, keyed by the file named on each block's first line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {}
    for block in BLOCK.findall(text):
        first, _, body = block.partition("\n")
        name = re.search(r"(report_builder/\S+\.py|templates/\S+\.j2)", first)
        if name and "trend" in block:
            found[name.group(1)] = body
    return found


def test_the_readme_stage_takes_four_touches_and_appears_everywhere(tmp_path: Path, shared_cache: Path) -> None:
    blocks = readme_blocks()
    assert set(blocks) == {"report_builder/results/trend.py", "report_builder/stages/trend.py",
                           "report_builder/pipeline.py", "templates/partials/trend.html.j2"}
    copy = tmp_path / "project"
    for part in ("report_builder", "templates", "data"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    # Touches 1–2: the result type and the stage module.
    (copy / "report_builder/results/trend.py").write_text('"""Revenue by month."""\n\n' + blocks["report_builder/results/trend.py"], encoding="utf-8")
    (copy / "report_builder/stages/trend.py").write_text('"""Revenue by month."""\n\n' + blocks["report_builder/stages/trend.py"], encoding="utf-8")
    # Touch 3: the import and the line in the table, before the documents.
    importing, line = blocks["report_builder/pipeline.py"].strip("\n").split("\n")
    pipeline = copy / "report_builder/pipeline.py"
    text = pipeline.read_text(encoding="utf-8")
    anchor = "        # The documents:"
    assert anchor in text
    text = text.replace("from report_builder.stages.validate import validate_tables", "from report_builder.stages.validate import validate_tables\n" + importing)
    pipeline.write_text(text.replace(anchor, line + "\n" + anchor), encoding="utf-8")
    # Touch 4: the section's partial.
    (copy / "templates/partials/trend.html.j2").write_text(blocks["templates/partials/trend.html.j2"], encoding="utf-8")

    out = tmp_path / "out"
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from pathlib import Path
from conftest import small_build_config
from report_builder.build import build_report
config = small_build_config()
build_report(config, out_dir=Path({str(out)!r}), cache_dir=Path({str(shared_cache)!r}), use_history=False)
"""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["revenue_trend"]["months"] == ["Выручка_препредыдущий_месяц", "Выручка_предыдущий_месяц", "Выручка_текущий_месяц"]
    assert len(summary["revenue_trend"]["declined"]) == 3
    html = (out / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<section class="section" id="trend">\s*<h2>Выручка по месяцам</h2>', html)
    assert "Выручка в позапрошлом месяце" in html  # the partial's table, months printed by their labels
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    assert "Выручка по месяцам" in text
