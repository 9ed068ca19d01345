"""Anchoring credentials on the ledger, and checking an anchor offline.

An issued credential's digest becomes a ``credentials.issued`` entry signed by the issuer's key.
What a verifier needs to check it without any network travels with the credential as its
*anchor*: the entry's exact bytes, its index, an RFC 9162 inclusion proof and the checkpoint
(C2SP signed note, with the witnesses' cosignatures) the proof leads to. The verifier trusts
only the ledger's public key and the witnesses' keys.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from blockcity.credentials.checks import Check
from blockcity.crypto import SigningKey, b64url_decode, b64url_encode, canonical_json
from blockcity.errors import BlockcityError, InvalidInput
from blockcity.identity.dids import parse_time
from blockcity.ledger import merkle
from blockcity.ledger.checkpoint import Checkpoint, open_checkpoint, verify_cosignatures
from blockcity.ledger.entries import (
    Entry,
    EntryRejected,
    EntryType,
    EntryTypes,
    SignedHere,
    sign_here,
)
from blockcity.ledger.log import ConsistencyProof, Ledger
from blockcity.ledger.note import Verifier

_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"
_DID_URL = r"^did:(key|web):[A-Za-z0-9._:%-]+#[A-Za-z0-9._-]+$"
_DIGEST = r"^[A-Za-z0-9_-]{43}$"
_CREDENTIAL_TYPE = r"^[A-Za-z][A-Za-z0-9]{0,63}$"
_MAX_PROOF_HASHES = 64

CredentialFormat = Literal["vc", "sd-jwt"]
BUNDLE_TYPE = "BlockcityCredentialBundle"
"""The ``type`` of a credential bundle: {"credential" or "sdJwt", "anchor", "statusLists"}."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CredentialIssued(_Strict):
    """``issuer`` issued a credential of ``types`` whose digest is ``digest``. No holder, no
    claim: the digest alone, so the ledger says nothing about whom it was issued to."""

    issuer: str = Field(pattern=_DID, max_length=200)
    verification_method: str = Field(pattern=_DID_URL, max_length=260)
    format: CredentialFormat
    digest: str = Field(pattern=_DIGEST)
    types: list[str] = Field(min_length=1, max_length=8)


class StatusListPublished(_Strict):
    """``issuer`` published version ``digest`` of its status list at ``list_url``."""

    issuer: str = Field(pattern=_DID, max_length=200)
    list_url: str = Field(min_length=8, max_length=300)
    digest: str = Field(pattern=_DIGEST)


CREDENTIAL_ISSUED = EntryType(
    name="credentials.issued",
    version=1,
    body=CredentialIssued,
    description="An issuer anchored the digest of a credential it issued.",
    required_signers=lambda body: [body.issuer],
)
STATUS_LIST_PUBLISHED = EntryType(
    name="credentials.status.published",
    version=1,
    body=StatusListPublished,
    description="An issuer published a new version of a credential status list.",
    required_signers=lambda body: [body.issuer],
)


def register_entry_types(types: EntryTypes) -> None:
    types.register(CREDENTIAL_ISSUED)
    types.register(STATUS_LIST_PUBLISHED)


def credential_digest(credential: dict[str, Any]) -> str:
    """SHA-256 of the secured credential's RFC 8785 form, proof included, in base64url."""
    return b64url_encode(sha256(canonical_json(credential)).digest())


def sd_jwt_digest(sd_jwt: str) -> str:
    """SHA-256 of an SD-JWT's issuer-signed JWT, which commits to every disclosure's digest."""
    return b64url_encode(sha256(sd_jwt.split("~", 1)[0].encode("ascii")).digest())


def issued_entry(
    signer: tuple[str, SigningKey],
    digest: str,
    types: Sequence[str],
    *,
    credential_format: CredentialFormat = "vc",
    at: datetime | None = None,
) -> SignedHere:
    """The ``credentials.issued`` entry for a credential digest, signed here by the issuer
    key the platform holds."""
    kid, _ = signer
    body = CredentialIssued(
        issuer=kid.split("#", 1)[0],
        verification_method=kid,
        format=credential_format,
        digest=digest,
        types=list(types),
    )
    return sign_here(CREDENTIAL_ISSUED.name, body.model_dump(), [signer], at=at)


