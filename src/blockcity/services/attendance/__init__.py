"""Attendance (issue 6 item 1): clock-in and clock-out by the worksite's rotating QR code,
the employer's confirmation, corrections both parties sign, batches anchored on the ledger with
an audit and per-record proofs, monthly timesheets. The service is ``Attendance``
(``Node.attendance``); the wage statement reads ``Attendance.shifts``."""

from blockcity.services.attendance.entries import BATCH_SEALED, BatchSealed, register
from blockcity.services.attendance.model import (
    AttendanceRecord,
    ContractTerms,
    CorrectionReason,
    Flag,
    RecordKind,
    SeenLocation,
    Shift,
    Timesheet,
    TimesheetDay,
)
from blockcity.services.attendance.proofs import verify_record_proof
from blockcity.services.attendance.rules import AttendancePolicy
from blockcity.services.attendance.service import (
    Attendance,
    AuditReport,
    Correction,
    Location,
    Scan,
    WindowMismatch,
    Worksite,
    WorksiteCodeInvalid,
)

__all__ = [
    "BATCH_SEALED",
    "Attendance",
    "AttendancePolicy",
    "AttendanceRecord",
    "AuditReport",
    "BatchSealed",
    "ContractTerms",
    "Correction",
    "CorrectionReason",
    "Flag",
    "Location",
    "RecordKind",
    "Scan",
    "SeenLocation",
    "Shift",
    "Timesheet",
    "TimesheetDay",
    "WindowMismatch",
    "Worksite",
    "WorksiteCodeInvalid",
    "register",
    "verify_record_proof",
]
