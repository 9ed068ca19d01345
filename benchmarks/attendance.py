"""The attendance benchmark (issue 6 item 6).

``python -m benchmarks.attendance`` measures, part 1, one year of attendance for 15,000 workers
(125 working days each, clock-in and clock-out: 3,750,000 records) ingested through
``Attendance.record_many`` and anchored: every scan's contract ownership, worksite, QR code
(HMAC of its window) and window-against-device-time are checked, every record is stored as its
canonical bytes with its MAC, and batches are sealed onto the ledger as the policy says (every
1,000 records or 300 s per employer), one ``attendance.batch.sealed`` entry each, signed by
the employer's platform-held key and durably committed. The clock is simulated: each working
day's clock-ins arrive at 09:00 and clock-outs at 18:00 Seoul time, in one call per half-day.
Target: under 10 minutes. Prints records/s, batches, total seconds and the database size.

The contracts come from an in-memory source (``BenchContracts``) rather than 15,000 concluded
labour contracts: concluding them end to end is what ``benchmarks.labor`` measures. Part 2
(wage statements) plugs into ``run_statements``.

``--quick`` (200 workers, one month) is a smoke run under 30 s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.identity import cpu_name
from blockcity.config import Config
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.node import Node
from blockcity.services.attendance import Attendance, ContractTerms, RecordKind, Scan
from blockcity.services.attendance.qr import code, window_of
from blockcity.services.labor.model import Weekday, WorkDay

TARGET_S = 600.0
WORKERS_PER_EMPLOYER = 50
CHEAP = HashingCost(time_cost=1, memory_kib=1024)


@dataclass
class Settings:
    workers: int = 15_000
    days: int = 250
    """Working days of the employers' calendar; each worker works every other one."""


class BenchContracts:
    """Concluded contracts held in memory: one per worker, 50 workers per employer."""

    def __init__(self) -> None:
        self.by_id: dict[str, ContractTerms] = {}

    def terms(self, contract_id: str) -> ContractTerms | None:
        return self.by_id.get(contract_id)

    def contract_ids(self, worker_did: str) -> list[str]:
        return [t.contract_id for t in self.by_id.values() if t.worker_did == worker_did]


