"""The ledger benchmark: durable append, signed ingest, proofs and memory, side by side with
pymerkle 7 on the same entries.

``python -m benchmarks.ledger`` runs it in full (each figure the median of three runs at
1,000,000 entries); ``--quick`` is a smoke run. Every measurement runs in a fresh process, so
none warms another's caches; benchmarks/README.md says what each figure means.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from benchmarks._pymerkle_peer import latency, make_entries, paths_digest, proof_samples
from blockcity.config import Config
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.errors import BlockcityError
from blockcity.ledger.entries import sign_entry
from blockcity.ledger.log import Ledger
from blockcity.ledger.note import Signer
from blockcity.ledger.store import NewEntry, open_sqlite
from blockcity.node import Node
from blockcity.services.notices import NOTICE_PUBLISHED, NoticePublished

BENCH_VENV = Path(__file__).resolve().parents[1] / ".bench-venv"
PEER_SCRIPT = Path(__file__).resolve().with_name("_pymerkle_peer.py")
PEER_REQUIREMENT = "pymerkle>=7,<8"

ORIGIN = "bench.blockcity.example"
LOG_SEED = bytes(range(32))
PUBLISHER_SEED = bytes(range(32, 64))
ENTRY_SEED = 2026
PROOF_SEED = 9162
PAYLOAD_CHARS = 72
"""Hex characters of random payload: with the index, an entry is about 100 bytes."""
BLOCK_ENTRIES = 10_000
"""Entries per appended block, each one durable SQLite transaction."""
SUBMIT_BATCH = 1_000
"""Signed entries per ``Node.submit_many`` call."""

APPEND_TARGET = 150_000
APPEND_RATIO_TARGET = 1.3
INGEST_TARGET = 4_000
PROOF_TARGET_MS = 0.2
PROOF_RATIO_TARGET = 10.0
RSS_TARGET_MB = 300
TARGET_SIZE = 1_000_000
"""The tree size at which the issue set the targets."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Settings:
    entries: int
    runs: int
    samples: int
    signed: int
    peer: bool
    quick: bool


def _open_ledger(data_dir: Path) -> Ledger:
    signer = Signer.from_seed(ORIGIN, LOG_SEED)
    return Ledger(open_sqlite(data_dir), ORIGIN, signer.verifier_key(), signer=signer)


def append_raw(data_dir: Path, count: int) -> dict[str, Any]:
    """Append ``count`` raw entries in durable blocks; time only the appends, every commit in.

    Entries are made one block at a time outside the clock, so the process never holds the
    log, and its peak RSS is the ledger's own.
    """
    ledger = _open_ledger(data_dir)
    elapsed = 0.0
    for start in range(0, count, BLOCK_ENTRIES):
        stop = min(start + BLOCK_ENTRIES, count)
        made = make_entries(start, stop, seed=ENTRY_SEED, payload_chars=PAYLOAD_CHARS)
        batch = [NewEntry(data) for data in made]
        began = time.perf_counter()
        ledger.append(batch)
        elapsed += time.perf_counter() - began
    root = ledger.root().hex()
    ledger.close()
    # Linux reports ru_maxrss in KiB.
    peak_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"append_per_s": count / elapsed, "peak_rss_mb": peak_bytes / 1e6, "root": root}


