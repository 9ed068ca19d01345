"""A witness (C2SP tlog-witness add-checkpoint): cosigns a log's checkpoint only if it is
consistent with the last one it cosigned for that log, so no log can show two histories.

The state it keeps per log (size and root of the latest cosigned checkpoint) lives behind a
small store interface, in memory or in a JSON file replaced atomically.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from blockcity.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    StorageError,
    VerificationFailed,
)
from blockcity.ledger.checkpoint import Checkpoint, Cosigner, cosign, open_checkpoint
from blockcity.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from blockcity.ledger.note import InvalidKey, KeyType, NoteVerificationError, Verifier

# tlog-witness "add-checkpoint": the client MUST NOT send more than 63 consistency proof lines.
MAX_PROOF_HASHES = 63


class UnknownLog(NotFound):
    """tlog-witness: the checkpoint's origin is not a log this witness is configured for (404)."""

    code = "witness-unknown-log"

    def __init__(self, origin: str) -> None:
        super().__init__(
            f"this witness does not witness the log {origin[:100]!r}",
            f"이 증인은 {origin[:100]!r} 로그를 감시하지 않습니다",
            origin=origin,
        )


class UntrustedCheckpoint(VerificationFailed):
    """tlog-witness: no signature verifies against the log's key (403)."""

    code = "witness-untrusted-checkpoint"
    status = 403

    def __init__(self, cause: NoteVerificationError) -> None:
        super().__init__(
            f"the checkpoint is not validly signed by the log: {cause.message_en}",
            f"체크포인트에 로그의 올바른 서명이 없습니다: {cause.message_ko}",
        )


class OldSizeTooLarge(InvalidInput):
    """tlog-witness: the old size is larger than the checkpoint's size (400)."""

    code = "witness-old-size-too-large"

    def __init__(self, old_size: int, size: int) -> None:
        super().__init__(
            f"the old size {old_size} is larger than the checkpoint size {size}",
            f"이전 크기 {old_size}가 체크포인트 크기 {size}보다 큽니다",
            old_size=old_size,
            size=size,
        )


class WitnessConflict(Conflict):
    """tlog-witness: the old size is not the size this witness last cosigned (409).

    ``size`` is the witness's size: the log can retry with a proof from it.
    """

    code = "witness-conflict"

    def __init__(
        self, size: int, message_en: str | None = None, message_ko: str | None = None
    ) -> None:
        super().__init__(
            message_en or f"the old size does not match this witness's latest size {size}",
            message_ko or f"이전 크기가 이 증인이 마지막으로 연서명한 크기 {size}와 다릅니다",
            size=size,
        )
        self.size = size


class RollbackRefused(WitnessConflict):
    """The checkpoint is smaller than one already cosigned: the log would be rolled back."""

    code = "witness-rollback"

    def __init__(self, size: int, checkpoint_size: int) -> None:
        super().__init__(
            size,
            f"the checkpoint size {checkpoint_size} is smaller than the size {size} this "
            "witness already cosigned",
            f"체크포인트 크기 {checkpoint_size}가 이 증인이 이미 연서명한 크기 {size}보다 작습니다",
        )


class InconsistentProof(VerificationFailed):
    """tlog-witness: the consistency proof does not verify, or is not empty when it must (422).

    The request may be evidence of a misbehaving log.
    """

    code = "witness-inconsistent-proof"


class ForkDetected(Conflict):
    """tlog-witness: same size as the cosigned checkpoint but a different root (409).

    The log signed two different trees of one size: evidence of a split view.
    """

    code = "witness-fork"

    def __init__(self, size: int) -> None:
        super().__init__(
            f"the checkpoint has size {size} like the one this witness cosigned, but a "
            "different root hash: the log forked",
            f"체크포인트의 크기 {size}는 이 증인이 연서명한 것과 같지만 루트 해시가 다릅니다. "
            "로그가 분기되었습니다",
            size=size,
        )


@dataclass(frozen=True)
class TreeHead:
    """The size and root hash of the latest checkpoint a witness cosigned for one log."""

    size: int
    root: bytes