def working_days(start: date, count: int) -> list[date]:
    days = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class SimClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def run_ingest(settings: Settings, folder: Path) -> dict[str, Any]:
    """Part 1: a year of attendance ingested and anchored."""
    days = working_days(date(2026, 1, 1), settings.days)
    clock = SimClock(datetime(2025, 12, 31, 0, 0, tzinfo=UTC))
    node = Node.open(Config(data_dir=folder / "data"), clock=clock)
    try:
        node.seoul_pass.accounts.passwords = Passwords(CHEAP)
        owner = node.seoul_pass.accounts.create("owner", "a long pass phrase", "사장")
        contracts = BenchContracts()
        attendance = Attendance(
            folder / "data" / "bench-attendance.sqlite",
            master=node.master,  # type: ignore[arg-type]
            seoul_pass=node.seoul_pass,
            vault=node.vault,
            ledger=node.ledger,
            submit_many=node.submit_many,
            contracts=contracts,
            organization_did=node._organization_did,
            signer=node.credentials.issuer_signer,
            public_url=node.config.public_url,
            clock=clock,
        )
        setup = time.perf_counter()
        schedule = {
            weekday: WorkDay.model_validate({"start": "09:00", "end": "18:00", "break_minutes": 60})
            for weekday in list(Weekday)[:5]
        }
        workers: list[tuple[ContractTerms, str, bytes]] = []
        for e in range((settings.workers + WORKERS_PER_EMPLOYER - 1) // WORKERS_PER_EMPLOYER):
            organization = node.seoul_pass.organizations.create(owner, f"사업장 {e}", "business")
            node._organization_did(organization.id)
            site = attendance.worksite(owner, organization.id, f"매장 {e}")
            secret = attendance._secret(site.id)
            for w in range(min(WORKERS_PER_EMPLOYER, settings.workers - len(workers))):
                terms = ContractTerms(
                    contract_id=f"c-{e}-{w}",
                    organization_id=organization.id,
                    worker_did=did_key_from_public(SigningKey.generate().public),
                    workplace=site.label,
                    days=schedule,
                    period=None,
                )
                contracts.by_id[terms.contract_id] = terms
                workers.append((terms, site.id, secret))
        setup_s = time.perf_counter() - setup
        records = 0
        refused = 0
        calls = 0
        started = time.perf_counter()
        policy = attendance.policy
        for index, day in enumerate(days):
            present = [w for i, w in enumerate(workers) if (i + index) % 2 == 0]
            for kind, hour in ((RecordKind.CLOCK_IN, 0), (RecordKind.CLOCK_OUT, 9)):
                # 09:00 and 18:00 in Seoul (UTC+9); scans spread over 25 s of one window.
                base = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                scans = []
                for i, (terms, site, secret) in enumerate(present):
                    device_at = base + timedelta(seconds=i % 25)
                    window = window_of(device_at, policy)
                    scans.append(
                        Scan(
                            terms.worker_did,
                            terms.contract_id,
                            kind,
                            site,
                            window,
                            code(secret, site, window, policy),
                            device_at,
                        )
                    )
                clock.now = base + timedelta(seconds=40)
                results = attendance.record_many(scans)
                calls += 1
                refused += sum(1 for r in results if isinstance(r, Exception))
                records += len(results)
        clock.now += timedelta(hours=1)
        attendance.seal()
        total = time.perf_counter() - started
        batches = attendance.db.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
        attendance.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(p.stat().st_size for p in (folder / "data").glob("bench-attendance.sqlite*"))
        audit_started = time.perf_counter()
        audit_ok = attendance.audit().ok if settings.workers <= 1_000 else None
        audit_s = time.perf_counter() - audit_started
        attendance.close()
        return {
            "workers": settings.workers,
            "employers": len({t.organization_id for t, _, _ in workers}),
            "working_days": settings.days,
            "records": records,
            "refused": refused,
            "calls": calls,
            "batches": batches,
            "seconds": total,
            "records_per_second": records / total if total else 0.0,
            "setup_seconds": setup_s,
            "db_bytes": size,
            "ledger_entries": node.ledger.size,
            "audit_ok": audit_ok,
            "audit_seconds": audit_s if audit_ok is not None else None,
        }
    finally:
        node.close()


def run_statements(settings: Settings, folder: Path) -> dict[str, Any] | None:
    """Part 2: the wage statements of every worker for one month, computed, stored and
    anchored (``benchmarks.wages_part``; PDFs are made on demand and not counted)."""
    from benchmarks.wages_part import run_statements as statements_for

    return statements_for(settings.workers)


def report(ingest: dict[str, Any], statements: dict[str, Any] | None, quick: bool) -> str:
    full = 15_000 * 125 * 2
    projected = ingest["seconds"] / ingest["records"] * full if ingest["records"] else 0.0
    lines = [
        f"machine: {cpu_name()}",
        f"attendance ingest: {ingest['records']:,} records ({ingest['workers']:,} workers, "
        f"{ingest['employers']} employers, {ingest['working_days']} working days, "
        f"{ingest['calls']} record_many calls) in {ingest['seconds']:.1f} s = "
        f"{ingest['records_per_second']:,.0f} records/s; refused {ingest['refused']}",
        f"batches sealed on the ledger: {ingest['batches']:,} "
        f"(ledger entries in all: {ingest['ledger_entries']:,})",
        f"attendance database: {ingest['db_bytes'] / 1e6:,.1f} MB "
        f"({ingest['db_bytes'] / max(ingest['records'], 1):.0f} bytes per record)",
        f"setup (employers' DIDs and worksites, not counted): {ingest['setup_seconds']:.1f} s",
    ]
    if ingest["audit_ok"] is not None:
        lines.append(f"audit: ok={ingest['audit_ok']} in {ingest['audit_seconds']:.1f} s")
    target_line = (
        f"projected for {full:,} records: {projected:.0f} s (target {TARGET_S:.0f} s)"
        if quick
        else f"target: {TARGET_S:.0f} s -> {'PASS' if ingest['seconds'] < TARGET_S else 'FAIL'}"
    )
    lines.append(target_line)
    if statements is not None:
        lines.append(json.dumps(statements, ensure_ascii=False))
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> tuple[Settings, bool]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="200 workers, one month")
    parser.add_argument("--workers", type=int, default=15_000)
    parser.add_argument("--days", type=int, default=250)
    args = parser.parse_args(argv)
    if args.quick:
        return Settings(workers=200, days=21), True
    return Settings(workers=args.workers, days=args.days), False


def main(argv: Sequence[str] | None = None) -> None:
    settings, quick = parse(argv)
    with tempfile.TemporaryDirectory() as folder:
        ingest = run_ingest(settings, Path(folder) / "ingest")
        statements = run_statements(settings, Path(folder) / "statements")
    print(report(ingest, statements, quick))


if __name__ == "__main__":
    main()
