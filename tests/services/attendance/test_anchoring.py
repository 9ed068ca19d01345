"""Sealing records in batches on the ledger: the audit names an edited, deleted, inserted or
back-dated record (rows changed directly in SQLite), and a record's proof verifies offline and
fails once tampered."""

from __future__ import annotations

import json
import sqlite3

from blockcity.crypto import b64url_decode, b64url_encode
from blockcity.services.attendance import RecordKind, verify_record_proof
from tests.services.attendance.world import AttendanceWorld


def _week(aw: AttendanceWorld) -> list[str]:
    ids = []
    for _ in range(3):
        ids.append(aw.scan(RecordKind.CLOCK_IN).id)
        aw.labor.world.clock.advance(hours=8)
        ids.append(aw.scan(RecordKind.CLOCK_OUT).id)
        aw.labor.world.clock.advance(hours=16)
    aw.attendance.seal()
    return ids


def _db(aw: AttendanceWorld) -> sqlite3.Connection:
    return sqlite3.connect(aw.attendance.path, isolation_level=None)


def _seq(record_id: str) -> int:
    return int(record_id.rsplit(".", 1)[1])


def test_a_clean_store_audits_clean(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    report = aw.attendance.audit()
    assert report.ok and report.records == len(ids) and report.batches >= 1


def test_the_audit_names_an_edited_record(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    with _db(aw) as db:
        (data,) = db.execute("SELECT data FROM records WHERE seq = ?", (_seq(ids[3]),)).fetchone()
        edited = data.replace(b'"kind":"out"', b'"kind":"in"')
        db.execute("UPDATE records SET data = ? WHERE seq = ?", (edited, _seq(ids[3])))
    report = aw.attendance.audit()
    assert not report.ok and report.record_id == ids[3]


def test_the_audit_names_a_deleted_record(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    with _db(aw) as db:
        db.execute("DELETE FROM records WHERE seq = ?", (_seq(ids[2]),))
    report = aw.attendance.audit()
    assert not report.ok and report.record_id == ids[2]
    assert "erased" in (report.problem_en or "")


def test_the_audit_names_an_inserted_record(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    with _db(aw) as db:
        row = db.execute("SELECT * FROM records WHERE seq = ?", (_seq(ids[-1]),)).fetchone()
        leaf = json.loads(row[4])
        leaf["seq"] += 1
        db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, NULL)",
            (row[0], leaf["seq"], row[2], row[3], json.dumps(leaf).encode(), b"\x00" * 16),
        )
    report = aw.attendance.audit()
    assert not report.ok and report.record_id and _seq(report.record_id) == _seq(ids[-1]) + 1


def test_the_audit_names_a_back_dated_record(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    with _db(aw) as db:
        (data,) = db.execute("SELECT data FROM records WHERE seq = ?", (_seq(ids[4]),)).fetchone()
        leaf = json.loads(data)
        leaf["device_at"] = leaf["at"] = "2026-01-05T00:00:00Z"
        db.execute(
            "UPDATE records SET data = ? WHERE seq = ?",
            (json.dumps(leaf, separators=(",", ":"), sort_keys=True).encode(), _seq(ids[4])),
        )
    report = aw.attendance.audit()
    assert not report.ok and report.record_id == ids[4]


def test_the_audit_notices_a_batch_erased_with_its_records(aw: AttendanceWorld) -> None:
    _week(aw)
    with _db(aw) as db:
        db.execute("DELETE FROM records")
        db.execute("DELETE FROM batches")
    report = aw.attendance.audit()
    assert not report.ok and "erased" in (report.problem_en or "")


def test_a_record_proof_verifies_offline(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    proof = json.loads(json.dumps(aw.attendance.record_proof(ids[1])))
    checks = verify_record_proof(proof, aw.labor.node.ledger_trust())
    assert checks and all(check.ok for check in checks), checks
    assert {check.name for check in checks} >= {"format", "inclusion", "ledger"}


def test_a_pending_record_is_sealed_for_its_proof(aw: AttendanceWorld) -> None:
    record = aw.scan(RecordKind.CLOCK_IN)
    assert record.batch is None
    proof = aw.attendance.record_proof(record.id)
    assert all(c.ok for c in verify_record_proof(proof, aw.labor.node.ledger_trust()))
    assert aw.attendance.record(record.id).batch is not None


def test_a_tampered_record_proof_fails(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    proof = aw.attendance.record_proof(ids[1])
    leaf = b64url_decode(proof["record"]).replace(b'"kind":"out"', b'"kind":"in"')
    tampered = {**proof, "record": b64url_encode(leaf)}
    checks = {c.name: c.ok for c in verify_record_proof(tampered, aw.labor.node.ledger_trust())}
    assert checks["inclusion"] is False


def test_a_proof_with_a_forged_checkpoint_fails(aw: AttendanceWorld) -> None:
    ids = _week(aw)
    proof = aw.attendance.record_proof(ids[0])
    entry = dict(proof["batchEntry"])
    entry["checkpoint"] = entry["checkpoint"].replace("\n", "\nx", 1)
    checks = {
        c.name: c.ok
        for c in verify_record_proof({**proof, "batchEntry": entry}, aw.labor.node.ledger_trust())
    }
    assert checks.get("ledger") is False


def test_garbage_is_not_a_proof(aw: AttendanceWorld) -> None:
    (check,) = verify_record_proof({"type": "nope"}, aw.labor.node.ledger_trust())
    assert check.name == "format" and not check.ok
