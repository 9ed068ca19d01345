"""The node's own keys in its data folder: the log's checkpoint key, the city's signing key
and the demo witness key, each a 32-byte Ed25519 seed.

Seeds are kept hex-encoded in files readable only by their owner and written atomically.
Encryption of keys at rest under a master key is Seoul Pass work (issue 3); until then the
data folder's permissions are the protection.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from blockcity.errors import StorageError


def load_or_create_seed(path: Path) -> bytes:
    """The seed at ``path``, created (mode 0600, written atomically, fsynced) on first use."""
    if path.exists():
        try:
            seed = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise _unreadable(path, str(exc)) from exc
        if len(seed) != 32:
            raise _unreadable(path, f"{len(seed)} bytes instead of 32")
        return seed
    seed = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(seed.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return seed


def _unreadable(path: Path, why: str) -> StorageError:
    return StorageError(
        f"the key file {path} is unreadable ({why}); restore it from a backup",
        f"키 파일 {path}를 읽을 수 없습니다({why}). 백업에서 복원하세요",
    )
