"""Secrets at rest: sealed under the master key, bound to their purpose, and the node's own key
files are never plaintext."""

from __future__ import annotations

from pathlib import Path

import pytest

from blockcity.config import Config
from blockcity.crypto.sealing import MasterKey, SealBroken, parse_master_key
from blockcity.errors import StorageError
from blockcity.node import Node

KEY = MasterKey(bytes(range(32)))


def test_a_sealed_value_opens_only_for_its_purpose_and_key() -> None:
    sealed = KEY.seal(b"seed", b"custodial-key:alice")
    assert KEY.open(sealed, b"custodial-key:alice") == b"seed"
    with pytest.raises(SealBroken):
        KEY.open(sealed, b"custodial-key:mallory")
    with pytest.raises(SealBroken):
        MasterKey(bytes(32)).open(sealed, b"custodial-key:alice")
    with pytest.raises(SealBroken):
        KEY.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), b"custodial-key:alice")


def test_master_key_text_must_be_32_bytes() -> None:
    assert parse_master_key("00" * 32)
    assert parse_master_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
    with pytest.raises(StorageError, match="must have 32"):
        parse_master_key("00" * 16)
    with pytest.raises(StorageError, match="base64"):
        parse_master_key("not a key!")


def test_node_keys_are_sealed_and_need_the_master_key(tmp_path: Path) -> None:
    master = "11" * 32
    data = tmp_path / "data"
    Node.open(Config(data_dir=data, master_key=master)).close()
    for name in ("log.seed", "city.seed", "witness.seed"):
        text = (data / "keys" / name).read_text()
        assert text.startswith("sealed-v1:") and len(text) > 60
        assert (data / "keys" / name).stat().st_mode & 0o077 == 0
    assert not (data / "keys" / "master.key").exists()
    with pytest.raises(StorageError, match="check the master key"):
        Node.open(Config(data_dir=data, master_key="22" * 32))
    Node.open(Config(data_dir=data, master_key=master)).close()
