"""Storage failures: a database locked by someone else, a full disk, a corrupt file. Each is a
clear StorageError, and nothing is half-written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from blockcity.errors import StorageError
from blockcity.ledger import merkle
from blockcity.ledger.audit import audit
from blockcity.ledger.log import Ledger
from blockcity.ledger.note import Signer
from blockcity.ledger.store import BUNDLE_WIDTH, open_sqlite, split_bundle
from tests.ledger.conftest import ORIGIN, open_ledger, raw


def expected_root(n: int) -> bytes:
    return merkle.root([f"entry {i}".encode() for i in range(n)])


def test_database_locked_by_another_process_is_refused_cleanly(ledger: Ledger) -> None:
    ledger.append(raw(10))
    ledger.store._db.execute("PRAGMA busy_timeout = 100")  # type: ignore[attr-defined]
    intruder = sqlite3.connect(ledger.store.path)  # type: ignore[attr-defined]
    intruder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked by another process"):
            ledger.append(raw(5, 10))
    finally:
        intruder.rollback()
        intruder.close()
    assert ledger.size == 10
    ledger.append(raw(5, 10))
    assert ledger.root() == expected_root(15)


def test_full_disk_loses_nothing_and_the_ledger_resumes(ledger: Ledger, log_signer: Signer) -> None:
    ledger.append(raw(300))
    db = ledger.store._db  # type: ignore[attr-defined]
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {pages + 2}")
    appended = 300
    with pytest.raises(StorageError, match="full"):
        for _ in range(100):
            ledger.append(raw(200, appended))
            appended += 200
    assert ledger.size == appended and ledger.root() == expected_root(appended)
    db.execute("PRAGMA max_page_count = 1073741823")
    ledger.append(raw(200, appended))
    report = audit(ledger.store, log_signer.verifier_key(), ORIGIN)
    assert report.ok and report.tree_size == appended + 200


def test_corrupt_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "ledger.sqlite3").write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(StorageError, match="not a readable ledger database"):
        open_sqlite(tmp_path)


def test_entry_bundles_pack_256_entries_and_split_back(tmp_path: Path, log_signer: Signer) -> None:
    ledger = open_ledger(tmp_path, log_signer)
    ledger.append(raw(300))
    rows = list(ledger.store.bundle_rows())
    assert [(index, width) for index, width, _ in rows] == [(0, BUNDLE_WIDTH), (1, 44)]
    assert split_bundle(rows[1][2])[0] == b"entry 256"
    ledger.close()


def test_malformed_bundle_is_reported_not_crashed_on() -> None:
    with pytest.raises(ValueError, match="inside an entry"):
        split_bundle(b"\x00\x05abc")
