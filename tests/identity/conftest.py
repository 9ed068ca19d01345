"""Fixtures the identity tests share: a clock the test moves, a Seoul Pass that hashes
passwords cheaply on that clock, and the organizations world of ``orgs_world``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blockcity.crypto.sealing import MasterKey
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.seoulpass import SeoulPass
from tests.identity import orgs_world
from tests.identity.webauthn_fakes import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def seoul_pass(tmp_path: Path, clock: ManualClock) -> Iterator[SeoulPass]:
    opened = SeoulPass(
        tmp_path,
        MasterKey(bytes(32)),
        passwords=Passwords(HashingCost(time_cost=1, memory_kib=1024)),
        clock=clock,
    )
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[orgs_world.World]:
    clock = orgs_world.Clock()
    seoul_pass = orgs_world.open_seoul_pass(tmp_path, clock)
    try:
        yield orgs_world.populate(seoul_pass, clock)
    finally:
        seoul_pass.close()
