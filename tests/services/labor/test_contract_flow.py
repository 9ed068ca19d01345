"""The labour contract service end to end: draft, send, the worker signs, the employer
countersigns, the ledger holds the concluded version without personal data, and both parties
get a sealed PDF."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from hashlib import sha256
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from blockcity.documents import open_sealed_pdf
from blockcity.errors import InvalidInput, NotFound
from blockcity.identity.signing import SignatureRejected
from blockcity.ledger.audit import audit
from blockcity.privacy.vault import Erased, UnderRetention
from blockcity.services.labor import FormKind
from blockcity.services.labor.contracts import (
    Concluded,
    ContractNotReady,
    InvitationNotValid,
    NotAllowed,
    StillEmployed,
)
from blockcity.services.labor.entries import DeclineReason
from blockcity.services.labor.records import (
    ContractState,
    InvalidPersonalDetails,
    PersonalDetails,
    TerminationReason,
)
from tests.services.labor.service_world import PERSONAL, LaborWorld, Signer, labor_world


@pytest.fixture
def lw(tmp_path: Path) -> Iterator[LaborWorld]:
    with labor_world(tmp_path / "data") as world:
        yield world


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_whole_flow_anchors_without_personal_data_and_hands_over_two_sealed_pdfs(
    lw: LaborWorld,
) -> None:
    concluded: Concluded = lw.conclude()
    contract = concluded.contract
    assert contract.state.value == "concluded"
    stored = lw.node.ledger.store.entry(concluded.receipt.index)
    assert stored is not None
    entry = stored.data
    body = json.loads(entry)["body"]
    assert json.loads(entry)["type"] == "labor.contract.concluded"
    assert body["document_digest"] == contract.digest
    assert body["worker"] == lw.worker.account.did
    for secret in ("김민지", "01048217395", "4821", "110-482-739512", "2300000", "2,300,000"):
        assert secret.encode() not in entry
    for pdf, label in (
        (concluded.worker_pdf, "근로자 보관용"),
        (concluded.employer_pdf, "사업주 보관용"),
    ):
        text = pdf_text(pdf)
        assert label in text
        assert "근로계약기간" in text and "김민지" in text and "2,300,000원" in text
        sealed = open_sealed_pdf(pdf)
        assert sealed.intact and sealed.attachment.name == "contract.json"
        attached = json.loads(sealed.attachment.payload)
        assert attached["document"]["contract_id"] == contract.id
        assert len(attached["signatures"]) == 2
        assert attached["anchor"]["index"] == concluded.receipt.index


def test_draft_with_errors_cannot_be_sent(lw: LaborWorld) -> None:
    # 9,000 won an hour is below the 2026 minimum of 10,320 won.
    draft = lw.draft(wage={"kind": "hourly", "amount": 9_000})
    contract = lw.node.labor.draft(lw.manager.account, lw.world.org.id, draft)
    assert contract.check.errors
    with pytest.raises(ContractNotReady):
        lw.node.labor.send(lw.manager.account, contract.id, {"phone": "010-4821-7395"})
    assert lw.node.labor.outbox.pending() == []


def test_outbox_holds_the_korean_message_with_the_link(lw: LaborWorld) -> None:
    contract = lw.node.labor.draft(lw.manager.account, lw.world.org.id, lw.draft())
    invitation = lw.node.labor.send(lw.manager.account, contract.id, {"phone": "010-4821-7395"})
    [message] = lw.node.labor.outbox.pending()
    assert message.channel == "sms" and message.recipient == "01048217395"
    assert f"/labor/invite/{invitation.token}" in message.text and "근로계약서" in message.text
    lw.node.labor.outbox.mark_sent(message.id)
    assert lw.node.labor.outbox.pending() == []
    # Once sent, neither the number nor the link stays behind in the outbox, nor in the
    # file's free space or write-ahead log; only the hash of the token is kept at rest.
    [kept] = lw.node.labor.db.query("SELECT recipient, text, sent_at FROM outbox")
    assert (kept["recipient"], kept["text"]) == ("", "") and kept["sent_at"]
    for name in ("labor.sqlite", "labor.sqlite-wal"):
        path = lw.node.config.data_dir / name
        raw = path.read_bytes() if path.exists() else b""
        assert invitation.token.encode() not in raw and b"01048217395" not in raw


def test_another_organizations_manager_cannot_see_or_countersign(lw: LaborWorld) -> None:
    contract, token = lw.sent()
    signed = lw.worker_signs(contract, token)
    stranger = Signer(lw.node, lw.world.stranger)
    assert signed.digest is not None
    record = stranger.sign(bytes.fromhex(signed.digest))
    with pytest.raises(NotFound):
        lw.node.labor.countersign(stranger.account, contract.id, record)
    with pytest.raises(NotFound):
        lw.node.labor.history(stranger.account, contract.id)
    with pytest.raises(NotFound):
        lw.node.labor.history(stranger.account, "00000000-0000-4000-8000-000000000000")


def test_clerk_may_not_draft(lw: LaborWorld) -> None:
    with pytest.raises(NotAllowed):
        lw.node.labor.draft(lw.world.clerk, lw.world.org.id, lw.draft())


def test_worker_signature_over_another_digest_is_refused(lw: LaborWorld) -> None:
    _, token = lw.sent()
    record = lw.worker.sign(sha256(b"a different contract").digest())
    with pytest.raises(SignatureRejected):
        lw.node.labor.worker_sign(token, lw.worker.account, lw.personal(), record)
    assert lw.node.labor.open_invitation(token).state is ContractState.SENT


def test_invitation_cannot_be_replayed_after_signing(lw: LaborWorld) -> None:
    contract, token = lw.sent()
    lw.worker_signs(contract, token)
    with pytest.raises(InvitationNotValid):
        lw.node.labor.open_invitation(token)
    assert contract.digest is not None
    with pytest.raises(InvitationNotValid):
        lw.node.labor.worker_sign(
            token, lw.worker.account, lw.personal(), lw.worker.sign(bytes.fromhex(contract.digest))
        )


def test_invitation_expires_after_seven_days(lw: LaborWorld) -> None:
    _, token = lw.sent()
    lw.world.clock.advance(days=7, seconds=1)
    with pytest.raises(InvitationNotValid, match="expired"):
        lw.node.labor.open_invitation(token)


def test_someone_else_cannot_sign_with_the_workers_link(lw: LaborWorld) -> None:
    contract, token = lw.sent()
    other = Signer(lw.node, lw.world.stranger)
    assert contract.digest is not None
    with pytest.raises(NotAllowed):
        lw.node.labor.worker_sign(
            token, other.account, lw.personal(), other.sign(bytes.fromhex(contract.digest))
        )


def test_decline_is_recorded_on_the_ledger(lw: LaborWorld) -> None:
    _, token = lw.sent()
    declined = lw.node.labor.decline(token, lw.worker.account, DeclineReason.TERMS)
    assert declined.state is ContractState.DECLINED and declined.ledger_index is not None
    stored = lw.node.ledger.store.entry(declined.ledger_index)
    assert stored is not None
    entry = json.loads(stored.data)
    assert entry["type"] == "labor.contract.declined" and entry["body"]["reason"] == "terms"
    with pytest.raises(InvitationNotValid):
        lw.node.labor.decline(token, lw.worker.account, DeclineReason.TERMS)


def test_amendment_is_version_two_linked_to_version_one_and_anchored(lw: LaborWorld) -> None:
    first = lw.conclude().contract
    changed = lw.draft(wage={"kind": "monthly", "amount": 2_500_000})
    amendment = lw.node.labor.amend(lw.manager.account, first.id, changed)
    assert amendment.version == 2 and amendment.previous_digest == first.digest
    second = lw.send_version(amendment)
    stored = lw.node.ledger.store.entry(second.receipt.index)
    assert stored is not None
    body = json.loads(stored.data)["body"]
    assert body["version"] == 2 and body["kind"] == "amendment"
    assert body["previous_digest"] == first.digest
    history = lw.node.labor.history(lw.worker.account, first.id)
    assert [c.version for c in history] == [1, 2]


def test_termination_sets_retention_and_erasure_waits_for_it(lw: LaborWorld) -> None:
    regular = lw.draft(FormKind.REGULAR)
    first = lw.conclude(regular).contract
    with pytest.raises(StillEmployed):
        lw.node.labor.erase_worker(lw.worker.account)
    ending = lw.node.labor.terminate(
        lw.manager.account, first.id, date(2026, 6, 30), TerminationReason.RESIGNATION
    )
    ended = lw.send_version(ending).contract
    assert ended.kind.value == "termination"
    # Employment ends 2026-06-30; kept 3 years (LSA Art. 42): until 2029-06-30.
    for version in lw.node.labor.history(lw.worker.account, first.id):
        assert version.personal_record is not None
        assert lw.node.vault.record(version.personal_record).retain_until == date(2029, 6, 30)
    with pytest.raises(UnderRetention, match="2029"):
        lw.node.labor.erase_worker(lw.worker.account, datetime(2029, 6, 30, 12, tzinfo=UTC))
    report = lw.node.labor.erase_worker(lw.worker.account, datetime(2029, 7, 1, 12, tzinfo=UTC))
    assert report.records == 2
    recipients = lw.node.labor.db.query("SELECT recipient, text FROM outbox")
    assert recipients and all(row["recipient"] == row["text"] == "" for row in recipients)
    with pytest.raises(Erased):
        lw.node.vault.get(ended.personal_record or "", actor="auditor", purpose="test")
    report = audit(
        lw.node.ledger.store,
        lw.node.ledger.verifier_key(),
        lw.node.ledger.origin,
        lambda data: lw.node.validator.check(data, check_time=False),
    )
    assert report.ok, report.problems


def test_personal_details_in_someone_elses_name_are_refused_in_both_languages() -> None:
    with pytest.raises(InvalidPersonalDetails) as refused:
        PersonalDetails.parse({**PERSONAL, "account_holder": "박사장"}, today=date(2026, 3, 2))
    assert "Art. 43" in refused.value.message_en and "제43조" in refused.value.message_ko
    with pytest.raises(InvalidPersonalDetails, match="phone"):
        PersonalDetails.parse({**PERSONAL, "phone": "02-123-4567"}, today=date(2026, 3, 2))


def test_career_certificate_verifies_green_and_fails_with_one_byte_changed(
    lw: LaborWorld,
) -> None:
    contract = lw.conclude(lw.long_enough_draft()).contract
    pdf, credential_id = lw.node.labor.career_certificate(
        lw.worker.account, [contract.id], {"employer", "period", "duties", "position"}
    )
    verdict = lw.node.verifier().verify(pdf)
    assert verdict.valid, [(c.name, c.reason_en) for c in verdict.checks if not c.ok]
    assert all(check.ok for check in verdict.checks)
    assert "document" in {check.name for check in verdict.checks}
    text = pdf_text(pdf)
    assert "사용증명서" in text and "2026-01-05 ~ 2026-12-31" in text and "한강 베이커리" in text
    # Not asked for, so absent from both the page and the credential (LSA Art. 39(2)).
    bundle = json.loads(open_sealed_pdf(pdf).attachment.payload)
    credential = json.dumps(bundle["credential"], ensure_ascii=False)
    assert bundle["credential"]["id"] == credential_id
    for absent in ("2,300,000", "2300000", "세종대로", "wage", "workplace"):
        assert absent not in text and absent not in credential
    base_length = open_sealed_pdf(pdf).base_length
    edited = bytearray(pdf)
    # One byte inside the visible pages' content.
    edited[base_length // 2] ^= 0x01
    failed = {c.name for c in lw.node.verifier().verify(bytes(edited)).checks if not c.ok}
    assert "document" in failed


def test_certificate_of_days_worked_waits_for_attendance(lw: LaborWorld) -> None:
    contract = lw.conclude(lw.long_enough_draft()).contract
    with pytest.raises(InvalidInput, match="attendance"):
        lw.node.labor.career_certificate(lw.worker.account, [contract.id], {"days_worked"})


def test_worker_cannot_get_a_certificate_for_someone_elses_contract(lw: LaborWorld) -> None:
    contract = lw.conclude().contract
    with pytest.raises(NotFound):
        lw.node.labor.career_certificate(lw.world.stranger, [contract.id], {"period"})
