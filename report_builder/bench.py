"""Stage timings on the real data (or any folder): cold cache, then warm cache.

    python -m report_builder.bench [--data DIR] [--customers N]

With --customers, a generated demo set of that size is timed instead.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report_builder.build import build_report
from report_builder.config import load_config
from report_builder.results.report import StageTiming

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "market"


def _run(config: object, data: Path, out: Path, cache: Path) -> tuple[list[StageTiming], float]:
    timings: list[StageTiming] = []
    start = time.perf_counter()
    build_report(config, data, out, "bench", cache, on_stage=timings.append)  # type: ignore[arg-type]
    return timings, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REAL)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--profile", action="store_true", help="include the ydata-profiling appendix")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rb-bench-"))
    try:
        data = args.data
        if args.customers:
            from report_builder.demo_data import write_demo

            data = work / "data"
            write_demo(data, customers=args.customers)
        if not data.is_dir():
            raise SystemExit(f"нет папки с данными: {data}")
        config = load_config(None, **{"report.profile": args.profile})
        cold, cold_total = _run(config, data, work / "cold", work / "cache")
        warm, warm_total = _run(config, data, work / "warm", work / "cache")
        command = [sys.executable, "-m", "report_builder", "build", "--data", str(data), "--output", str(work / "cli"),
                   "--cache-dir", str(work / "cache"), "--period", "bench"]
        command += ["--profile"] if args.profile else ["--no-profile"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cli_warm = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Данные: {data}")
    print(f"{'Этап':<36}{'холодный кэш, с':>18}{'тёплый кэш, с':>16}")
    warm_by = {t.stage: t for t in warm}
    for t in cold:
        w = warm_by.get(t.stage)
        print(f"{t.title:<36}{t.seconds:>18.2f}{(w.seconds if w else float('nan')):>16.2f}")
    analysis = sum(t.seconds for t in cold if t.stage in {"models", "evaluate", "explain"})
    print(f"{'Поиск, оценка и SHAP вместе':<36}{analysis:>18.2f}")
    print(f"{'Вся сборка в одном процессе':<36}{cold_total:>18.2f}{warm_total:>16.2f}")
    print(f"{'Команда report-builder build':<36}{'':>18}{cli_warm:>16.2f}")


if __name__ == "__main__":
    main()
