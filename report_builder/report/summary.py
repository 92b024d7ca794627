"""summary.json: the machine-readable digest of a build."""

from __future__ import annotations

from dataclasses import asdict

from report_builder.report import narrative
from report_builder.results.analysis import Explanation
from report_builder.results.backtest import Backtest
from report_builder.results.history import Comparison
from report_builder.results.report import ReportResults, StageTiming
from report_builder.results.segments import Recommendations, Segmentation


def build_summary(results: ReportResults, timings: tuple[StageTiming, ...]) -> dict[str, object]:
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
        "models": [
            {
                "name": m.family,
                "title": m.title,
                "cv_roc_auc_mean": round(m.cv_roc_auc_mean, 4),
                "cv_roc_auc_std": round(m.cv_roc_auc_std, 4),
                "test_roc_auc": round(m.test_roc_auc, 4),
                "test_roc_auc_ci95": [round(v, 4) for v in m.test_roc_auc_ci95],
                "best_params": m.best_params,
                "fit_seconds": round(m.fit_seconds, 2),
            }
            for m in results.search.scores
        ],
        "best_model": results.search.best,
        "threshold": results.evaluation.threshold,
        "best_f1_threshold": round(results.evaluation.best_f1_threshold, 4),
        "brier": round(results.evaluation.brier, 4),
        "calibrated": results.evaluation.calibrated,
        "calibration": results.evaluation.calibration_method,
        "calibration_error": round(results.evaluation.calibration_error, 4),
        "calibration_noise": round(results.evaluation.calibration_noise, 4),
        **_explanation(results.explanation),
        **_segments(results.segmentation, results.recommendations),
        "comparison": _comparison(results.comparison),
        "backtest": _backtest(results.backtest),
        "versions": run.versions,
        "seed": run.seed,
        "timings": [asdict(t) for t in timings],
    }


def _explanation(explanation: Explanation | None) -> dict[str, object]:
    if explanation is None:  # the stage is switched off in the config
        return {"explainer": None, "drivers": []}
    return {
        "explainer": explanation.explainer,
        "drivers": [
            {
                "feature": d.feature,
                "mean_abs_shap": round(d.mean_abs_shap, 5),
                "direction": d.direction,
                "risky_category": d.risky_category,
                "permutation_importance": round(d.permutation, 5),
            }
            for d in explanation.drivers
        ],
    }


def _segments(segmentation: Segmentation | None, recommendations: Recommendations | None) -> dict[str, object]:
    if segmentation is None or recommendations is None:
        return {"segments": [], "priority_segment": None, "value_threshold": None, "totals": None, "actions": []}
    return {
        "segments": [
            {
                "name": seg.name,
                "base": seg.base,
                "customers": seg.customers,
                "share": round(seg.share, 4),
                "mean_probability": round(seg.mean_probability, 4),
                "mean_profit": round(seg.mean_profit, 4),
                "profit_at_risk": round(seg.profit_at_risk, 2),
                "revenue_3m": round(seg.revenue_3m, 2),
                "offers": [o.title for o in recommendations.offers if o.segment == seg.name],
            }
            for seg in segmentation.segments
        ],
        "priority_segment": segmentation.priority,
        "value_threshold": round(segmentation.value_threshold, 6),
        "totals": _totals(segmentation),
        "control_group": {"customers": len(recommendations.control), "share_of_at_risk": recommendations.control_share},
        "actions": [
            {
                "title": a.title,
                "customers": a.customers,
                "profit_at_risk": round(a.profit_at_risk, 2),
                "segments": list(a.segments),
                "channels": list(a.channels),
                "owner": a.owner,
                "start": a.start,
                "unreachable": a.unreachable,
            }
            for a in recommendations.actions
        ],
    }


def _totals(segmentation: Segmentation) -> dict[str, float]:
    totals = segmentation.totals
    return {
        "profit_at_risk_all": round(totals.profit_at_risk_all, 2),
        "profit_at_risk_zone": round(totals.profit_at_risk_zone, 2),
        "quarter_profit": round(totals.quarter_profit, 2),
        "share_of_quarter_profit": round(totals.share_of_quarter_profit, 4),
    }


def _comparison(comparison: Comparison | None) -> dict[str, object] | None:
    """In the spirit of `dvc metrics diff --json`: old, new and change for every headline number."""
    if comparison is None:
        return None
    return {
        "reference_period": comparison.reference_period,
        "metrics": [
            {"name": m.name, "old": round(m.old, 4), "new": round(m.new, 4), "change": round(m.change, 4),
             "unit": "percentage points" if m.unit == "pp" else "relative", "verdict": m.verdict}
            for m in comparison.metrics
        ],
        "migration": [
            {"from": f.source, "to": f.target, "customers": f.customers, "profit_at_risk": round(f.profit_at_risk, 2)}
            for f in comparison.migration
        ],
        "drift": [
            {"feature": d.feature, "statistic": d.statistic, "value": round(d.value, 4), "level": d.level,
             "new_categories": list(d.new_categories), "vanished_categories": list(d.vanished_categories)}
            for d in comparison.drift
        ],
        "model": {"then": comparison.model_then, "cv_roc_auc_then": round(comparison.auc_then, 4),
                  "now": comparison.model_now, "cv_roc_auc_now": round(comparison.auc_now, 4)},
        "method_changes": list(comparison.method_changes),
    }


def _backtest(backtest: Backtest | None) -> dict[str, object] | None:
    if backtest is None:
        return None
    return {
        "reference_period": backtest.reference_period,
        "customers": backtest.customers,
        "roc_auc": round(backtest.roc_auc, 4),
        "roc_auc_ci95": [round(v, 4) for v in backtest.roc_auc_ci95],
        "cv_roc_auc_then": round(backtest.cv_roc_auc_then, 4),
        "brier": round(backtest.brier, 4),
        "predicted_rate": round(backtest.predicted_rate, 4),
        "actual_rate": round(backtest.actual_rate, 4),
        "precision": round(backtest.precision, 4),
        "recall": round(backtest.recall, 4),
        "retrain": backtest.retrain,
        "groups": [{"name": g.name, "customers": g.customers, "actual_rate": round(g.actual_rate, 4)} for g in backtest.groups],
        "uplift": None if backtest.uplift is None else round(backtest.uplift, 4),
        "uplift_ci95": None if backtest.uplift_ci95 is None else [round(v, 4) for v in backtest.uplift_ci95],
        "verdict": narrative.uplift_verdict(backtest),
    }
