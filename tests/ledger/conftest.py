"""Ledger fixtures: a real SQLite ledger in a temporary folder, signed with a fresh key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blockcity.ledger.log import Ledger
from blockcity.ledger.note import Signer
from blockcity.ledger.store import NewEntry, open_sqlite

ORIGIN = "test.blockcity.example/log"


@pytest.fixture
def log_signer() -> Signer:
    return Signer.from_seed(ORIGIN, bytes(range(32)))


def open_ledger(data: Path, signer: Signer) -> Ledger:
    return Ledger(open_sqlite(data), ORIGIN, signer.verifier_key(), signer=signer)


@pytest.fixture
def ledger(tmp_path: Path, log_signer: Signer) -> Iterator[Ledger]:
    opened = open_ledger(tmp_path / "data", log_signer)
    yield opened
    opened.close()


def raw(n: int, start: int = 0) -> list[NewEntry]:
    return [NewEntry(f"entry {i}".encode()) for i in range(start, start + n)]
