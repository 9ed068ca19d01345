"""What the attendance service keeps and hands out: clock-in and clock-out records, the shifts
the wage statement is computed from, flags for the employer, correction reasons, the
timesheet of a month, and a scan's location as its contract's parties see it. Every time is UTC
inside; pages convert to Asia/Seoul.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from blockcity.services.labor.model import Period, Weekday, WorkDay

SEOUL = ZoneInfo("Asia/Seoul")

EARTH_RADIUS_METRES = 6_371_008.8
"""The IUGG mean Earth radius: the haversine distance on it is within 0.5 % of the ellipsoid's,
far below a phone's error."""


class RecordKind(enum.StrEnum):
    CLOCK_IN = "in"
    CLOCK_OUT = "out"
    CONFIRMATION = "confirm"
    """The employer confirms a day's shift as recorded."""
    CORRECTION = "correct"
    """Both parties replace a day's times, with a reason."""


class Flag(enum.StrEnum):
    LATE_SYNC = "late_sync"
    """The record reached the server long after the device time it was scanned at."""
    MISSING_OUT = "missing_out"
    """A clock-in without a clock-out on the timesheet."""


class CorrectionReason(enum.StrEnum):
    """Why a day's times are corrected: a closed list, so statistics and disputes can group
    them; the parties' own words go to the free text kept in the service database."""

    FORGOT_SCAN = "forgot_scan"
    DEVICE_PROBLEM = "device_problem"
    WORKED_ELSEWHERE = "worked_elsewhere"
    SCHEDULE_CHANGE = "schedule_change"
    WRONG_RECORD = "wrong_record"

    @property
    def label_ko(self) -> str:
        return _REASON_KO[self]

    @property
    def label_en(self) -> str:
        return _REASON_EN[self]


_REASON_KO = {
    CorrectionReason.FORGOT_SCAN: "출퇴근 기록을 잊음",
    CorrectionReason.DEVICE_PROBLEM: "휴대전화·QR 장치 문제",
    CorrectionReason.WORKED_ELSEWHERE: "사업장 밖 업무(외근)",
    CorrectionReason.SCHEDULE_CHANGE: "합의한 근무시간 변경",
    CorrectionReason.WRONG_RECORD: "잘못 찍힌 기록",
}
_REASON_EN = {
    CorrectionReason.FORGOT_SCAN: "forgot to scan",
    CorrectionReason.DEVICE_PROBLEM: "phone or QR display problem",
    CorrectionReason.WORKED_ELSEWHERE: "worked away from the worksite",
    CorrectionReason.SCHEDULE_CHANGE: "agreed change of hours",
    CorrectionReason.WRONG_RECORD: "a wrong record",
}


@dataclass(frozen=True, slots=True)
class Shift:
    """One day's work as the wage statement uses it: the stable API of ``Attendance.shifts``.

    ``day`` is the Seoul calendar day the shift started on; ``start`` and ``end`` are aware
    UTC datetimes; ``break_minutes`` comes from the contract's schedule for that weekday (the
    statutory minimum of LSA Art. 54 when the day is not in the schedule)."""

    day: date
    start: datetime
    end: datetime
    break_minutes: int
    confirmed: bool
    """The employer confirmed this day (or both parties signed its correction)."""
    corrected: bool
    """The times come from a correction both parties signed, not from the scans."""

    @property
    def worked_minutes(self) -> int:
        span = int((self.end - self.start).total_seconds()) // 60
        return max(span - self.break_minutes, 0)


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """One record as stored and anchored; ``data`` is its canonical bytes (the Merkle leaf)."""

    id: str
    seq: int
    """Position in the organization's record sequence (1, 2, ...): a gap shows a deletion."""
    kind: RecordKind
    contract_id: str
    organization_id: str
    worker_did: str
    day: date
    """The Seoul calendar day the record belongs to (a clock-out after midnight belongs to
    the day its shift began)."""
    at: datetime
    """Server time of arrival."""
    device_at: datetime
    window: int | None
    """The QR window the scan proves (clock-in and clock-out only)."""
    worksite: str | None
    location: str | None
    """A commitment to the rounded location kept in the vault, or None."""
    flags: tuple[Flag, ...]
    start: datetime | None
    """A correction's new start time."""
    end: datetime | None
    """A correction's new end time."""
    reason: CorrectionReason | None
    digest: str | None
    """A correction's digest both parties signed (hex SHA-256)."""
    batch: int | None
    """The sealed batch holding this record, None while pending."""
    data: bytes


@dataclass(frozen=True, slots=True)
class TimesheetDay:
    day: date
    clock_in: datetime | None
    clock_out: datetime | None
    worked_minutes: int
    break_minutes: int
    night_minutes: int
    confirmed: bool
    corrected: bool
    flags: tuple[Flag, ...]


@dataclass(frozen=True, slots=True)
class Timesheet:
    contract_id: str
    worker_did: str
    organization_id: str
    year: int
    month: int
    days: tuple[TimesheetDay, ...]

    @property
    def worked_minutes(self) -> int:
        return sum(day.worked_minutes for day in self.days)

    @property
    def night_minutes(self) -> int:
        return sum(day.night_minutes for day in self.days)


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """What attendance needs of a concluded contract: whose it is, where and on which hours."""

    contract_id: str
    organization_id: str
    worker_did: str
    workplace: str
    days: Mapping[Weekday, WorkDay]
    period: Period | None


def local_time(moment: datetime) -> time:
    """``moment`` as a Seoul wall-clock time in whole minutes."""
    return moment.astimezone(SEOUL).time().replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class SeenLocation:
    """Where the phone was at a scan, as kept in the vault (rounded by the policy), and how far
    that is from the worksite's registered position when the employer registered one."""

    latitude: float
    longitude: float
    accuracy_metres: int | None
    """The radius the phone itself gave for its reading, or None when it gave none."""
    distance_metres: int | None
    """From the worksite's registered position; None when the worksite has none."""
    far: bool
    """Farther from the worksite than the policy's ``location_far_metres``."""

    @property
    def coordinates(self) -> str:
        return f"{self.latitude}, {self.longitude}"


def distance_metres(
    latitude: float, longitude: float, other_latitude: float, other_longitude: float
) -> float:
    """The great-circle (haversine) distance between two points in degrees."""
    phi1, phi2 = math.radians(latitude), math.radians(other_latitude)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(other_longitude - longitude) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))
