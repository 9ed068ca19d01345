"""Checkpoints (C2SP tlog-checkpoint) and witness cosignatures on them (C2SP tlog-cosignature).

A checkpoint is the signed note a block publishes for its tree head; witnesses add timestamped
cosignature/v1 lines, and a client trusts a checkpoint once enough witnesses have cosigned it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from blockcity.errors import InvalidInput, VerificationFailed
from blockcity.ledger.note import (
    MAX_TIMESTAMP,
    InvalidKey,
    KeyType,
    Note,
    Signature,
    Signer,
    UnverifiedNote,
    Verifier,
    cosignature_message,
    sign_note,
    verify_note,
)

# Tree sizes are stored as signed 64-bit integers (SQLite, Go's sumdb/tlog), so a checkpoint
# claiming more leaves is refused rather than truncated.
MAX_TREE_SIZE = 2**63 - 1

_ROOT_SIZE = 32
_SEED_SIZE = 32
# tlog-checkpoint "Note text": ASCII decimal, no leading zeroes; 19 digits hold MAX_TREE_SIZE.
_TREE_SIZE = re.compile("0|[1-9][0-9]{0,18}")
# A line of note text: no newline nor other control character (signed-note "Format").
_CONTROL = re.compile("[\x00-\x1f]")


class MalformedCheckpoint(InvalidInput):
    """A checkpoint, or the text that should hold one, breaks tlog-checkpoint's format."""

    code = "checkpoint-malformed"
    title_ko = "체크포인트 형식이 올바르지 않습니다"
    title_en = "Malformed checkpoint"


class CosignedOtherCheckpoint(VerificationFailed):
    """The cosigned note is not the checkpoint being checked."""

    code = "checkpoint-cosigned-other"

    def __init__(self) -> None:
        super().__init__(
            "the cosigned note's text is not this checkpoint",
            "연서명된 노트의 본문이 이 체크포인트와 다릅니다",
        )


class QuorumNotMet(VerificationFailed):
    """Fewer distinct witnesses cosigned the checkpoint than the policy requires."""

    code = "checkpoint-quorum-not-met"

    def __init__(self, have: int, need: int) -> None:
        super().__init__(
            f"{have} trusted witnesses cosigned the checkpoint; {need} are required",
            f"신뢰하는 증인 {have}명이 체크포인트에 연서명했습니다. {need}명이 필요합니다",
            have=have,
            need=need,
        )


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, RFC 9162 root hash and optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin", "출처(origin)")
        size_is_int = isinstance(self.size, int) and not isinstance(self.size, bool)
        if not size_is_int or not 0 <= self.size <= MAX_TREE_SIZE:
            raise _malformed(
                f"the tree size must be an integer from 0 to {MAX_TREE_SIZE}, got {self.size!r}",
                f"트리 크기는 0 이상 {MAX_TREE_SIZE} 이하의 정수여야 하는데 {self.size!r}입니다",
            )
        if len(self.root) != _ROOT_SIZE:
            raise _malformed(
                f"the root hash must be 32 bytes, got {len(self.root)}",
                f"루트 해시는 32바이트여야 하는데 {len(self.root)}바이트입니다",
            )
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in self.extensions:
            _check_line(line, "extension line", "확장 줄")

    def body(self) -> str:
        """The note text: origin, size, base64 root and extension lines (tlog-checkpoint)."""
        root = base64.b64encode(self.root).decode()
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint's note text, refusing anything ``body()`` would not produce."""
        lines = body.removesuffix("\n").split("\n")
        if not body.endswith("\n") or len(lines) < 3:
            raise _malformed(
                "a checkpoint is at least three lines, each ending in a newline",
                "체크포인트는 줄바꿈으로 끝나는 줄 세 개 이상이어야 합니다",
            )
        origin, size, root, *extensions = lines
        if not _TREE_SIZE.fullmatch(size):
            raise _malformed(
                f"the tree size {size[:40]!r} is not a decimal without leading zeroes",
                f"트리 크기 {size[:40]!r}은(는) 앞자리 0이 없는 10진수가 아닙니다",
            )
        return cls(origin, int(size), _decode_root(root), tuple(extensions))


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature/v1: which witness key signed, and when (POSIX seconds)."""

    name: str
    key_id: bytes
    timestamp: int
    signature: bytes


@dataclass(frozen=True, eq=False)
class Cosigner:
    """A witness's named Ed25519 key, used for cosignature/v1 (key type 0x04) only.

    tlog-cosignature: the v1 message does not commit to the cosigner's name, so one key must
    not serve two cosigners, nor sign notes as a plain Ed25519 `Signer`.
    """

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)
    verifier: Verifier = field(init=False)

    def __post_init__(self) -> None:
        public_key = self.private_key.public_key().public_bytes_raw()
        verifier = Verifier(self.name, KeyType.COSIGNATURE_V1, public_key)
        object.__setattr__(self, "verifier", verifier)

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Cosigner:
        """Make the cosigner whose Ed25519 private key is the 32-byte RFC 8032 seed ``seed``."""
        if len(seed) != _SEED_SIZE:
            raise InvalidKey(
                f"an Ed25519 seed is 32 bytes, got {len(seed)}",
                f"Ed25519 시드는 32바이트여야 하는데 {len(seed)}바이트입니다",
            )
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        """Make a cosigner with a fresh random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def key_id(self) -> bytes:
        """SHA-256(name || 0x0A || 0x04 || public key)[:4] (tlog-cosignature "Format")."""
        return self.verifier.key_id

    def verifier_key(self) -> str:
        """The witness's verifier key string, of key type 0x04."""
        return self.verifier.key


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer | Sequence[Signer]) -> str:
    """Sign a checkpoint as the log and return the signed note."""
    return sign_note(checkpoint.body(), signer)


