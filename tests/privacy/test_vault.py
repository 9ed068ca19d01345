"""The vault: encryption bound to subject and record, reads logged first, erasure by
crypto-shredding after the legal retention, consent, and the anchored access log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import pytest

from blockcity.config import Config
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import Conflict, InvalidInput, StorageError
from blockcity.ledger.audit import audit
from blockcity.node import Node
from blockcity.privacy import (
    Erased,
    RecordBroken,
    RecordNotFound,
    UnderRetention,
    Vault,
    WrongMasterKey,
    open_commitment,
)
from blockcity.privacy.access_log import LogEvent
from blockcity.privacy.consent import ConsentNotFound
from tests.credentials.issuing import Clock

WORKER = {"name": "홍길동", "birth_date": "1990-05-17", "phone": "010-1234-5678"}
LABOR_ACT = "근로기준법 제42조"


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 0, 30, tzinfo=UTC))


@pytest.fixture
def vault(tmp_path: Path, clock: Clock) -> Iterator[Vault]:
    opened = Vault(tmp_path / "vault.sqlite", MasterKey(bytes(32)), clock=clock)
    yield opened
    opened.close()


def raw(vault: Vault) -> sqlite3.Connection:
    """A second connection, as someone with the file but not the master key has."""
    return sqlite3.connect(vault._db.path, isolation_level=None)


def test_record_round_trips_and_lists_without_plaintext(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    assert vault.get(rid, actor="acct-1", purpose="본인 열람") == WORKER
    [info] = vault.records("acct-1")
    assert (info.id, info.kind, info.erased) == (rid, "labor.worker", False)
    assert "홍길동" not in repr(info)


def test_ciphertext_is_not_stored_in_clear(vault: Vault) -> None:
    vault.put("acct-1", "labor.worker", WORKER)
    assert b"010-1234-5678" not in Path(vault._db.path).read_bytes()
    assert b"010-1234-5678" not in Path(f"{vault._db.path}-wal").read_bytes()


def test_opening_returns_the_salt_of_the_record_commitment(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    opening = vault.get_opening(rid, actor="acct-1", purpose="검증자에게 공개")
    digest = vault.record(rid).commitment
    assert digest is not None and open_commitment(digest, opening.salt, WORKER)


def test_ciphertext_moved_to_another_subject_does_not_open(vault: Vault) -> None:
    mine = vault.put("acct-1", "labor.worker", WORKER)
    theirs = vault.put("acct-2", "labor.worker", {"name": "김서울"})
    with raw(vault) as db:
        db.execute(
            "UPDATE vault_records SET ciphertext = (SELECT ciphertext FROM vault_records "
            "WHERE id = ?) WHERE id = ?",
            (mine, theirs),
        )
    with pytest.raises(RecordBroken, match="altered or moved"):
        vault.get(theirs, actor="acct-2", purpose="본인 열람")


def test_ciphertext_moved_to_another_record_of_the_same_subject_does_not_open(
    vault: Vault,
) -> None:
    first = vault.put("acct-1", "labor.worker", WORKER)
    second = vault.put("acct-1", "labor.bank", {"bank_account": "110-123-456789"})
    with raw(vault) as db:
        db.execute(
            "UPDATE vault_records SET ciphertext = (SELECT ciphertext FROM vault_records "
            "WHERE id = ?) WHERE id = ?",
            (first, second),
        )
    with pytest.raises(RecordBroken):
        vault.get(second, actor="acct-1", purpose="본인 열람")


def test_data_key_moved_to_another_subject_does_not_open(vault: Vault) -> None:
    vault.put("acct-1", "labor.worker", WORKER)
    theirs = vault.put("acct-2", "labor.worker", {"name": "김서울"})
    with raw(vault) as db:
        db.execute(
            "UPDATE vault_keys SET wrapped = (SELECT wrapped FROM vault_keys "
            "WHERE subject = 'acct-1') WHERE subject = 'acct-2'"
        )
    with pytest.raises(RecordBroken, match="data key of acct-2"):
        vault.get(theirs, actor="acct-2", purpose="본인 열람")


@pytest.mark.parametrize("position", [0, 12, 40, -1])
def test_one_flipped_ciphertext_byte_is_an_integrity_error(vault: Vault, position: int) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    with raw(vault) as db:
        (sealed,) = db.execute(
            "SELECT ciphertext FROM vault_records WHERE id = ?", (rid,)
        ).fetchone()
        altered = bytearray(sealed)
        altered[position] ^= 0x01
        db.execute("UPDATE vault_records SET ciphertext = ? WHERE id = ?", (bytes(altered), rid))
    with pytest.raises(RecordBroken) as caught:
        vault.get(rid, actor="acct-1", purpose="본인 열람")
    assert caught.value.code == "vault-integrity"


def test_vault_refuses_another_master_key(tmp_path: Path, clock: Clock) -> None:
    Vault(tmp_path / "v.sqlite", MasterKey(bytes(32)), clock=clock).close()
    with pytest.raises(WrongMasterKey, match="another master key"):
        Vault(tmp_path / "v.sqlite", MasterKey(b"\x01" * 32), clock=clock)


def test_unknown_record_is_404(vault: Vault) -> None:
    with pytest.raises(RecordNotFound) as caught:
        vault.get("no-such-record", actor="acct-1", purpose="본인 열람")
    assert caught.value.status == 404


def test_records_never_change_a_second_put_with_the_same_id_conflicts(vault: Vault) -> None:
    vault.put("acct-1", "labor.worker", WORKER, record_id="contract-7.worker")
    with pytest.raises(Conflict, match="records never change"):
        vault.put("acct-1", "labor.worker", WORKER, record_id="contract-7.worker")


def test_every_read_is_logged_with_who_and_why(vault: Vault, clock: Clock) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    vault.get(rid, actor="did:web:cafe.example", purpose="근로계약서 작성")
    clock.advance(minutes=5)
    vault.get(rid, actor="acct-1", purpose="본인 열람")
    reads = vault.accesses("acct-1")
    assert [(r.actor, r.purpose, r.target) for r in reads] == [
        ("did:web:cafe.example", "근로계약서 작성", rid),
        ("acct-1", "본인 열람", rid),
    ]
    assert reads[1].at == "2026-03-02T00:35:00.000Z"  # 00:30 + 5 minutes
    assert vault.accesses("acct-2") == []


def test_no_plaintext_is_returned_when_the_read_cannot_be_logged(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    with raw(vault) as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON privacy_log "
            "BEGIN SELECT RAISE(ABORT, 'log disk full'); END"
        )
    with pytest.raises(StorageError, match="log disk full"):
        vault.get(rid, actor="did:web:cafe.example", purpose="근로계약서 작성")
    assert vault.accesses("acct-1") == []


def test_erasure_is_refused_under_retention_naming_the_first_possible_day(
    vault: Vault, clock: Clock
) -> None:
    # Employment ended 2026-02-28; Art. 42 keeps the contract 3 years: through 2029-02-28,
    # so erasure is possible from 2029-03-01.
    rid = vault.put("acct-1", "labor.worker", WORKER)
    vault.extend_retention(rid, date(2029, 2, 28), basis=LABOR_ACT)
    with pytest.raises(UnderRetention) as caught:
        vault.erase("acct-1", actor="acct-1", reason="본인 요청")
    assert "2029-03-01" in caught.value.message_en and LABOR_ACT in caught.value.message_en
    assert "2029-03-01" in caught.value.message_ko
    assert caught.value.status == 409
    assert vault.get(rid, actor="acct-1", purpose="본인 열람") == WORKER


def test_last_day_of_retention_is_still_kept_in_seoul_time(vault: Vault, clock: Clock) -> None:
    vault.put("acct-1", "labor.worker", WORKER, retain_until=date(2029, 2, 28))
    # 2029-02-28T14:59Z is 23:59 in Seoul, still the last day; a minute later it is March.
    with pytest.raises(UnderRetention):
        vault.erase("acct-1", actor="a", reason="r", now=datetime(2029, 2, 28, 14, 59, tzinfo=UTC))
    report = vault.erase("acct-1", actor="a", reason="r", now=datetime(2029, 2, 28, 15, tzinfo=UTC))
    assert report.records == 1 and not report.already


def test_retention_cannot_be_shortened(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER, retain_until=date(2029, 2, 28))
    with pytest.raises(InvalidInput, match="cannot be shortened"):
        vault.extend_retention(rid, date(2028, 1, 1))


def test_erasure_after_retention_shreds_the_key_and_every_read_is_gone(
    vault: Vault, clock: Clock
) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER, retain_until=date(2029, 2, 28))
    other = vault.put("acct-2", "labor.worker", {"name": "김서울"})
    with raw(vault) as db:
        (wrapped,) = db.execute(
            "SELECT wrapped FROM vault_keys WHERE subject = 'acct-1'"
        ).fetchone()
        (sealed,) = db.execute(
            "SELECT ciphertext FROM vault_records WHERE id = ?", (rid,)
        ).fetchone()
    clock.now = datetime(2029, 3, 1, 9, tzinfo=UTC)
    report = vault.erase("acct-1", actor="acct-1", reason="본인 요청")
    assert (report.records, report.already) == (1, False)
    with pytest.raises(Erased) as caught:
        vault.get(rid, actor="acct-1", purpose="본인 열람")
    assert caught.value.status == 410 and "2029-03-01" in caught.value.message_en
    stored = Path(vault._db.path).read_bytes() + Path(f"{vault._db.path}-wal").read_bytes()
    assert wrapped not in stored and sealed not in stored
    [info] = vault.records("acct-1")
    assert info.erased and info.commitment is None
    assert vault.get(other, actor="acct-2", purpose="본인 열람") == {"name": "김서울"}
    with pytest.raises(Erased):
        vault.put("acct-1", "labor.worker", WORKER)


def test_erasure_is_idempotent(vault: Vault, clock: Clock) -> None:
    vault.put("acct-1", "labor.worker", WORKER)
    first = vault.erase("acct-1", actor="acct-1", reason="본인 요청")
    clock.advance(days=1)
    again = vault.erase("acct-1", actor="someone", reason="again")
    assert again.already and (again.erased_at, again.actor) == (first.erased_at, "acct-1")
    assert vault.verify_access_log().ok


def test_erasing_an_unknown_subject_is_404(vault: Vault) -> None:
    with pytest.raises(RecordNotFound):
        vault.erase("nobody", actor="admin", reason="test")


def test_an_edited_log_row_is_named(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    for purpose in ("근로계약서 작성", "임금 지급", "본인 열람"):
        vault.get(rid, actor="did:web:cafe.example", purpose=purpose)
    assert vault.verify_access_log().ok and vault.verify_access_log().rows == 3
    with raw(vault) as db:
        db.execute("UPDATE privacy_log SET purpose = '본인 열람' WHERE seq = 2")
    result = vault.verify_access_log()
    assert (result.ok, result.broken_row) == (False, 2)
    assert "row 2 was altered" in result.reason_en


def test_a_deleted_log_row_is_named(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    for _ in range(3):
        vault.get(rid, actor="did:web:cafe.example", purpose="근로계약서 작성")
    with raw(vault) as db:
        db.execute("DELETE FROM privacy_log WHERE seq = 2")
    assert vault.verify_access_log().broken_row == 2


def test_consent_grant_check_expiry_and_revocation(vault: Vault, clock: Clock) -> None:
    start = clock()
    consent = vault.consents.grant(
        "acct-1", "did:web:cafe.example", "임금 지급", ["labor.bank"], start + timedelta(days=30)
    )
    assert consent.scope == ("labor.bank",)
    assert vault.consents.check("acct-1", "did:web:cafe.example", "임금 지급", start) == consent
    assert vault.consents.check("acct-1", "did:web:cafe.example", "광고", start) is None
    assert vault.consents.check("acct-1", "did:web:other.example", "임금 지급", start) is None
    # Expiry is exclusive: in force up to the last instant before start + 30 days.
    end = start + timedelta(days=30)
    assert vault.consents.check("acct-1", "did:web:cafe.example", "임금 지급", end) is None
    clock.advance(days=10)
    revoked = vault.consents.revoke(consent.id)
    assert revoked.revoked_at == clock()
    assert vault.consents.check("acct-1", "did:web:cafe.example", "임금 지급", clock()) is None
    # Before the revocation it was in force: the record keeps that history.
    earlier = clock() - timedelta(days=1)
    assert vault.consents.check("acct-1", "did:web:cafe.example", "임금 지급", earlier) is not None
    assert vault.consents.revoke(consent.id) == revoked
    assert vault.log.head()[0] == 2 and vault.verify_access_log().ok


def test_consent_refuses_an_expiry_in_the_past_and_an_empty_scope(
    vault: Vault, clock: Clock
) -> None:
    with pytest.raises(InvalidInput):
        vault.consents.grant("acct-1", "did:web:x.example", "p", ["k"], clock() - timedelta(1))
    with pytest.raises(InvalidInput):
        vault.consents.grant("acct-1", "did:web:x.example", "p", [], clock() + timedelta(1))
    with pytest.raises(ConsentNotFound):
        vault.consents.revoke("no-such-consent")


@pytest.fixture
def node(tmp_path: Path, clock: Clock) -> Iterator[Node]:
    clock.now = datetime.now(UTC)
    opened = Node.open(Config(data_dir=tmp_path / "data"), clock=clock)
    yield opened
    opened.close()


def test_anchor_holds_no_personal_data_and_erasure_leaves_the_ledger_auditing_clean(
    node: Node, clock: Clock
) -> None:
    vault = node.vault
    assert node.city is not None
    city = (node.city.kid, node.city.key)
    rid = vault.put("acct-1", "labor.worker", WORKER, retain_until=clock().date())
    vault.get(rid, actor="did:web:cafe.example", purpose="근로계약서 작성")
    receipt = vault.anchor_access_log(node.submit, city)
    assert receipt is not None
    assert vault.anchor_access_log(node.submit, city) is None
    entry = node.ledger.store.entry(receipt.index)
    assert entry is not None
    for secret in ("홍길동", "acct-1", rid, "cafe", "근로계약서"):
        assert secret.encode() not in entry.data
    assert b'"first":1,"head":"' + vault.log.head()[1].encode() in entry.data

    clock.advance(days=2)
    vault.erase("acct-1", actor="acct-1", reason="본인 요청")
    second = vault.anchor_access_log(node.submit, city)
    assert second is not None
    anchored = node.ledger.store.entry(second.index)
    assert anchored is not None and b'"first":2,' in anchored.data
    report = audit(
        node.ledger.store,
        node.ledger.verifier_key(),
        node.ledger.origin,
        lambda data: node.validator.check(data, check_time=False),
    )
    assert report.ok, report.problems
    assert vault.verify_access_log().ok


def test_rewriting_the_whole_chain_disagrees_with_the_anchored_head(
    node: Node, clock: Clock
) -> None:
    vault = node.vault
    assert node.city is not None
    rid = vault.put("acct-1", "labor.worker", WORKER)
    vault.get(rid, actor="did:web:cafe.example", purpose="근로계약서 작성")
    vault.anchor_access_log(node.submit, (node.city.kid, node.city.key))
    # An insider edits row 1 and recomputes its digest, so the chain alone looks whole.
    with raw(vault) as db:
        row = db.execute("SELECT * FROM privacy_log WHERE seq = 1").fetchone()
        forged = LogEvent(row[0], row[1], "someone-else", *row[3:6], "조회", row[7], "")
        digest = sha256(forged.canonical()).hexdigest()
        db.execute(
            "UPDATE privacy_log SET actor = ?, purpose = ?, digest = ? WHERE seq = 1",
            ("someone-else", "조회", digest),
        )
    result = vault.verify_access_log()
    assert result.broken_row == 1 and "anchored on the ledger" in result.reason_en


def test_a_ciphertext_deleted_behind_the_vaults_back_is_an_integrity_error(vault: Vault) -> None:
    rid = vault.put("acct-1", "labor.worker", WORKER)
    with raw(vault) as db:
        db.execute("UPDATE vault_records SET ciphertext = NULL WHERE id = ?", (rid,))
    with pytest.raises(RecordBroken, match="never erased"):
        vault.get(rid, actor="acct-1", purpose="본인 열람")
