"""summary.json: the machine-readable digest of a build."""

from __future__ import annotations

from dataclasses import asdict

from report_builder.results.report import ReportResults


def build_summary(results: ReportResults) -> dict[str, object]:
    run, data = results.run, results.data
    return {
        "period": run.period,
        "built_at": run.built_at,
        "data": {
            "customers_in": data.customers_in,
            "customers_used": data.customers_used,
            "target_counts": data.target_counts,
            "fixes": [
                {"what": f.what, "column": f.column, "rows": f.rows, "action": f.action, "file": f.file}
                for f in data.fixes
            ],
            "sources": [{"file": s.file, "rows": s.rows, "sha256": s.sha256} for s in data.sources],
            "new_categories": {k: list(v) for k, v in data.new_categories.items()},
        },
        "versions": run.versions,
        "seed": run.seed,
        "timings": [asdict(t) for t in results.timings],
    }