def check_issued_entry(
    entry: Entry, credential_types_allowed: Callable[[str, list[str], datetime], None]
) -> None:
    """Rules the schema cannot say: the issuer signs with the key the entry names, and the
    trusted-issuer registry (``credential_types_allowed``) lets it issue those types now."""
    body = CredentialIssued.model_validate(entry.body)
    if [s.kid for s in entry.sigs] != [body.verification_method]:
        raise EntryRejected(
            "a credentials.issued entry is signed by exactly the key it names as "
            "verification_method",
            "credentials.issued 항목은 verification_method에 적은 키 하나로만 서명합니다",
        )
    credential_types_allowed(body.issuer, body.types, entry.at)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a credential is on the ledger, with the proof of it, as carried in its bundle."""

    entry: bytes
    index: int
    tree_size: int
    inclusion_proof: tuple[bytes, ...]
    checkpoint: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": b64url_encode(self.entry),
            "index": self.index,
            "treeSize": self.tree_size,
            "inclusionProof": [b64url_encode(h) for h in self.inclusion_proof],
            "checkpoint": self.checkpoint,
        }

    @classmethod
    def from_dict(cls, raw: object) -> Anchor:
        """Read an anchor, or raise InvalidInput saying which member is wrong."""
        if not isinstance(raw, dict):
            raise _bad("the anchor is not a JSON object", "앵커가 JSON 객체가 아닙니다")
        try:
            entry = b64url_decode(_member(raw, "entry", str))
            path = _member(raw, "inclusionProof", list)
            if len(path) > _MAX_PROOF_HASHES or not all(isinstance(h, str) for h in path):
                raise ValueError("inclusionProof")
            hashes = tuple(b64url_decode(h) for h in path)
        except ValueError as exc:
            raise _bad(
                f"the anchor's {exc} is not valid base64url",
                f"앵커의 {exc} 값이 올바른 base64url이 아닙니다",
            ) from exc
        return cls(
            entry,
            _member(raw, "index", int),
            _member(raw, "treeSize", int),
            hashes,
            _member(raw, "checkpoint", str),
        )

    @classmethod
    def of(cls, ledger: Ledger, index: int) -> Anchor:
        """The anchor of ledger entry ``index``, proven against the latest cosigned checkpoint."""
        note = ledger.checkpoint()
        tree_size = Checkpoint.parse(note.split("\n\n", 1)[0] + "\n").size
        proof = ledger.inclusion_proof(index, tree_size)
        return cls(ledger.entry(index).data, index, tree_size, tuple(proof.path), note)


def _member(raw: dict[str, Any], name: str, kind: type) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _bad(
            f"the anchor's {name!r} is missing or not a {kind.__name__}",
            f"앵커의 {name!r} 값이 없거나 형식이 다릅니다",
        )
    return value


def _bad(en: str, ko: str) -> InvalidInput:
    return InvalidInput(en, ko)


NewerCheckpoint = Callable[[int], tuple[int, ConsistencyProof] | None]
"""Given an anchored tree size, a newer tree size and the consistency proof to it, if known."""


class LedgerTrust:
    """What a verifier trusts about the ledger: its origin and key, the witnesses' keys and
    how many of them must have cosigned. Opened checkpoints are remembered, so verifying many
    credentials anchored under one checkpoint checks its signatures once."""

    def __init__(
        self,
        origin: str,
        log_keys: Sequence[str],
        witness_keys: Sequence[str] = (),
        *,
        quorum: int = 1,
        newer: NewerCheckpoint | None = None,
    ) -> None:
        self.origin = origin
        self.log_keys = [Verifier.from_key(k) for k in log_keys]
        self.witness_keys = [Verifier.from_key(k) for k in witness_keys]
        self.quorum = quorum if self.witness_keys else 0
        self.newer = newer
        self._opened: dict[str, tuple[Checkpoint, int]] = {}
        self._lock = threading.Lock()

    def open(self, note: str) -> tuple[Checkpoint, int]:
        """The checkpoint ``note`` signs and how many trusted witnesses cosigned it; raises a
        BlockcityError if the log's key did not sign it."""
        with self._lock:
            known = self._opened.get(note)
        if known is not None:
            return known
        checkpoint, _ = open_checkpoint(note, self.log_keys)
        witnesses = (
            len(
                {
                    (c.name, c.key_id)
                    for c in verify_cosignatures(note, checkpoint, self.witness_keys)
                }
            )
            if self.witness_keys
            else 0
        )
        with self._lock:
            if len(self._opened) > 1024:
                self._opened.clear()
            self._opened[note] = (checkpoint, witnesses)
        return checkpoint, witnesses


