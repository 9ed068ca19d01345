"""The node's own keys in its data folder: the log's checkpoint key, the city's signing key
and the demo witness key, each a 32-byte Ed25519 seed sealed under the master key.

A key file holds ``sealed-v1:<base64url of AES-256-GCM nonce || ciphertext || tag>``, written
atomically and readable only by its owner. The master key comes from the configuration
(``BLOCKCITY_MASTER_KEY`` or ``BLOCKCITY_MASTER_KEY_FILE``), so a copy of the data folder
alone does not give away the keys.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from blockcity.crypto import b64url_decode, b64url_encode
from blockcity.crypto.sealing import MasterKey, create_master_key_file, parse_master_key
from blockcity.errors import BlockcityError, StorageError

_SEALED = "sealed-v1:"


def load_master_key(text: str | None, path: Path | None, default_path: Path) -> MasterKey:
    """The master key from its text, else from its file, else from (or newly at)
    ``default_path`` inside the data folder: fine for a demo, not for production."""
    if text:
        return parse_master_key(text)
    source = path or default_path
    if source.exists():
        try:
            return parse_master_key(source.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError) as exc:
            raise _unreadable(source, str(exc)) from exc
    if path is not None:
        raise StorageError(
            f"the master key file {path} does not exist",
            f"마스터 키 파일 {path}가 없습니다",
        )
    return create_master_key_file(default_path)


def load_or_create_seed(path: Path, master: MasterKey) -> bytes:
    """The seed at ``path``, created (mode 0600, written atomically, fsynced) on first use."""
    purpose = f"node-key:{path.name}".encode()
    if path.exists():
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise _unreadable(path, str(exc)) from exc
        if not text.startswith(_SEALED):
            raise _unreadable(path, "it is not a sealed key")
        try:
            seed = master.open(b64url_decode(text.removeprefix(_SEALED)), purpose)
        except BlockcityError as exc:
            raise _unreadable(path, exc.message_en) from exc
        if len(seed) != 32:
            raise _unreadable(path, f"{len(seed)} bytes instead of 32")
        return seed
    seed = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(_SEALED + b64url_encode(master.seal(seed, purpose)) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return seed


def _unreadable(path: Path, why: str) -> StorageError:
    return StorageError(
        f"the key file {path} cannot be used ({why}); check the master key or restore the file",
        f"키 파일 {path}를 쓸 수 없습니다({why}). 마스터 키를 확인하거나 파일을 복원하세요",
    )