def prove(data_dir: Path, size: int, samples: int) -> dict[str, Any]:
    """Prove at pymerkle's challenges from a store just opened: no tile is cached yet."""
    ledger = _open_ledger(data_dir)
    if ledger.size != size:
        raise RuntimeError(f"the ledger holds {ledger.size} entries, expected {size}")
    inclusion, consistency = proof_samples(size, samples, PROOF_SEED)
    inclusion_ns, inclusion_proofs = [], []
    for index, tree_size in inclusion:
        began = time.perf_counter_ns()
        proof = ledger.inclusion_proof(index, tree_size)
        inclusion_ns.append(time.perf_counter_ns() - began)
        inclusion_proofs.append(proof)
    consistency_ns, consistency_proofs = [], []
    for old_size, new_size in consistency:
        began = time.perf_counter_ns()
        consistency_proofs.append(ledger.consistency_proof(old_size, new_size))
        consistency_ns.append(time.perf_counter_ns() - began)
    ledger.close()
    verified = all(p.verify() for p in inclusion_proofs) and all(
        p.verify() for p in consistency_proofs
    )
    return {
        **_prefixed("inclusion", latency(inclusion_ns)),
        **_prefixed("consistency", latency(consistency_ns)),
        "proofs_verify": verified,
        "inclusion_paths": paths_digest([p.path for p in inclusion_proofs]),
    }


