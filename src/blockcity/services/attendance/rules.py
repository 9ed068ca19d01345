"""The attendance policy as data: QR window, clock skew, late-sync threshold, location rounding,
consent and distance, and batch sealing, loaded and validated once from ``data/policy.json``
where each value carries its reason."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

_DATA = Path(__file__).parent / "data" / "policy.json"


class AttendancePolicy(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    qr_window_seconds: Annotated[int, Field(ge=5, le=300)]
    qr_previous_windows: Annotated[int, Field(ge=0, le=4)]
    qr_code_bytes: Annotated[int, Field(ge=8, le=32)]
    device_clock_skew_seconds: Annotated[int, Field(ge=0, le=60)]
    late_sync_minutes: Annotated[int, Field(ge=1)]
    max_offline_days: Annotated[int, Field(ge=1)]
    location_decimals: Annotated[int, Field(ge=2, le=4)]
    location_consent_days: Annotated[int, Field(ge=1)]
    location_far_metres: Annotated[int, Field(ge=1)]
    batch_max_records: Annotated[int, Field(ge=1)]
    batch_max_seconds: Annotated[int, Field(ge=1)]

    @classmethod
    def load(cls) -> AttendancePolicy:
        return _load()


@functools.cache
def _load() -> AttendancePolicy:
    return AttendancePolicy.model_validate_json(_DATA.read_text(encoding="utf-8"))
