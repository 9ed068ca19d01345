"""Wage statements benchmark (issue 6 item 6, part 2): the March 2026 statements of every
worker of one employer, computed from contract and attendance, stored, and anchored with
``submit_many`` (one durable block holds many entries). PDFs are rendered on demand when a
worker opens one, so they are not in this figure.

``python -m benchmarks.wages_part`` runs 15,000 workers (target: under 60 s); ``--quick`` runs
200 in well under 30 s. The contracts are concluded first through the labour service, exactly
as ``benchmarks.labor`` does; that set-up is timed separately and not part of the figure. The
attendance is a full month of Monday-to-Friday shifts from the attendance service's API shape.
This function is meant to be wired into ``benchmarks/attendance.py`` as ``run_statements``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.labor import contracts_end_to_end, labor_node
from blockcity.errors import BlockcityError
from blockcity.services.attendance import Shift
from blockcity.services.wages import EmployerEntered

_SEOUL = ZoneInfo("Asia/Seoul")
_BATCH = 1000


def _month_shifts(contract_id: str, start: date, end: date) -> list[Shift]:
    day, shifts = start, []
    while day <= end:
        if day.weekday() < 5:
            begin = datetime.combine(day, clock_time(9), _SEOUL)
            shifts.append(Shift(day, begin, begin + timedelta(hours=9), 60, True, False))
        day += timedelta(days=1)
    return shifts


def run_statements(workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, labor_node(Path(tmp)) as (node, manager, org):
        started = time.perf_counter()
        contracts_end_to_end(node, manager, org, workers)
        setup_s = time.perf_counter() - started
        ids = [c.id for c in node.labor.for_organization(manager.account, org)]
        node.wages.shifts = _month_shifts
        taxes = EmployerEntered(income_tax=30_000, local_income_tax=3_000)
        started = time.perf_counter()
        failed = 0
        for first in range(0, len(ids), _BATCH):
            chunk = [(cid, taxes) for cid in ids[first : first + _BATCH]]
            results = node.wages.issue_many(
                manager.account, chunk, 2026, 3, industry="construction"
            )
            failed += sum(isinstance(r, BlockcityError) for r in results)
        seconds = time.perf_counter() - started
    return {
        "workers": workers,
        "statements": len(ids) - failed,
        "failed": failed,
        "setup_contracts_s": round(setup_s, 1),
        "statements_s": round(seconds, 2),
        "statements_per_s": round((len(ids) - failed) / seconds, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 workers, under 30 s")
    args = parser.parse_args(argv)
    result = run_statements(200 if args.quick else 15_000)
    for key, value in result.items():
        print(f"{key}: {value}")
    target = (
        ""
        if args.quick
        else f" (target < 60 s: {'met' if result['statements_s'] < 60 else 'MISSED'})"
    )
    print(
        f"wage statements for {result['statements']} workers, one month: "
        f"{result['statements_s']} s{target}; PDFs on demand, not in this figure"
    )


if __name__ == "__main__":
    main()