class WitnessState(Protocol):
    """Where a witness keeps, per log origin, the latest tree head it cosigned.

    ``record`` must be durable when it returns: tlog-witness requires persisting the new
    checkpoint before responding. The `Witness` serializes calls, so a store has one writer.
    """

    def latest(self, origin: str) -> TreeHead | None:
        """The latest cosigned tree head for ``origin``, or None if there is none."""
        ...

    def record(self, origin: str, head: TreeHead) -> None:
        """Durably replace the latest cosigned tree head for ``origin``."""
        ...


class MemoryWitnessState:
    """A `WitnessState` that forgets everything when the process ends; for tests."""

    def __init__(self) -> None:
        self._heads: dict[str, TreeHead] = {}

    def latest(self, origin: str) -> TreeHead | None:
        return self._heads.get(origin)

    def record(self, origin: str, head: TreeHead) -> None:
        self._heads[origin] = head


class JsonFileWitnessState:
    """A `WitnessState` in one JSON file, ``{"logs": {origin: {"size": n, "root": base64}}}``.

    Each update writes a temporary file, fsyncs it, renames it over the old one and fsyncs the
    directory, so a crash leaves either the old state or the new one, never a torn file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._heads = self._load()

    def latest(self, origin: str) -> TreeHead | None:
        return self._heads.get(origin)

    def record(self, origin: str, head: TreeHead) -> None:
        heads = {**self._heads, origin: head}
        try:
            self._write(heads)
        except OSError as exc:
            raise StorageError(
                f"cannot write the witness state {self._path}: {exc.strerror}",
                f"증인 상태 파일 {self._path}에 쓸 수 없습니다: {exc.strerror}",
            ) from exc
        # Only after the file is durable, so a failed write leaves the state unchanged.
        self._heads = heads

    def _load(self) -> dict[str, TreeHead]:
        try:
            document = json.loads(self._path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise self._corrupt(str(exc)) from exc
        logs = document.get("logs") if isinstance(document, dict) else None
        if not isinstance(logs, dict):
            raise self._corrupt('no "logs" object')
        heads = {}
        for origin, entry in logs.items():
            size = entry.get("size") if isinstance(entry, dict) else None
            root = entry.get("root") if isinstance(entry, dict) else None
            try:
                raw_root = base64.b64decode(root, validate=True) if isinstance(root, str) else b""
            except binascii.Error:
                raw_root = b""
            if type(size) is not int or size < 0 or len(raw_root) != HASH_SIZE:
                raise self._corrupt(f"bad entry for {origin!r}")
            heads[origin] = TreeHead(size, raw_root)
        return heads

    def _write(self, heads: Mapping[str, TreeHead]) -> None:
        logs = {
            origin: {"size": head.size, "root": base64.b64encode(head.root).decode()}
            for origin, head in heads.items()
        }
        data = json.dumps({"logs": logs}, ensure_ascii=False, indent=2, sort_keys=True).encode()
        directory = self._path.parent
        fd, temporary = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=directory)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self._path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        # The rename is durable only once the directory entry is.
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)

    def _corrupt(self, reason: str) -> StorageError:
        return StorageError(
            f"the witness state {self._path} is unreadable ({reason}); restore it from a backup",
            f"증인 상태 파일 {self._path}을(를) 읽을 수 없습니다({reason}). 백업에서 복구하세요",
        )


_EMPTY_TREE = TreeHead(0, EMPTY_ROOT)


def _unix_time() -> int:
    return int(time.time())


class Witness:
    """Cosigns checkpoints of configured logs after checking them (tlog-witness add-checkpoint).

    ``logs`` maps each witnessed origin to the log's verifier key (Ed25519, type 0x01).
    """

    def __init__(
        self,
        cosigner: Cosigner,
        logs: Mapping[str, str | Verifier],
        state: WitnessState,
        clock: Callable[[], int] = _unix_time,
    ) -> None:
        self._cosigner = cosigner
        self._logs = {origin: _log_verifier(key) for origin, key in logs.items()}
        self._state = state
        self._clock = clock
        # tlog-witness: checking the old size and persisting the new checkpoint must be atomic,
        # or two concurrent requests could roll the recorded size back.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._cosigner.name

    def verifier_key(self) -> str:
        """The witness's cosignature/v1 verifier key, for clients' witness policies."""
        return self._cosigner.verifier_key()

    def add_checkpoint(
        self, old_size: int, consistency_proof: Sequence[bytes], signed_checkpoint: str
    ) -> str:
        """Cosign a checkpoint that is consistent with the recorded state, and record it.

        Returns the cosignature line. Refusals follow tlog-witness "add-checkpoint": its order of
        checks, and one error class per outcome with the HTTP status it prescribes.
        """
        origin = signed_checkpoint.split("\n", 1)[0]
        log_key = self._logs.get(origin)
        if log_key is None:
            raise UnknownLog(origin)
        try:
            checkpoint, _ = open_checkpoint(signed_checkpoint, [log_key])
        except NoteVerificationError as exc:
            raise UntrustedCheckpoint(exc) from exc
        if isinstance(old_size, bool) or old_size < 0:
            raise InvalidInput(
                f"the old size must be a non-negative integer, got {old_size!r}",
                f"이전 크기는 0 이상의 정수여야 하는데 {old_size!r}입니다",
            )
        if old_size > checkpoint.size:
            raise OldSizeTooLarge(old_size, checkpoint.size)
        with self._lock:
            # tlog-witness: a log never cosigned counts as size 0, the empty tree.
            latest = self._state.latest(origin) or _EMPTY_TREE
            if checkpoint.size < latest.size:
                raise RollbackRefused(latest.size, checkpoint.size)
            if old_size != latest.size:
                raise WitnessConflict(latest.size)
            _check_consistency(old_size, consistency_proof, latest, checkpoint)
            self._state.record(origin, TreeHead(checkpoint.size, checkpoint.root))
            return cosign(checkpoint, self._cosigner, self._clock())


def _check_consistency(
    old_size: int, proof: Sequence[bytes], latest: TreeHead, checkpoint: Checkpoint
) -> None:
    """tlog-witness: the proof must lead from the recorded head (of old_size) to the checkpoint."""
    if len(proof) > MAX_PROOF_HASHES:
        raise InconsistentProof(
            f"the proof has {len(proof)} hashes; at most {MAX_PROOF_HASHES} are allowed",
            f"증명의 해시가 {len(proof)}개입니다. 최대 {MAX_PROOF_HASHES}개까지 허용됩니다",
        )
    # RFC 9162 section 2.1.1: the root of the empty tree is SHA-256 of the empty string.
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        raise InconsistentProof(
            "a checkpoint of size 0 must have the empty tree's root",
            "크기가 0인 체크포인트는 빈 트리의 루트를 가져야 합니다",
        )
    if old_size in (0, checkpoint.size):
        # Nothing to prove from the empty tree, nor from a tree to itself.
        if proof:
            raise InconsistentProof(
                f"the proof from size {old_size} to {checkpoint.size} must be empty",
                f"크기 {old_size}에서 {checkpoint.size}(으)로의 증명은 비어 있어야 합니다",
            )
        if old_size == checkpoint.size and checkpoint.root != latest.root:
            raise ForkDetected(checkpoint.size)
    elif not verify_consistency(old_size, checkpoint.size, proof, latest.root, checkpoint.root):
        raise InconsistentProof(
            f"the consistency proof from size {old_size} to {checkpoint.size} does not verify",
            f"크기 {old_size}에서 {checkpoint.size}(으)로의 일관성 증명이 검증되지 않습니다",
        )


def _log_verifier(key: str | Verifier) -> Verifier:
    verifier = key if isinstance(key, Verifier) else Verifier.from_key(key)
    if verifier.key_type is not KeyType.ED25519:
        raise InvalidKey(
            f"log key {verifier.name}+{verifier.key_id.hex()} must be an Ed25519 key (type 0x01)",
            f"로그 키 {verifier.name}+{verifier.key_id.hex()}은(는) Ed25519 키(유형 0x01)여야 "
            "합니다",
        )
    return verifier