def check_anchor(
    anchor: Anchor,
    *,
    digest: str,
    issuer: str,
    verification_method: str | None,
    trust: LedgerTrust,
) -> tuple[list[Check], datetime | None]:
    """The ledger checks of one anchor: the entry records this credential, the inclusion proof
    leads to a checkpoint the ledger signed, the witnesses cosigned it, and (when the verifier
    knows a newer checkpoint) the ledger has only grown since. Also returns the anchoring time.
    """
    try:
        envelope = json.loads(anchor.entry)
        body = CredentialIssued.model_validate(envelope.get("body"))
        anchored_at = parse_time(envelope.get("at", ""))
        if envelope.get("type") != CREDENTIAL_ISSUED.name:
            raise ValueError("not a credentials.issued entry")
    except (ValueError, TypeError, AttributeError, BlockcityError) as exc:
        return [
            Check.fail(
                "ledger",
                f"the anchored entry is not a credential anchor: {str(exc)[:160]}",
                f"앵커의 원장 항목이 자격증명 기록이 아닙니다: {str(exc)[:160]}",
            )
        ], None
    if body.digest != digest or body.issuer != issuer:
        return [
            Check.fail(
                "ledger",
                f"ledger entry {anchor.index} records another credential, not this one",
                f"원장 항목 {anchor.index}에는 이 자격증명이 아닌 다른 것이 기록되어 있습니다",
            )
        ], None
    if verification_method is not None and body.verification_method != verification_method:
        return [
            Check.fail(
                "ledger",
                f"the credential is signed with {verification_method}, but the ledger recorded "
                f"{body.verification_method}",
                f"자격증명은 {verification_method}로 서명되었는데 원장에는 "
                f"{body.verification_method}가 기록되어 있습니다",
            )
        ], None
    try:
        checkpoint, witnesses = trust.open(anchor.checkpoint)
    except BlockcityError as exc:
        return [
            Check.fail(
                "ledger",
                f"the checkpoint is not signed by this ledger's key: {exc.message_en}",
                f"체크포인트가 이 원장의 키로 서명되지 않았습니다: {exc.message_ko}",
            )
        ], None
    if checkpoint.origin != trust.origin or checkpoint.size != anchor.tree_size:
        return [
            Check.fail(
                "ledger",
                f"the checkpoint is for {checkpoint.origin} at size {checkpoint.size}, not "
                f"{trust.origin} at size {anchor.tree_size}",
                f"체크포인트가 {trust.origin}의 크기 {anchor.tree_size}가 아니라 "
                f"{checkpoint.origin}의 크기 {checkpoint.size}의 것입니다",
            )
        ], None
    if not merkle.verify_inclusion(
        merkle.leaf_hash(anchor.entry),
        anchor.index,
        anchor.tree_size,
        list(anchor.inclusion_proof),
        checkpoint.root,
    ):
        return [
            Check.fail(
                "ledger",
                "the inclusion proof does not lead to the signed checkpoint's root: the "
                "credential or its anchor was changed",
                "포함 증명이 서명된 체크포인트의 루트로 이어지지 않습니다. 자격증명이나 앵커가 "
                "바뀌었습니다",
            )
        ], None
    checks = [
        Check.pass_(
            "ledger",
            f"recorded on the ledger as entry {anchor.index} at {envelope['at']}, proven "
            f"against the ledger-signed checkpoint of size {anchor.tree_size}",
            f"{envelope['at']}에 원장 항목 {anchor.index}로 기록되었고, 원장이 서명한 크기 "
            f"{anchor.tree_size}의 체크포인트로 증명됩니다",
        )
    ]
    if trust.quorum:
        checks.append(
            Check(
                "witnesses",
                witnesses >= trust.quorum,
                f"{witnesses} of the {len(trust.witness_keys)} trusted witnesses cosigned the "
                f"checkpoint (needed: {trust.quorum})",
                f"신뢰하는 증인 {len(trust.witness_keys)}곳 중 {witnesses}곳이 체크포인트에 "
                f"연서명했습니다 (필요: {trust.quorum})",
            )
        )
    if trust.newer is not None:
        newer = trust.newer(anchor.tree_size)
        if newer is not None:
            size, proof = newer
            consistent = proof.old_root == checkpoint.root and proof.verify()
            checks.append(
                Check(
                    "consistency",
                    consistent,
                    f"the ledger's current tree of size {size} extends the anchored one"
                    if consistent
                    else f"the ledger's current tree of size {size} does NOT extend the "
                    "anchored checkpoint: the ledger was rewritten, report this",
                    f"원장의 현재 트리(크기 {size})가 앵커의 트리를 이어 갑니다"
                    if consistent
                    else f"원장의 현재 트리(크기 {size})가 앵커의 체크포인트를 잇지 않습니다. "
                    "원장이 다시 쓰였으니 신고하십시오",
                )
            )
    return checks, anchored_at
