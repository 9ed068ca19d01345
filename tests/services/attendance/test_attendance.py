"""The attendance service: rotating QR codes, ownership, offline late sync, window mismatch,
employer confirmation, corrections signed by both parties, and shifts for the wage statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.errors import NotFound
from blockcity.identity.signing import SignatureRejected
from blockcity.services.attendance import (
    AttendancePolicy,
    CorrectionReason,
    Flag,
    RecordKind,
    WindowMismatch,
    WorksiteCodeInvalid,
    qr,
)
from blockcity.services.attendance.service import AttendanceNotAllowed
from tests.services.attendance.world import AttendanceWorld

POLICY = AttendancePolicy.load()


def test_a_scan_of_the_current_code_clocks_in(aw: AttendanceWorld) -> None:
    record = aw.scan(RecordKind.CLOCK_IN)
    assert record.kind is RecordKind.CLOCK_IN
    assert record.flags == ()
    assert record.window == qr.window_of(aw.now(), POLICY)


def test_the_previous_windows_code_is_still_accepted(aw: AttendanceWorld) -> None:
    # Scanned at second 29 of a window, posted at second 31: the next window has begun.
    previous = qr.window_of(aw.now(), POLICY) - 1
    assert aw.scan(RecordKind.CLOCK_IN, window=previous).window == previous


def test_a_code_from_two_windows_ago_is_refused(aw: AttendanceWorld) -> None:
    aw.labor.world.clock.advance(seconds=15)
    old = qr.window_of(aw.now(), POLICY) - 2
    with pytest.raises(WindowMismatch):
        aw.scan(RecordKind.CLOCK_IN, window=old)


def test_a_forged_code_is_refused(aw: AttendanceWorld) -> None:
    with pytest.raises(WorksiteCodeInvalid):
        aw.scan(RecordKind.CLOCK_IN, code="a" * 16)


@pytest.mark.parametrize(
    ("window", "code"),
    [(2**64, "a" * 16), (-1, "a" * 16), (0, "가" * 16), (0, "a\u0000" * 8)],
)
def test_a_typed_or_forged_link_is_refused_not_a_crash(
    aw: AttendanceWorld, window: int, code: str
) -> None:
    with pytest.raises(WorksiteCodeInvalid):
        aw.attendance.check_code(aw.site.id, window, code)


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=2**40))
def test_codes_differ_between_windows_and_check_only_their_own(secret: bytes, w: int) -> None:
    code = qr.code(secret, "site", w, POLICY)
    assert len(code) == 16  # 10 bytes = 80 bits = 16 base32 characters
    assert qr.code_matches(secret, "site", w, code, POLICY)
    assert not qr.code_matches(secret, "site", w + 1, code, POLICY)
    assert not qr.code_matches(secret, "other", w, code, POLICY)


def test_another_workers_contract_is_not_found(aw: AttendanceWorld) -> None:
    stranger = aw.labor.world.stranger
    window = qr.window_of(aw.now(), POLICY)
    code = aw.attendance.scan_url(aw.site.id, window).rsplit("/", 1)[1]
    with pytest.raises(NotFound):
        aw.attendance.clock_in_out(
            stranger, aw.contract.id, RecordKind.CLOCK_IN, aw.site.id, window, code
        )
    with pytest.raises(NotFound):
        aw.attendance.records(stranger, aw.contract.id, aw.now().date(), aw.now().date())


def test_an_offline_scan_arriving_late_is_flagged_for_the_employer(aw: AttendanceWorld) -> None:
    scanned = aw.now()
    aw.labor.world.clock.advance(minutes=POLICY.late_sync_minutes + 1)
    record = aw.scan(RecordKind.CLOCK_IN, device_at=scanned)
    assert record.flags == (Flag.LATE_SYNC,)
    assert record.device_at == scanned.replace(microsecond=0)
    assert record.at - record.device_at > timedelta(minutes=POLICY.late_sync_minutes)


def test_an_offline_scan_arriving_within_the_threshold_is_not_flagged(
    aw: AttendanceWorld,
) -> None:
    scanned = aw.now()
    aw.labor.world.clock.advance(minutes=POLICY.late_sync_minutes - 1)
    assert aw.scan(RecordKind.CLOCK_IN, device_at=scanned).flags == ()


def test_a_device_time_outside_the_scanned_window_is_refused(aw: AttendanceWorld) -> None:
    # A photo of the display taken now, replayed with a device time an hour later.
    window = qr.window_of(aw.now(), POLICY)
    aw.labor.world.clock.advance(hours=1)
    with pytest.raises(WindowMismatch):
        aw.scan(RecordKind.CLOCK_IN, window=window)


def test_a_device_clock_ahead_of_the_server_is_refused(aw: AttendanceWorld) -> None:
    with pytest.raises(WindowMismatch):
        aw.scan(RecordKind.CLOCK_IN, device_at=aw.now() + timedelta(minutes=5))


def _work_day(aw: AttendanceWorld, hours: float = 8) -> None:
    aw.scan(RecordKind.CLOCK_IN)
    aw.labor.world.clock.advance(hours=hours)
    aw.scan(RecordKind.CLOCK_OUT)


def test_a_clock_in_and_out_make_a_shift_with_the_contracts_break(aw: AttendanceWorld) -> None:
    start = aw.now().replace(microsecond=0)
    _work_day(aw)
    (shift,) = aw.attendance.shifts(aw.contract.id, start.date(), start.date())
    # The world's contract: 09:00-18:00 with a 60-minute break; 8 h between the scans.
    assert (shift.start, shift.end - shift.start) == (start, timedelta(hours=8))
    assert shift.break_minutes == 60
    assert shift.worked_minutes == 8 * 60 - 60
    assert not shift.confirmed and not shift.corrected


def test_a_clock_in_without_a_clock_out_is_no_shift_yet(aw: AttendanceWorld) -> None:
    aw.scan(RecordKind.CLOCK_IN)
    assert aw.attendance.shifts(aw.contract.id, aw.now().date(), aw.now().date()) == []


def test_the_employer_confirms_a_day(aw: AttendanceWorld) -> None:
    day = aw.now().date()
    _work_day(aw)
    aw.attendance.confirm(aw.labor.manager.account, aw.contract.id, day)
    (shift,) = aw.attendance.shifts(aw.contract.id, day, day)
    assert shift.confirmed


def test_the_worker_cannot_confirm_their_own_day(aw: AttendanceWorld) -> None:
    day = aw.now().date()
    _work_day(aw)
    with pytest.raises(NotFound):
        aw.attendance.confirm(aw.labor.worker.account, aw.contract.id, day)


def test_a_correction_takes_effect_only_once_both_have_signed(aw: AttendanceWorld) -> None:
    start = aw.now().replace(microsecond=0)
    day = start.date()
    _work_day(aw, hours=4)
    correction = aw.attendance.propose_correction(
        aw.labor.worker.account,
        aw.contract.id,
        day,
        start,
        start + timedelta(hours=9),
        CorrectionReason.FORGOT_SCAN,
        "퇴근 QR을 찍지 못했습니다",
    )
    digest = bytes.fromhex(correction.digest)
    signed = aw.attendance.sign_correction(
        aw.labor.worker.account, correction.id, aw.labor.worker.sign(digest)
    )
    assert signed.worker_signed and signed.record_id is None
    (shift,) = aw.attendance.shifts(aw.contract.id, day, day)
    assert shift.end - shift.start == timedelta(hours=4) and not shift.corrected
    done = aw.attendance.sign_correction(
        aw.labor.manager.account, correction.id, aw.labor.manager.sign(digest)
    )
    assert done.record_id is not None
    (shift,) = aw.attendance.shifts(aw.contract.id, day, day)
    assert shift.end - shift.start == timedelta(hours=9)
    assert shift.corrected and shift.confirmed
    # The free text stays in the service database, never in the anchored record.
    assert "퇴근".encode() not in aw.attendance.record(done.record_id).data


def test_a_correction_signature_over_another_digest_is_refused(aw: AttendanceWorld) -> None:
    start = aw.now()
    _work_day(aw)
    correction = aw.attendance.propose_correction(
        aw.labor.worker.account,
        aw.contract.id,
        start.date(),
        start,
        start + timedelta(hours=2),
        CorrectionReason.WRONG_RECORD,
        "",
    )
    with pytest.raises(SignatureRejected):
        aw.attendance.sign_correction(
            aw.labor.worker.account, correction.id, aw.labor.worker.sign(b"\x00" * 32)
        )


def test_someone_elses_signature_cannot_stand_for_the_employer(aw: AttendanceWorld) -> None:
    start = aw.now()
    _work_day(aw)
    correction = aw.attendance.propose_correction(
        aw.labor.worker.account,
        aw.contract.id,
        start.date(),
        start,
        start + timedelta(hours=2),
        CorrectionReason.WRONG_RECORD,
        "",
    )
    worker_signature = aw.labor.worker.sign(bytes.fromhex(correction.digest))
    with pytest.raises(AttendanceNotAllowed):
        aw.attendance.sign_correction(aw.labor.manager.account, correction.id, worker_signature)
