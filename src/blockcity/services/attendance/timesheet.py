"""The monthly timesheet of one worker's contract: each day's clock-in and clock-out, worked,
break and night minutes (22:00-06:00 from the labour rules of the year, LSA Art. 56(3)) and the
flags the employer should look at; and the same as a PDF."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from blockcity.documents import Heading, KeyValueTable, Lang, Paragraph, Section, build_pdf
from blockcity.services.attendance.model import (
    SEOUL,
    AttendanceRecord,
    ContractTerms,
    Flag,
    RecordKind,
    Shift,
    Timesheet,
    TimesheetDay,
    local_time,
)
from blockcity.services.labor.check import night_minutes
from blockcity.services.labor.model import WorkDay
from blockcity.services.labor.rules import LaborRules


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def build_timesheet(
    terms: ContractTerms,
    year: int,
    month: int,
    records: list[AttendanceRecord],
    shifts: list[Shift],
) -> Timesheet:
    """The month from its records and the shifts made of them (``Attendance.shifts``)."""
    rules = LaborRules.for_year(year)
    by_day: dict[date, list[AttendanceRecord]] = {}
    for record in records:
        by_day.setdefault(record.day, []).append(record)
    shift_of = {shift.day: shift for shift in shifts}
    days = []
    for day in sorted(by_day):
        shift = shift_of.get(day)
        flags = {flag for record in by_day[day] for flag in record.flags}
        ins = [r.device_at for r in by_day[day] if r.kind is RecordKind.CLOCK_IN]
        outs = [r.device_at for r in by_day[day] if r.kind is RecordKind.CLOCK_OUT]
        if shift is None:
            if ins:
                flags.add(Flag.MISSING_OUT)
            days.append(
                TimesheetDay(
                    day,
                    min(ins) if ins else None,
                    max(outs) if outs else None,
                    0,
                    0,
                    0,
                    False,
                    False,
                    tuple(sorted(flags)),
                )
            )
            continue
        span = WorkDay(start=local_time(shift.start), end=local_time(shift.end))
        days.append(
            TimesheetDay(
                day=day,
                clock_in=shift.start,
                clock_out=shift.end,
                worked_minutes=shift.worked_minutes,
                break_minutes=shift.break_minutes,
                night_minutes=night_minutes(span, rules),
                confirmed=shift.confirmed,
                corrected=shift.corrected,
                flags=tuple(sorted(flags)),
            )
        )
    return Timesheet(
        terms.contract_id, terms.worker_did, terms.organization_id, year, month, tuple(days)
    )


def _hm(moment: datetime | None) -> str:
    return moment.astimezone(SEOUL).strftime("%H:%M") if moment is not None else "-"


def _minutes(total: int) -> str:
    return f"{total // 60}:{total % 60:02d}"


_FLAG_KO = {Flag.LATE_SYNC: "늦게 전송됨", Flag.MISSING_OUT: "퇴근 기록 없음"}
_FLAG_EN = {Flag.LATE_SYNC: "sent late", Flag.MISSING_OUT: "no clock-out"}


def timesheet_pdf(sheet: Timesheet, workplace: str, *, created_at: datetime, lang: Lang) -> bytes:
    ko = lang == "ko"
    title = (
        f"{sheet.year}년 {sheet.month}월 출퇴근 기록표"
        if ko
        else f"Timesheet {sheet.year}-{sheet.month:02d}"
    )
    labels = _FLAG_KO if ko else _FLAG_EN
    rows = []
    for d in sheet.days:
        state = ("확인" if ko else "confirmed") if d.confirmed else ("미확인" if ko else "open")
        if d.corrected:
            state += " · 정정" if ko else " · corrected"
        flags = ", ".join(labels[f] for f in d.flags)
        rows.append(
            (
                d.day.isoformat(),
                f"{_hm(d.clock_in)}-{_hm(d.clock_out)}  "
                f"{'근로' if ko else 'worked'} {_minutes(d.worked_minutes)}  "
                f"{'휴게' if ko else 'break'} {_minutes(d.break_minutes)}  "
                f"{'야간' if ko else 'night'} {_minutes(d.night_minutes)}  {state}"
                + (f"  ({flags})" if flags else ""),
            )
        )
    sections: list[Section] = [
        KeyValueTable(
            (
                ("근무장소" if ko else "Workplace", workplace),
                ("계약" if ko else "Contract", sheet.contract_id),
                ("근로자" if ko else "Worker", sheet.worker_did),
            )
        ),
        Heading("일별 기록" if ko else "Days"),
        KeyValueTable(tuple(rows)) if rows else Paragraph("기록 없음" if ko else "No records"),
        Heading("합계" if ko else "Totals"),
        KeyValueTable(
            (
                ("근로시간" if ko else "Worked", _minutes(sheet.worked_minutes)),
                ("야간근로(22~06시)" if ko else "Night (22-06)", _minutes(sheet.night_minutes)),
            )
        ),
        Paragraph(
            "시각은 서울 시간이며, 각 기록은 원장에 봉인된 묶음으로 검증할 수 있습니다."
            if ko
            else "Times are Seoul time; every record verifies through its batch sealed on the "
            "ledger."
        ),
    ]
    return build_pdf(title, sections, created_at=created_at, lang=lang)
