"""The attendance world, fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.attendance.world import AttendanceWorld, attendance_world


@pytest.fixture
def aw(tmp_path: Path) -> Iterator[AttendanceWorld]:
    with attendance_world(tmp_path / "data") as world:
        yield world
