"""The audit catches every edit made to the SQLite file behind the ledger's back."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blockcity.ledger.audit import AuditReport, audit
from blockcity.ledger.blocks import BlockHeader
from blockcity.ledger.note import Signer
from blockcity.ledger.store import split_bundle
from tests.ledger.conftest import ORIGIN, open_ledger, raw

BLOCK_SIZES = [100, 200, 150, 300, 120, 80]
"""Six blocks over 950 entries: bundles and tiles cross block boundaries."""


def build(path: Path, signer: Signer) -> None:
    ledger = open_ledger(path, signer)
    start = 0
    for n in BLOCK_SIZES:
        ledger.append(raw(n, start))
        start += n
    ledger.close()


def run_audit(path: Path, signer: Signer) -> AuditReport:
    from blockcity.ledger.store import open_sqlite

    store = open_sqlite(path, readonly=True)
    try:
        return audit(store, signer.verifier_key(), ORIGIN)
    finally:
        store.close()


def block_of(index: int) -> int:
    total = 0
    for height, n in enumerate(BLOCK_SIZES):
        total += n
        if index < total:
            return height
    raise AssertionError(index)


def edit(path: Path, change: Callable[[sqlite3.Connection], None]) -> None:
    db = sqlite3.connect(path / "ledger.sqlite3")
    with db:
        change(db)
    db.close()


def rewrite_bundle(
    db: sqlite3.Connection, index: int, edit_entries: Callable[[list[bytes]], None]
) -> None:
    (data,) = db.execute("SELECT data FROM bundles WHERE idx = ?", (index,)).fetchone()
    entries = split_bundle(data)
    edit_entries(entries)
    packed = b"".join(len(e).to_bytes(2, "big") + e for e in entries)
    db.execute(
        "UPDATE bundles SET width = ?, data = ? WHERE idx = ?", (len(entries), packed, index)
    )


@pytest.fixture
def built(tmp_path: Path, log_signer: Signer) -> Path:
    build(tmp_path, log_signer)
    return tmp_path


def test_untouched_ledger_audits_clean(built: Path, log_signer: Signer) -> None:
    report = run_audit(built, log_signer)
    assert report.ok, report.problems
    assert (report.blocks, report.entries, report.tree_size) == (6, 950, 950)


def test_altered_entry_names_its_block(built: Path, log_signer: Signer) -> None:
    def flip(entries: list[bytes]) -> None:
        entries[10] = entries[10].replace(b"entry", b"Entry")

    edit(built, lambda db: rewrite_bundle(db, 2, flip))  # entry 522
    report = run_audit(built, log_signer)
    assert not report.ok
    assert report.first_bad_block == block_of(522)


def test_reordered_entries_are_caught(built: Path, log_signer: Signer) -> None:
    def swap(entries: list[bytes]) -> None:
        entries[50], entries[51] = entries[51], entries[50]

    edit(built, lambda db: rewrite_bundle(db, 1, swap))  # entries 306 and 307
    assert run_audit(built, log_signer).first_bad_block == block_of(306)


def test_deleted_entry_is_caught(built: Path, log_signer: Signer) -> None:
    edit(built, lambda db: rewrite_bundle(db, 0, lambda entries: entries.pop(120)))
    report = run_audit(built, log_signer)
    assert report.first_bad_block == block_of(120)


def test_inserted_entry_after_the_last_block_is_caught(built: Path, log_signer: Signer) -> None:
    edit(built, lambda db: rewrite_bundle(db, 3, lambda entries: entries.append(b"forged")))
    report = run_audit(built, log_signer)
    assert not report.ok
    assert any("inserted" in p.what for p in report.problems)
    assert report.first_bad_block == len(BLOCK_SIZES) - 1


def test_deleted_block_is_caught(built: Path, log_signer: Signer) -> None:
    edit(built, lambda db: db.execute("DELETE FROM blocks WHERE height = 2"))
    report = run_audit(built, log_signer)
    assert report.first_bad_block == 2
    assert any("block 2 is missing" in p.what for p in report.problems)


def test_edited_block_header_breaks_the_chain(built: Path, log_signer: Signer) -> None:
    def backdate(db: sqlite3.Connection) -> None:
        (header,) = db.execute("SELECT header FROM blocks WHERE height = 1").fetchone()
        text = header.decode().replace('"time":"2', '"time":"1')
        db.execute("UPDATE blocks SET header = ? WHERE height = 1", (text.encode(),))

    edit(built, backdate)
    report = run_audit(built, log_signer)
    assert report.first_bad_block == 1
    assert any("'prev' does not link" in p.what for p in report.problems)


def test_rehashed_forgery_without_the_log_key_fails_the_checkpoint(
    built: Path, log_signer: Signer
) -> None:
    """An attacker who alters the last block's entry and recomputes root, header and hash
    still cannot sign the checkpoint."""
    from blockcity.ledger import merkle

    def forge(db: sqlite3.Connection) -> None:
        rewrite_bundle(db, 3, lambda entries: entries.__setitem__(-1, b"forged"))
        bundles = [split_bundle(d) for (d,) in db.execute("SELECT data FROM bundles ORDER BY idx")]
        root = merkle.root([e for b in bundles for e in b])
        (header,) = db.execute("SELECT header FROM blocks WHERE height = 5").fetchone()
        old = BlockHeader.decode(header)
        new = BlockHeader(old.height, old.prev, old.first_index, old.tree_size, root, old.time)
        db.execute(
            "UPDATE blocks SET header = ?, hash = ? WHERE height = 5", (new.encode(), new.hash())
        )

    edit(built, forge)
    report = run_audit(built, log_signer)
    assert report.first_bad_block == 5
    assert any("checkpoint" in p.what for p in report.problems)


def test_altered_tile_is_caught(built: Path, log_signer: Signer) -> None:
    def corrupt(db: sqlite3.Connection) -> None:
        (hashes,) = db.execute("SELECT hashes FROM tiles WHERE level = 0 AND idx = 1").fetchone()
        db.execute(
            "UPDATE tiles SET hashes = ? WHERE level = 0 AND idx = 1",
            (bytes([hashes[0] ^ 1]) + hashes[1:],),
        )

    edit(built, corrupt)
    report = run_audit(built, log_signer)
    assert not report.ok
    assert any("tile 0/1" in p.what for p in report.problems)


def test_audit_with_another_log_key_fails_every_block(built: Path) -> None:
    stranger = Signer.from_seed(ORIGIN, bytes(32))
    report = run_audit(built, stranger)
    assert report.first_bad_block == 0
    assert sum("checkpoint" in p.what for p in report.problems) == len(BLOCK_SIZES)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.sampled_from(["bundles", "tiles", "blocks"]),
    row=st.integers(min_value=0, max_value=10_000),
    position=st.integers(min_value=0, max_value=10**6),
    bit=st.integers(min_value=0, max_value=7),
)
def test_any_flipped_bit_in_storage_fails_the_audit(
    tmp_path_factory: pytest.TempPathFactory,
    log_signer: Signer,
    table: str,
    row: int,
    position: int,
    bit: int,
) -> None:
    path = tmp_path_factory.mktemp("flip")
    build(path, log_signer)
    key, column = {
        "bundles": ("idx", "data"),
        "tiles": ("level * 1000000 + idx", "hashes"),
        "blocks": ("height", "header"),
    }[table]

    def flip(db: sqlite3.Connection) -> None:
        rows = db.execute(f"SELECT {key}, {column} FROM {table}").fetchall()
        name, blob = rows[row % len(rows)]
        changed = bytearray(blob)
        changed[position % len(blob)] ^= 1 << bit
        db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (bytes(changed), name))

    edit(path, flip)
    assert not run_audit(path, log_signer).ok