def _prefixed(prefix: str, figures: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{key}": value for key, value in figures.items()}


def signed_notices(count: int) -> list[bytes]:
    """Notices signed as the city signs them (``CityIdentity.kid``), stamped with the current
    time so that the node's clock-skew check passes, each with its own id."""
    key = SigningKey.from_seed(PUBLISHER_SEED)
    did = did_key_from_public(key.public)
    kid = f"{did}#{did.removeprefix('did:key:')}"
    ids = random.Random(ENTRY_SEED)
    entries = []
    for i in range(count):
        notice = NoticePublished(
            publisher=did,
            title_ko=f"공지 제{i}호: 2026년 공공일자리 참여자 모집",
            title_en=f"Notice {i}: 2026 public jobs open for applications",
            summary_ko="신청은 서울패스 앱에서 받습니다. 마감은 3월 31일입니다.",
            summary_en="Apply in the Seoul Pass app by 31 March.",
        )
        entries.append(
            sign_entry(
                NOTICE_PUBLISHED.name,
                notice.model_dump(),
                [(kid, key)],
                version=NOTICE_PUBLISHED.version,
                entry_id=str(uuid.UUID(int=ids.getrandbits(128), version=4)),
            )
        )
    return entries


def ingest_signed(data_dir: Path, count: int) -> dict[str, Any]:
    """Submit pre-signed notices through the node: signature, canonical form, schema, append,
    durable block and witness cosignature, as the API does."""
    node = Node.open(Config(data_dir=data_dir, demo_data=False))
    try:
        entries = signed_notices(count)
        results: list[object] = []
        began = time.perf_counter()
        for start in range(0, count, SUBMIT_BATCH):
            results.extend(node.submit_many(entries[start : start + SUBMIT_BATCH]))
        elapsed = time.perf_counter() - began
    finally:
        node.close()
    refused = [r for r in results if isinstance(r, BlockcityError)]
    if refused:
        raise RuntimeError(f"{len(refused)} of {count} signed entries were refused: {refused[0]}")
    return {
        "ingest_per_s": count / elapsed,
        "signed_entry_bytes": statistics.fmean(map(len, entries)),
    }


def in_fresh_process(work: Callable[..., T], *args: object) -> T:
    """Run ``work`` in a new interpreter, so its caches and peak RSS are its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(work, *args).result()


def _peer_version(python: Path) -> str | None:
    if not python.exists():
        return None
    found = subprocess.run(
        [str(python), "-c", "import pymerkle; print(pymerkle.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    version = found.stdout.strip()
    return version if found.returncode == 0 and version.startswith("7.") else None


def ensure_peer() -> tuple[Path | None, str]:
    """The python of the benchmark's own venv with pymerkle 7, set up on first use, or None
    and the reason it could not be."""
    python = BENCH_VENV / "bin" / "python"
    version = _peer_version(python)
    if version is not None:
        return python, f"pymerkle {version}"
    print(f"Setting up the peer: {BENCH_VENV} with {PEER_REQUIREMENT} ...", flush=True)
    steps = [] if python.exists() else [[sys.executable, "-m", "venv", str(BENCH_VENV)]]
    install = [str(python), "-m", "pip", "install", "--quiet", "--retries", "1"]
    steps.append([*install, "--timeout", "20", PEER_REQUIREMENT])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return None, f"`{' '.join(step)}` failed: {reason}"
    version = _peer_version(python)
    if version is None:
        return None, f"{PEER_REQUIREMENT} installed but does not import as version 7"
    return python, f"pymerkle {version}"


def run_peer(python: Path, workdir: Path, count: int, samples: int) -> dict[str, Any]:
    workdir.mkdir()
    options = {
        "--workdir": workdir,
        "--count": count,
        "--batch": BLOCK_ENTRIES,
        "--seed": ENTRY_SEED,
        "--payload-chars": PAYLOAD_CHARS,
        "--samples": samples,
        "--proof-seed": PROOF_SEED,
    }
    command = [str(python), str(PEER_SCRIPT), *(str(x) for kv in options.items() for x in kv)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"the pymerkle peer failed:\n{done.stderr}")
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return {
        **{k: v for k, v in found.items() if k not in ("inclusion", "consistency")},
        **_prefixed("inclusion", found["inclusion"]),
        **_prefixed("consistency", found["consistency"]),
    }


def one_run(number: int, settings: Settings, peer: Path | None) -> dict[str, Any]:
    """Our figures and pymerkle's, back to back so that both meet the same machine load."""

    def step(text: str) -> None:
        print(f"run {number}/{settings.runs}: {text}", flush=True)

    with tempfile.TemporaryDirectory(prefix="blockcity-bench-") as tmp:
        folder = Path(tmp)
        step(f"appending {settings.entries:,} entries to the ledger")
        ours = in_fresh_process(append_raw, folder / "ledger", settings.entries)
        step(f"{settings.samples} inclusion and consistency proofs from the store")
        ours |= in_fresh_process(prove, folder / "ledger", settings.entries, settings.samples)
        peer_figures = None
        if peer is not None:
            step("pymerkle: the same appends and proofs")
            peer_figures = run_peer(peer, folder / "pymerkle", settings.entries, settings.samples)
        step(f"ingesting {settings.signed:,} signed entries through the node")
        ours |= in_fresh_process(ingest_signed, folder / "node", settings.signed)
    return {"ours": ours, "peer": peer_figures}


@dataclass(frozen=True, slots=True)
class Check:
    target: str
    passed: bool | None
    """None when the figure it needs (pymerkle's) is unavailable."""

    @property
    def result(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]


@dataclass(frozen=True, slots=True)
class Row:
    figure: str
    ours: str
    peer: str
    ratio: str
    per_run: str
    checks: tuple[Check, ...] = ()


def _medians(runs: Sequence[dict[str, Any]], side: str) -> dict[str, float]:
    """The median over the runs of each of one side's figures; empty for a missing peer."""
    present = [run[side] for run in runs if run[side] is not None]
    if not present:
        return {}
    figures = [key for key, value in present[0].items() if isinstance(value, float)]
    return {key: statistics.median(side_run[key] for side_run in present) for key in figures}


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return None if numerator is None or denominator is None else numerator / denominator


def _at_least(value: float | None, floor: float) -> bool | None:
    return None if value is None else value >= floor


def summarize(runs: Sequence[dict[str, Any]]) -> tuple[list[Row], dict[str, Any]]:
    """The table rows and the medians (of the runs) they show."""
    ours, peer = _medians(runs, "ours"), _medians(runs, "peer")

    def fmt(value: float | None, pattern: str) -> str:
        return "-" if value is None else pattern.format(value)

    def spread(key: str, pattern: str) -> str:
        """Each run's figure, ours and (when it has one) pymerkle's."""
        text = " / ".join(pattern.format(run["ours"][key]) for run in runs)
        if key in peer:
            text += "  (pymerkle " + " / ".join(pattern.format(r["peer"][key]) for r in runs) + ")"
        return text

    rows: list[Row] = []
    append_ratio = _ratio(ours["append_per_s"], peer.get("append_per_s"))
    rows.append(
        Row(
            "append, raw entries (entries/s)",
            fmt(ours["append_per_s"], "{:,.0f}"),
            fmt(peer.get("append_per_s"), "{:,.0f}"),
            fmt(append_ratio, "{:.2f}x"),
            spread("append_per_s", "{:,.0f}"),
            (
                Check(f">= {APPEND_TARGET:,}/s", ours["append_per_s"] >= APPEND_TARGET),
                Check(
                    f">= {APPEND_RATIO_TARGET}x pymerkle",
                    _at_least(append_ratio, APPEND_RATIO_TARGET),
                ),
            ),
        )
    )
    per_batch = peer.get("append_per_batch_per_s")
    rows.append(
        Row(
            "  pymerkle, one commit per 10,000",
            "",
            fmt(per_batch, "{:,.0f}"),
            fmt(_ratio(ours["append_per_s"], per_batch), "{:.2f}x"),
            "",
        )
    )
    rows.append(
        Row(
            "signed ingest (entries/s)",
            fmt(ours["ingest_per_s"], "{:,.0f}"),
            "-",
            "-",
            spread("ingest_per_s", "{:,.0f}"),
            (Check(f">= {INGEST_TARGET:,}/s", ours["ingest_per_s"] >= INGEST_TARGET),),
        )
    )
    for kind in ("inclusion", "consistency"):
        median_key, p95_key = f"{kind}_median_ms", f"{kind}_p95_ms"
        speedup = _ratio(peer.get(median_key), ours[median_key])
        rows.append(
            Row(
                f"{kind} proof, median (ms)",
                fmt(ours[median_key], "{:.3f}"),
                fmt(peer.get(median_key), "{:.3f}"),
                fmt(speedup, "{:.0f}x"),
                spread(median_key, "{:.3f}"),
                (
                    Check(f"<= {PROOF_TARGET_MS} ms", ours[median_key] <= PROOF_TARGET_MS),
                    Check(
                        f">= {PROOF_RATIO_TARGET:.0f}x pymerkle",
                        _at_least(speedup, PROOF_RATIO_TARGET),
                    ),
                ),
            )
        )
        rows.append(
            Row(
                f"{kind} proof, p95 (ms)",
                fmt(ours[p95_key], "{:.3f}"),
                fmt(peer.get(p95_key), "{:.3f}"),
                fmt(_ratio(peer.get(p95_key), ours[p95_key]), "{:.0f}x"),
                spread(p95_key, "{:.3f}"),
            )
        )
    rows.append(
        Row(
            "peak RSS while appending (MB)",
            fmt(ours["peak_rss_mb"], "{:.0f}"),
            "-",
            "-",
            spread("peak_rss_mb", "{:.0f}"),
            (Check(f"< {RSS_TARGET_MB} MB", ours["peak_rss_mb"] < RSS_TARGET_MB),),
        )
    )
    rows.append(_agreement(runs))
    medians = {"ours": ours, "peer": peer or None}
    return rows, medians


def _agreement(runs: Sequence[dict[str, Any]]) -> Row:
    """Our proofs verify; with pymerkle, the same root and the same inclusion paths."""
    verify = all(run["ours"]["proofs_verify"] for run in runs)
    checks = [Check("our proofs verify", verify)]
    if runs[0]["peer"] is None:
        checks.append(Check("root equals pymerkle's", None))
    else:
        for key, target in (
            ("root", "root equals pymerkle's"),
            ("inclusion_paths", "inclusion paths equal pymerkle's"),
        ):
            same = all(run["ours"][key] == run["peer"][key] for run in runs)
            checks.append(Check(target, same))
    return Row("agreement (RFC 9162 hashing)", "", "", "", "", tuple(checks))


def render(rows: Sequence[Row], peer_label: str) -> str:
    header = ("figure (median of runs)", "ours", peer_label, "speed-up", "target", "result")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        first = (row.figure, row.ours, row.peer, row.ratio)
        if not row.checks:
            lines.append((*first, "", ""))
        for n, check in enumerate(row.checks):
            lines.append((*(first if n == 0 else ("",) * 4), check.target, check.result))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {1, 2, 3}

    def cell(i: int, text: str) -> str:
        return text.rjust(widths[i]) if i in right else text.ljust(widths[i])

    text = ["  ".join(cell(i, t) for i, t in enumerate(line)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    per_run = [f"  {row.figure.strip()}: {row.per_run}" for row in rows if row.per_run]
    return "\n".join([*text, "", "run by run:", *per_run])


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    mem_kib = next(int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal:"))
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "ram_gib": round(mem_kib / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def parse_args(argv: Sequence[str] | None) -> tuple[Settings, Path | None]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ledger",
        description="The ledger benchmark, side by side with pymerkle 7 on the same entries.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 20,000 entries, 1 run, 50 proofs, 2,000 signed entries",
    )
    parser.add_argument("--entries", type=int, help="raw entries to append (1,000,000)")
    parser.add_argument("--runs", type=int, help="runs; each figure is their median (3)")
    parser.add_argument("--samples", type=int, help="proofs of each kind per run (300)")
    parser.add_argument("--signed", type=int, help="signed entries ingested per run (20,000)")
    parser.add_argument("--no-peer", action="store_true", help="skip pymerkle")
    parser.add_argument(
        "--json", type=Path, metavar="PATH", help="write the results here, not to stdout"
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    settings = Settings(
        entries=args.entries or (20_000 if quick else TARGET_SIZE),
        runs=args.runs or (1 if quick else 3),
        samples=args.samples or (50 if quick else 300),
        signed=args.signed or (2_000 if quick else 20_000),
        peer=not args.no_peer,
        quick=quick,
    )
    if settings.entries < 2 or settings.samples < 2 or settings.runs < 1 or settings.signed < 1:
        parser.error("need --entries >= 2, --samples >= 2, --runs >= 1 and --signed >= 1")
    return settings, args.json


def main(argv: Sequence[str] | None = None) -> None:
    settings, json_path = parse_args(argv)
    peer, peer_note = ensure_peer() if settings.peer else (None, "skipped (--no-peer)")
    if settings.peer and peer is None:
        print(f"pymerkle is unavailable: {peer_note}")
        print("Continuing with our own figures; every ratio to pymerkle is unavailable.")
    host = machine()
    print(
        f"{host['cpu']}, {host['nproc']} cores, {host['ram_gib']} GiB, Python {host['python']}, "
        f"SQLite {host['sqlite']}, {host['date']}; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{settings.entries:,} entries of ~100 bytes in blocks of {BLOCK_ENTRIES:,}, "
        f"{settings.samples} proofs of each kind, {settings.signed:,} signed entries, "
        f"{settings.runs} run(s); peer: {peer_note}",
        flush=True,
    )
    load_before = os.getloadavg()
    runs = [one_run(n, settings, peer) for n in range(1, settings.runs + 1)]
    load_after = os.getloadavg()
    rows, medians = summarize(runs)
    print()
    print(render(rows, "pymerkle" if peer is not None else "pymerkle (n/a)"))
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    if settings.entries < TARGET_SIZE:
        print(
            f"Note: {settings.entries:,} entries, not the targets' {TARGET_SIZE:,}: "
            "PASS/FAIL here is only indicative."
        )
    report = {
        "machine": host | {"load_before": load_before, "load_after": load_after},
        "settings": asdict(settings) | {"block_entries": BLOCK_ENTRIES},
        "peer": peer_note,
        "median": medians,
        "checks": [
            {"figure": row.figure, "target": c.target, "passed": c.passed}
            for row in rows
            for c in row.checks
        ],
        "runs": runs,
    }
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results written to {json_path}")
    else:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
