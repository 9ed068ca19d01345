"""Checking an attendance record's proof offline: the record is a leaf of its batch's Merkle
tree (RFC 9162 inclusion), and the batch's root is what an ``attendance.batch.sealed`` entry
recorded on the ledger, proven against a checkpoint the ledger signed and witnesses cosigned.
Needs nothing but the proof and the ledger's trusted keys."""

from __future__ import annotations

import json

from blockcity.credentials.anchor import Anchor, LedgerTrust
from blockcity.credentials.checks import Check
from blockcity.crypto import b64url_decode
from blockcity.errors import BlockcityError
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import Checkpoint
from blockcity.services.attendance.entries import BATCH_SEALED, BatchSealed

PROOF_TYPE = "blockcity.attendance.record-proof"
_MAX_PATH = 64


def verify_record_proof(proof: object, trust: LedgerTrust) -> list[Check]:
    """Every check of ``proof`` (``Attendance.record_proof``), each passed or failed with a
    reason; the record is proven only when all pass."""
    try:
        record, leaf_index, size, path, anchor = _read(proof)
        envelope = json.loads(anchor.entry)
        if envelope.get("type") != BATCH_SEALED.name:
            raise ValueError("the anchored entry is not an attendance batch")
        body = BatchSealed.model_validate(envelope["body"])
        leaf = json.loads(record)
    except (ValueError, TypeError, KeyError, BlockcityError) as exc:
        return [
            Check.fail(
                "format",
                f"not a readable attendance record proof: {str(exc)[:160]}",
                f"읽을 수 있는 출퇴근 기록 증명이 아닙니다: {str(exc)[:160]}",
            )
        ]
    checks = [Check.pass_("format", "an attendance record proof", "출퇴근 기록 증명입니다")]
    in_batch = (
        size == body.count
        and leaf.get("seq") == body.first_seq + leaf_index
        and merkle.verify_inclusion(
            merkle.leaf_hash(record), leaf_index, size, path, bytes.fromhex(body.root)
        )
    )
    checks.append(
        Check(
            "inclusion",
            in_batch,
            f"record #{leaf.get('seq')} is leaf {leaf_index} of the batch of {body.count} "
            f"sealed by {body.organization}"
            if in_batch
            else "the record is not in the sealed batch: it or its proof was changed",
            f"기록 #{leaf.get('seq')}은(는) {body.organization}이(가) 봉인한 {body.count}건 "
            f"묶음의 {leaf_index}번째 잎입니다"
            if in_batch
            else "기록이 봉인된 묶음에 없습니다. 기록이나 증명이 바뀌었습니다",
        )
    )
    checks.extend(_ledger_checks(anchor, trust))
    return checks


def _read(proof: object) -> tuple[bytes, int, int, list[bytes], Anchor]:
    if not isinstance(proof, dict) or proof.get("type") != PROOF_TYPE:
        raise ValueError(f"the proof's type is not {PROOF_TYPE}")
    leaf_index, size = proof.get("leafIndex"), proof.get("batchSize")
    path = proof.get("inclusionProof")
    if not isinstance(leaf_index, int) or not isinstance(size, int) or isinstance(size, bool):
        raise ValueError("leafIndex and batchSize must be integers")
    if not isinstance(path, list) or len(path) > _MAX_PATH:
        raise ValueError("inclusionProof must be a short list of hex hashes")
    record = proof.get("record")
    if not isinstance(record, str):
        raise ValueError("record must be base64url text")
    return (
        b64url_decode(record),
        leaf_index,
        size,
        [bytes.fromhex(h) for h in path if isinstance(h, str)],
        Anchor.from_dict(proof.get("batchEntry")),
    )


def _ledger_checks(anchor: Anchor, trust: LedgerTrust) -> list[Check]:
    """The batch entry is on the ledger: the ledger accepted it only with the employer's valid
    signature, so its inclusion under a signed checkpoint vouches for both."""
    try:
        checkpoint, witnesses = trust.open(anchor.checkpoint)
    except BlockcityError as exc:
        return [
            Check.fail(
                "ledger",
                f"the checkpoint is not signed by this ledger's key: {exc.message_en}",
                f"체크포인트가 이 원장의 키로 서명되지 않았습니다: {exc.message_ko}",
            )
        ]
    included = (
        isinstance(checkpoint, Checkpoint)
        and checkpoint.origin == trust.origin
        and checkpoint.size == anchor.tree_size
        and merkle.verify_inclusion(
            merkle.leaf_hash(anchor.entry),
            anchor.index,
            anchor.tree_size,
            list(anchor.inclusion_proof),
            checkpoint.root,
        )
    )
    checks = [
        Check(
            "ledger",
            included,
            f"the batch is ledger entry {anchor.index}, proven against the ledger-signed "
            f"checkpoint of size {anchor.tree_size}"
            if included
            else "the batch entry's inclusion proof does not lead to the signed checkpoint",
            f"묶음은 원장 항목 {anchor.index}이며 원장이 서명한 크기 {anchor.tree_size}의 "
            "체크포인트로 증명됩니다"
            if included
            else "묶음 항목의 포함 증명이 서명된 체크포인트로 이어지지 않습니다",
        )
    ]
    if trust.quorum:
        checks.append(
            Check(
                "witnesses",
                witnesses >= trust.quorum,
                f"{witnesses} trusted witnesses cosigned the checkpoint (needed: {trust.quorum})",
                f"신뢰하는 증인 {witnesses}곳이 체크포인트에 연서명했습니다 (필요: {trust.quorum})",
            )
        )
    return checks
