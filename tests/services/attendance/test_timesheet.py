"""The monthly timesheet: worked, break and night minutes per day, flags, and its PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium

from blockcity.services.attendance import Flag, RecordKind
from tests.services.attendance.world import AttendanceWorld


def test_an_evening_shift_counts_its_night_minutes(aw: AttendanceWorld) -> None:
    # 17:00-23:30 Seoul (08:00-14:30 UTC): 390 minutes between the scans, 60 of break from
    # the contract (09:00-18:00, 60 min), so 330 worked; 22:00-23:30 is 90 night minutes.
    aw.labor.world.clock.now = datetime(2026, 3, 3, 8, 0, 10, tzinfo=UTC)
    aw.scan(RecordKind.CLOCK_IN)
    aw.labor.world.clock.advance(hours=6, minutes=30)
    aw.scan(RecordKind.CLOCK_OUT)
    sheet = aw.attendance.timesheet(aw.labor.worker.account, aw.contract.id, 2026, 3)
    (day,) = sheet.days
    assert (day.worked_minutes, day.break_minutes, day.night_minutes) == (330, 60, 90)
    assert sheet.worked_minutes == 330 and sheet.night_minutes == 90


def test_a_day_without_clock_out_is_flagged_and_counts_nothing(aw: AttendanceWorld) -> None:
    aw.labor.world.clock.now = datetime(2026, 3, 4, 0, 0, 10, tzinfo=UTC)
    aw.scan(RecordKind.CLOCK_IN)
    (day,) = aw.attendance.timesheet(aw.labor.manager.account, aw.contract.id, 2026, 3).days
    assert day.flags == (Flag.MISSING_OUT,) and day.worked_minutes == 0


def test_the_timesheet_pdf_shows_the_days_in_korean(aw: AttendanceWorld) -> None:
    aw.labor.world.clock.now = datetime(2026, 3, 5, 0, 0, 10, tzinfo=UTC)
    aw.scan(RecordKind.CLOCK_IN)
    aw.labor.world.clock.advance(hours=9)
    aw.scan(RecordKind.CLOCK_OUT)
    pdf = aw.attendance.timesheet_pdf(aw.labor.worker.account, aw.contract.id, 2026, 3)
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "2026년 3월 출퇴근 기록표" in text and "2026-03-05" in text
    # 09:00-18:00 Seoul, 540 minutes less the 60-minute break: 8:00 worked.
    assert "09:00-18:00" in text and "근로 8:00" in text


def test_shifts_span_only_the_asked_days(aw: AttendanceWorld) -> None:
    start = datetime(2026, 3, 9, 0, 0, 10, tzinfo=UTC)
    for offset in range(3):
        aw.labor.world.clock.now = start + timedelta(days=offset)
        aw.scan(RecordKind.CLOCK_IN)
        aw.labor.world.clock.advance(hours=4)
        aw.scan(RecordKind.CLOCK_OUT)
    shifts = aw.attendance.shifts(aw.contract.id, start.date(), start.date() + timedelta(days=1))
    assert [s.day.day for s in shifts] == [9, 10]
