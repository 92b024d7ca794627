"""Optional stages switched off in the config: their sections, files and summary keys go with them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import small_build_config
from report_builder.build import build_report
from report_builder.results.report import StageTiming

pytestmark = pytest.mark.slow


def test_build_without_explanation_and_segments(tmp_path: Path, shared_cache: Path) -> None:
    config = small_build_config()
    config = config.model_copy(update={"stages": config.stages.model_copy(update={"explain": False, "segments": False})})
    timings: list[StageTiming] = []
    build_report(config, data_dir=None, out_dir=tmp_path / "out", cache_dir=shared_cache, on_stage=timings.append)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["report.html", "report.pdf", "summary.json"]
    ran = {t.stage for t in timings}
    assert {"search", "evaluation"} <= ran
    assert not ran & {"explanation", "scores", "segmentation", "recommendations", "customer_list", "customers_csv"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="models"' in html
    for section in ("explain", "segments", "recommendations"):
        assert f'id="{section}"' not in html
    assert "отключены в настройках" in html
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["drivers"] == [] and summary["segments"] == [] and summary["priority_segment"] is None
    assert summary["models"]
