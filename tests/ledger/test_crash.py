"""Kill the writer with SIGKILL in the middle of appends, many times: every acknowledged entry
survives and the ledger audits clean after each restart."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blockcity.ledger.audit import audit
from blockcity.ledger.note import Signer
from blockcity.ledger.store import open_sqlite
from tests.ledger.conftest import ORIGIN

ROOT = Path(__file__).resolve().parents[2]


def kill_during_appends(data: Path, seed: int, run_for: float) -> int:
    """Start the writer, kill it after ``run_for`` seconds; return the last acknowledged size."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.crash_writer", str(data), str(seed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert writer.stdout is not None
    acknowledged = -1
    deadline = time.monotonic() + run_for
    os.set_blocking(writer.stdout.fileno(), False)
    while time.monotonic() < deadline or acknowledged < 0:
        line = writer.stdout.readline()
        if line.startswith("ack "):
            acknowledged = int(line.split()[1])
        elif not line:
            if writer.poll() is not None:
                raise AssertionError(f"the writer died by itself with code {writer.returncode}")
            time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    for line in writer.stdout.read().splitlines():
        if line.startswith("ack "):
            acknowledged = int(line.split()[1])
    return acknowledged


def check_after_crash(data: Path, acknowledged: int, signer: Signer) -> int:
    store = open_sqlite(data, readonly=True)
    try:
        report = audit(store, signer.verifier_key(), ORIGIN)
        assert report.ok, report.problems
        assert report.tree_size >= acknowledged
        for entry in store.entries(0, report.tree_size):
            assert entry.data == f"entry {entry.index}".encode()
        return report.tree_size
    finally:
        store.close()


def crash_loop(tmp_path: Path, kills: int) -> None:
    signer = Signer.from_seed(ORIGIN, bytes(range(32)))
    rng = random.Random(20261125)
    for round_ in range(kills):
        # Ten kills per ledger: each restart resumes a crashed store, and no ledger grows so
        # large that re-auditing it after every kill dominates the test.
        data = tmp_path / f"ledger-{round_ // 10}"
        acknowledged = kill_during_appends(data, round_, rng.uniform(0.05, 0.4))
        check_after_crash(data, acknowledged, signer)


def test_sigkill_during_appends_loses_no_acknowledged_entry(tmp_path: Path) -> None:
    crash_loop(tmp_path, kills=8)


@pytest.mark.slow
def test_sigkill_during_appends_a_hundred_times(tmp_path: Path) -> None:
    crash_loop(tmp_path, kills=100)
