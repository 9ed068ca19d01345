"""A node with a concluded contract, its worksite and a clock the tests move, plus helpers that
scan the worksite's QR code the way a phone would: what the attendance tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from blockcity.services.attendance import AttendanceRecord, Location, RecordKind, Worksite
from blockcity.services.attendance.qr import window_of
from blockcity.services.labor.records import Contract
from tests.services.labor.service_world import LaborWorld, labor_world


@dataclass
class AttendanceWorld:
    labor: LaborWorld
    contract: Contract
    site: Worksite

    @property
    def attendance(self):  # type: ignore[no-untyped-def]
        return self.labor.node.attendance

    def now(self) -> datetime:
        return self.labor.world.clock()

    def scan(
        self,
        kind: RecordKind,
        *,
        device_at: datetime | None = None,
        window: int | None = None,
        code: str | None = None,
        contract_id: str | None = None,
        location: Location | None = None,
    ) -> AttendanceRecord:
        """The worker scans the display: the window shown at ``device_at`` (now by default)."""
        at = device_at or self.now()
        shown = window if window is not None else window_of(at, self.attendance.policy)
        url = self.attendance.scan_url(self.site.id, shown)
        return self.attendance.clock_in_out(
            self.labor.worker.account,
            contract_id or self.contract.id,
            kind,
            self.site.id,
            shown,
            code or url.rsplit("/", 1)[1],
            device_at=at,
            location=location,
        )


@contextmanager
def attendance_world(path: Path) -> Iterator[AttendanceWorld]:
    with labor_world(path) as world:
        concluded = world.conclude().contract
        site = world.node.attendance.worksite(
            world.manager.account, concluded.organization_id, concluded.draft.workplace or ""
        )
        yield AttendanceWorld(world, concluded, site)