def open_checkpoint(
    note: str | bytes, verifier_keys: Iterable[str | Verifier]
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint with the log's key(s), then parse it.

    Raises a `NoteVerificationError` for a bad or missing log signature and `MalformedCheckpoint`
    for a verified text that is not a checkpoint.
    """
    opened = verify_note(note, verifier_keys)
    return Checkpoint.parse(opened.text), opened


def cosign(checkpoint: Checkpoint, cosigner: Cosigner, timestamp: int) -> str:
    """Return the cosignature/v1 line, ending in a newline, for ``checkpoint`` at ``timestamp``.

    The caller vouches that this is the largest consistent tree head it has seen for the
    checkpoint's origin as of ``timestamp`` (tlog-cosignature "Ed25519 signed message").
    """
    if isinstance(timestamp, bool) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidInput(
            f"a cosignature timestamp is from 0 to 2^63 - 1 seconds, got {timestamp!r}",
            f"연서명 시각은 0 이상 2^63 - 1 이하의 초여야 하는데 {timestamp!r}입니다",
        )
    message = cosignature_message(checkpoint.body(), timestamp)
    signed = timestamp.to_bytes(8, "big") + cosigner.private_key.sign(message)
    return Signature(cosigner.name, cosigner.key_id, signed).line()


def verify_cosignatures(
    note: str | bytes, checkpoint: Checkpoint, witness_keys: Iterable[str | Verifier]
) -> list[Cosignature]:
    """Return the valid cosignatures on ``checkpoint`` by the given witness keys (type 0x04).

    ``note`` is the checkpoint with its signature lines; lines by other keys, such as the log's
    own, are ignored. A line by a trusted witness that does not verify refuses the whole note,
    as signed-note advises. Each witness key counts once.
    """
    witnesses = [
        key if isinstance(key, Verifier) else Verifier.from_key(key) for key in witness_keys
    ]
    for witness in witnesses:
        if witness.key_type is not KeyType.COSIGNATURE_V1:
            raise InvalidKey(
                f"witness key {witness.name}+{witness.key_id.hex()} is not a cosignature/v1 key "
                "(type 0x04)",
                f"증인 키 {witness.name}+{witness.key_id.hex()}은(는) cosignature/v1 키(유형 "
                "0x04)가 아닙니다",
            )
    try:
        opened = verify_note(note, witnesses)
    except UnverifiedNote as unverified:
        # No witness cosigned: that is a count of zero for the quorum, not a malformed note.
        opened = unverified.note
    if opened.text != checkpoint.body():
        raise CosignedOtherCheckpoint
    trusted = {(witness.name, witness.key_id) for witness in witnesses}
    return [
        Cosignature(
            sig.name, sig.key_id, int.from_bytes(sig.signature[:8], "big"), sig.signature[8:]
        )
        for sig in opened.signatures
        if (sig.name, sig.key_id) in trusted
    ]


def check_quorum(cosignatures: Sequence[Cosignature], quorum: int) -> None:
    """Raise `QuorumNotMet` unless at least ``quorum`` distinct witness keys cosigned.

    A quorum below one is refused: a policy that any checkpoint satisfies is a misuse.
    """
    if quorum < 1:
        raise InvalidInput(
            f"a witness quorum must be at least 1, got {quorum}",
            f"증인 정족수는 1 이상이어야 하는데 {quorum}입니다",
        )
    have = len({(c.name, c.key_id) for c in cosignatures})
    if have < quorum:
        raise QuorumNotMet(have, quorum)


def _decode_root(encoded: str) -> bytes:
    try:
        root = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        root = b""
    # Only the canonical spelling, so that one root has one checkpoint text.
    if len(root) != _ROOT_SIZE or base64.b64encode(root).decode() != encoded:
        raise _malformed(
            f"the root hash {encoded[:60]!r} is not the base64 of 32 bytes",
            f"루트 해시 {encoded[:60]!r}은(는) 32바이트의 base64가 아닙니다",
        )
    return root


def _check_line(line: str, what_en: str, what_ko: str) -> None:
    # tlog-checkpoint "Note text": the origin and extension lines MUST be non-empty.
    if not line or _CONTROL.search(line) or _has_surrogate(line):
        raise _malformed(
            f"the {what_en} {line[:60]!r} must be a non-empty line without control characters",
            f"{what_ko} {line[:60]!r}은(는) 제어 문자가 없는, 비어 있지 않은 줄이어야 합니다",
        )


def _has_surrogate(line: str) -> bool:
    try:
        line.encode()
    except UnicodeEncodeError:
        return True
    return False


def _malformed(message_en: str, message_ko: str) -> MalformedCheckpoint:
    return MalformedCheckpoint(
        f"malformed checkpoint: {message_en}", f"체크포인트 형식 오류: {message_ko}"
    )
