"""The worker's full record for a dispute (issue 6 item 4): every concluded contract version with
both signature records, every attendance record with its proof, and every wage statement with
its acknowledgement and objections, each with its ledger anchor, in one JSON bundle.

``verify_dispute_bundle`` checks all of it offline with nothing but the ledger's trusted keys
(the one verifier calls it for this bundle type): each document's digest against the entry the
ledger recorded, the Seoul Pass signatures, the attendance proofs, and every inclusion proof
against a checkpoint the ledger signed and witnesses cosigned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from blockcity.credentials.anchor import Anchor, LedgerTrust
from blockcity.credentials.checks import Check, Verdict
from blockcity.crypto import KeyResolver, canonical_json
from blockcity.errors import BlockcityError, NotFound
from blockcity.identity.model import Account
from blockcity.identity.signing import (
    RegisteredKey,
    SignatureKind,
    SignatureRecord,
    verify_signature_record,
)
from blockcity.ledger import merkle
from blockcity.services.attendance import Attendance, verify_record_proof
from blockcity.services.labor.contracts import LaborContracts
from blockcity.services.labor.documents import contract_digest
from blockcity.services.labor.records import ContractState
from blockcity.services.wages.service import WageStatements, statement_digest, text_digest

DISPUTE_BUNDLE_TYPE = "BlockcityDisputeBundle"


def export_record(
    worker: Account,
    contract_id: str,
    *,
    labor: LaborContracts,
    attendance: Attendance,
    wages: WageStatements,
    today: date,
) -> bytes:
    """The worker's bundle for ``contract_id`` as canonical JSON; only the contract's own
    worker may export it (anyone else is told it does not exist)."""
    versions = labor.history(worker, contract_id)
    if versions[-1].worker_did != worker.did:
        raise wages_not_found()
    contract = []
    for version in versions:
        if version.state is not ContractState.CONCLUDED or version.ledger_index is None:
            continue
        assert version.worker_signature is not None and version.employer_signature is not None
        contract.append(
            {
                "version": version.version,
                "document": version.document,
                "worker_signature": version.worker_signature.to_dict(),
                "employer_signature": version.employer_signature.to_dict(),
                "anchor": Anchor.of(labor.ledger, version.ledger_index).to_dict(),
            }
        )
    period = versions[-1].draft.period
    start = period.start if period else today
    end = min(period.end, today) if period and period.end else today
    records = attendance.records(worker, contract_id, start, end) if start <= end else []
    statements = []
    for issued in reversed(wages.for_worker(worker, contract_id)):
        statements.append(
            {
                "statement": issued.document,
                "anchor": wages.anchor(issued.ledger_index).to_dict(),
                "acknowledgement": (
                    {
                        "signature": issued.acknowledgement.to_dict(),
                        "anchor": wages.anchor(issued.acknowledgement_index).to_dict(),
                    }
                    if issued.acknowledgement is not None
                    and issued.acknowledgement_index is not None
                    else None
                ),
                "objections": [
                    {
                        "id": o.id,
                        "category": o.category.value,
                        "text": o.text,
                        "anchor": wages.anchor(o.ledger_index).to_dict(),
                        "answer": o.answer,
                        "answer_anchor": (
                            wages.anchor(o.answer_ledger_index).to_dict()
                            if o.answer_ledger_index is not None
                            else None
                        ),
                    }
                    for o in issued.objections
                ],
            }
        )
    bundle = {
        "type": DISPUTE_BUNDLE_TYPE,
        "version": 1,
        "contract_id": contract_id,
        "worker": worker.did,
        "contract": contract,
        "attendance": [attendance.record_proof(r.id) for r in records],
        "statements": statements,
    }
    return canonical_json(bundle)


def wages_not_found() -> BlockcityError:
    return NotFound(
        "no such contract (or it is not yours to see)",
        "그런 근로계약서가 없습니다 (또는 볼 권한이 없습니다)",
    )


# --- offline verification ------------------------------------------------------------------


class _Bad(Exception):
    """A part of the bundle failed; the message names which and why, in both languages."""

    def __init__(self, en: str, ko: str) -> None:
        super().__init__(en)
        self.en = en
        self.ko = ko


class _Ledger:
    """Opens anchors against the trusted ledger and remembers how each fared."""

    def __init__(self, trust: LedgerTrust) -> None:
        self.trust = trust
        self.count = 0
        self.witnessed = True

    def entry(self, raw: object, expected_type: str) -> dict[str, Any]:
        try:
            anchor = Anchor.from_dict(raw)
            checkpoint, witnesses = self.trust.open(anchor.checkpoint)
        except BlockcityError as exc:
            raise _Bad(
                f"an anchor cannot be read or its checkpoint is not this ledger's: "
                f"{exc.message_en}",
                f"앵커를 읽을 수 없거나 체크포인트가 이 원장의 것이 아닙니다: {exc.message_ko}",
            ) from exc
        if (
            checkpoint.origin != self.trust.origin
            or checkpoint.size != anchor.tree_size
            or not merkle.verify_inclusion(
                merkle.leaf_hash(anchor.entry),
                anchor.index,
                anchor.tree_size,
                list(anchor.inclusion_proof),
                checkpoint.root,
            )
        ):
            raise _Bad(
                f"the inclusion proof of ledger entry {anchor.index} does not lead to the signed "
                "checkpoint: the entry or its proof was changed",
                f"원장 항목 {anchor.index}의 포함 증명이 서명된 체크포인트로 이어지지 않습니다",
            )
        self.count += 1
        if self.trust.quorum and witnesses < self.trust.quorum:
            self.witnessed = False
        envelope = json.loads(anchor.entry)
        if envelope.get("type") != expected_type or not isinstance(envelope.get("body"), dict):
            raise _Bad(
                f"ledger entry {anchor.index} is not a {expected_type} entry",
                f"원장 항목 {anchor.index}은(는) {expected_type} 항목이 아닙니다",
            )
        body: dict[str, Any] = envelope["body"]
        return body


def verify_dispute_bundle(
    bundle: dict[str, Any], keys: KeyResolver, trust: LedgerTrust | None
) -> Verdict:
    """Every check of a dispute bundle: ``format``, ``contract``, ``signatures``,
    ``attendance``, ``statements``, ``ledger`` (and ``witnesses`` when the verifier trusts
    some); valid only when all pass."""
    contract, attendance, statements = (
        bundle.get("contract"),
        bundle.get("attendance"),
        bundle.get("statements"),
    )
    if (
        bundle.get("version") != 1
        or not isinstance(contract, list)
        or not contract
        or not isinstance(attendance, list)
        or not isinstance(statements, list)
    ):
        return Verdict(
            "dispute-bundle",
            (
                Check.fail(
                    "format",
                    "not a dispute bundle of version 1 with a contract, attendance and statements",
                    "계약, 출퇴근, 임금명세서가 있는 1판 분쟁 기록 묶음이 아닙니다",
                ),
            ),
        )
    checks = [
        Check.pass_(
            "format",
            f"a dispute bundle: {len(contract)} contract version(s), {len(attendance)} "
            f"attendance record(s), {len(statements)} wage statement(s)",
            f"분쟁 기록 묶음: 계약 {len(contract)}판, 출퇴근 기록 {len(attendance)}건, "
            f"임금명세서 {len(statements)}건",
        )
    ]
    if trust is None:
        checks.append(
            Check.fail(
                "ledger",
                "this verifier does not know the ledger's public key: run it with the ledger's "
                "data folder",
                "이 검증기는 원장의 공개키를 모릅니다. 원장 데이터 폴더를 지정해 실행하십시오",
            )
        )
        return Verdict("dispute-bundle", tuple(checks))
    ledger = _Ledger(trust)
    worker = bundle.get("worker")
    signatures: list[tuple[SignatureRecord, bytes]] = []
    checks.append(_part("contract", lambda: _contract(contract, worker, ledger, signatures)))
    checks.append(_part("signatures", lambda: _signatures(signatures, keys)))
    checks.append(_part("attendance", lambda: _attendance(attendance, trust)))
    checks.append(_part("statements", lambda: _statements(statements, worker, ledger)))
    checks.append(
        Check(
            "ledger",
            ledger.count > 0 and all(c.ok for c in checks),
            f"{ledger.count} ledger entries proven against checkpoints this ledger signed",
            f"원장 항목 {ledger.count}건이 이 원장이 서명한 체크포인트로 증명됩니다",
        )
        if all(c.ok for c in checks)
        else Check.fail(
            "ledger",
            "not every part is proven on the ledger (see the failed check)",
            "모든 부분이 원장으로 증명되지는 않았습니다 (실패한 항목을 보십시오)",
        )
    )
    if trust.quorum:
        checks.append(
            Check(
                "witnesses",
                ledger.witnessed,
                f"trusted witnesses cosigned every checkpoint (needed: {trust.quorum})",
                f"신뢰하는 증인이 모든 체크포인트에 연서명했습니다 (필요: {trust.quorum})",
            )
            if ledger.witnessed
            else Check.fail(
                "witnesses",
                "a checkpoint lacks the trusted witnesses' cosignatures",
                "신뢰하는 증인의 연서명이 없는 체크포인트가 있습니다",
            )
        )
    summary = {"contract_id": bundle.get("contract_id"), "worker": worker}
    return Verdict("dispute-bundle", tuple(checks), summary)


def _part(name: str, run: Callable[[], tuple[str, str]]) -> Check:
    try:
        en, ko = run()
    except _Bad as exc:
        return Check.fail(name, exc.en, exc.ko)
    except (ValueError, TypeError, KeyError, AttributeError, BlockcityError) as exc:
        reason = exc.message_en if isinstance(exc, BlockcityError) else str(exc)[:160]
        return Check.fail(
            name, f"this part cannot be read: {reason}", f"이 부분을 읽을 수 없습니다: {reason}"
        )
    return Check.pass_(name, en, ko)


def _sha(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(record)).hexdigest()


def _contract(
    versions: list[Any],
    worker: object,
    ledger: _Ledger,
    signatures: list[tuple[SignatureRecord, bytes]],
) -> tuple[str, str]:
    contract_id = None
    for item in versions:
        document = item["document"]
        digest = contract_digest(document)
        body = ledger.entry(item["anchor"], "labor.contract.concluded")
        if (
            body.get("document_digest") != digest
            or body.get("worker") != worker
            or body.get("worker_signature") != _sha(item["worker_signature"])
            or body.get("employer_signature") != _sha(item["employer_signature"])
            or body.get("version") != item["version"]
            or contract_id not in (None, body.get("contract_id"))
        ):
            raise _Bad(
                f"contract version {item.get('version')} differs from what the ledger recorded "
                "(document, worker or signatures changed)",
                f"계약 {item.get('version')}판이 원장 기록과 다릅니다 (문서, 근로자 또는 서명이 "
                "바뀌었습니다)",
            )
        contract_id = body["contract_id"]
        for record in (item["worker_signature"], item["employer_signature"]):
            signatures.append((SignatureRecord.from_dict(record), bytes.fromhex(digest)))
    return (
        f"{len(versions)} contract version(s) of {contract_id} match the documents anchored on "
        "the ledger",
        f"계약 {contract_id}의 {len(versions)}개 판이 원장에 기록된 문서와 같습니다",
    )


def _offline_key(keys: KeyResolver) -> Callable[[SignatureRecord], RegisteredKey]:
    def resolve(record: SignatureRecord) -> RegisteredKey:
        if record.kind is SignatureKind.CUSTODIAL:
            assert record.kid is not None  # a custodial record always names its key
            return RegisteredKey(keys.resolve(record.kid, record.signed_at).raw)
        # A passkey record carries its public key; the anchored entry commits to the record's
        # digest, so the employer vouched on the ledger that this key signed for the person.
        assert record.webauthn is not None
        origin = json.loads(record.webauthn.client_data_json).get("origin", "")
        host = urlsplit(str(origin)).hostname or ""
        return RegisteredKey(record.webauthn.public_key, host, frozenset({str(origin)}))

    return resolve


def _signatures(
    signatures: list[tuple[SignatureRecord, bytes]], keys: KeyResolver
) -> tuple[str, str]:
    resolve = _offline_key(keys)
    for record, digest in signatures:
        verify_signature_record(record, digest, resolve)
    return (
        f"{len(signatures)} Seoul Pass signature(s) are valid over the exact documents",
        f"서울패스 서명 {len(signatures)}건이 해당 문서 그대로에 대해 유효합니다",
    )


def _attendance(proofs: list[Any], trust: LedgerTrust) -> tuple[str, str]:
    for index, proof in enumerate(proofs):
        failed = next((c for c in verify_record_proof(proof, trust) if not c.ok), None)
        if failed is not None:
            raise _Bad(
                f"attendance record {index}: {failed.reason_en}",
                f"출퇴근 기록 {index}: {failed.reason_ko}",
            )
    return (
        f"{len(proofs)} attendance record(s) are in batches sealed on the ledger",
        f"출퇴근 기록 {len(proofs)}건이 원장에 봉인된 묶음에 있습니다",
    )


def _statements(items: list[Any], worker: object, ledger: _Ledger) -> tuple[str, str]:
    acknowledged = objected = 0
    for item in items:
        document = item["statement"]
        digest = statement_digest(document)
        issued = ledger.entry(item["anchor"], "wages.statement.issued")
        if (
            issued.get("statement_digest") != digest
            or issued.get("statement_id") != document.get("id")
            or issued.get("worker") != worker
        ):
            raise _Bad(
                f"wage statement {document.get('id')} differs from what the ledger recorded",
                f"임금명세서 {document.get('id')}이(가) 원장 기록과 다릅니다",
            )
        ack = item.get("acknowledgement")
        if ack is not None:
            body = ledger.entry(ack["anchor"], "wages.statement.acknowledged")
            record = SignatureRecord.from_dict(ack["signature"])
            if (
                body.get("statement_digest") != digest
                or body.get("worker_signature") != _sha(ack["signature"])
                or record.digest != bytes.fromhex(digest)
                or record.signer != worker
            ):
                raise _Bad(
                    f"the receipt of statement {document.get('id')} is not the worker's "
                    "signature over it",
                    f"임금명세서 {document.get('id')}의 수령 서명이 근로자의 서명이 아닙니다",
                )
            acknowledged += 1
        for objection in item.get("objections", []):
            body = ledger.entry(objection["anchor"], "wages.statement.objected")
            if (
                body.get("statement_digest") != digest
                or body.get("objection_id") != objection["id"]
                or body.get("category") != objection["category"]
                or body.get("objection_digest") != text_digest(objection["id"], objection["text"])
            ):
                raise _Bad(
                    f"objection {objection.get('id')} differs from what the ledger recorded",
                    f"이의 {objection.get('id')}이(가) 원장 기록과 다릅니다",
                )
            if objection.get("answer") is not None:
                answer = ledger.entry(objection["answer_anchor"], "wages.objection.answered")
                if answer.get("answer_digest") != text_digest(objection["id"], objection["answer"]):
                    raise _Bad(
                        f"the answer to objection {objection['id']} was changed",
                        f"이의 {objection['id']}에 대한 답변이 바뀌었습니다",
                    )
            objected += 1
    return (
        f"{len(items)} wage statement(s) match their anchored digests; {acknowledged} "
        f"receipt(s) signed, {objected} objection(s)",
        f"임금명세서 {len(items)}건이 원장의 값과 같습니다. 수령 서명 {acknowledged}건, "
        f"이의 {objected}건",
    )
