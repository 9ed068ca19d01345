"""A scan's optional location: kept in the vault (rounded, with the phone's accuracy) only while
the worker's consent for that worksite is in force, never on the ledger (the raw entries and
files are searched for the coordinates), shown to the contract's parties with the distance from
the worksite's registered position, and every consent, withdrawal and read in the access log."""

from __future__ import annotations

import math
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from blockcity.errors import InvalidInput, NotFound
from blockcity.services.attendance import AttendancePolicy, Location, RecordKind
from blockcity.services.attendance.model import distance_metres
from blockcity.services.attendance.service import LOCATION_KIND, LOCATION_REVIEW
from tests.services.attendance.world import AttendanceWorld

POLICY = AttendancePolicy.load()
CITY_HALL = Location(37.566535, 126.977969, 23.4)
"""Seoul City Hall as a phone reads it: rounded to 0.001 degree it is 37.567, 126.978."""
GANGNAM = Location(37.4979, 127.0276, 40.0)
"""Gangnam Station, about 8.8 km south-east: a scan from there is far from City Hall."""
SITE = Location(37.5665, 126.978)
"""The worksite as the employer registers it."""


def _allow(aw: AttendanceWorld) -> None:
    aw.attendance.allow_location(aw.labor.worker.account, aw.site.id)


def _kept_locations(aw: AttendanceWorld) -> list[dict[str, object]]:
    vault = aw.labor.node.vault
    return [
        vault.get(info.id, actor="test", purpose="test")
        for info in vault.records(aw.labor.worker.account.id)
        if info.kind == LOCATION_KIND
    ]


def test_with_consent_the_rounded_location_and_accuracy_go_to_the_vault_and_only_a_commitment_to_the_record(  # noqa: E501
    aw: AttendanceWorld,
) -> None:
    _allow(aw)
    record = aw.scan(RecordKind.CLOCK_IN, location=CITY_HALL)
    assert record.location is not None
    assert b"37.5" not in record.data and b"126.9" not in record.data
    (info,) = [
        r
        for r in aw.labor.node.vault.records(aw.labor.worker.account.id)
        if r.kind == LOCATION_KIND
    ]
    assert info.commitment == record.location
    # 23.4 m is rounded up: a phone's radius is never better than it says.
    assert _kept_locations(aw) == [{"lat": "37.567", "lon": "126.978", "acc": "24"}]


def test_no_ledger_entry_nor_ledger_or_service_file_holds_the_coordinates(
    aw: AttendanceWorld,
) -> None:
    _allow(aw)
    record = aw.scan(RecordKind.CLOCK_IN, location=CITY_HALL)
    aw.labor.world.clock.advance(hours=8)
    out = aw.scan(RecordKind.CLOCK_OUT, location=GANGNAM)
    aw.attendance.seal()
    assert aw.attendance.record(record.id).batch is not None
    assert aw.attendance.record(out.id).batch is not None
    ledger = aw.labor.node.ledger
    entries = [stored.data for stored in ledger.store.entries(0, ledger.size)]
    assert any(b"attendance.batch.sealed" in data for data in entries)
    numbers = [b"37.567", b"126.978", b"37.566535", b"126.977969", b"37.498", b"127.028"]
    for data in entries:
        for number in numbers:
            assert number not in data
        assert record.location is not None and record.location.encode() not in data
    data_dir = Path(aw.attendance.path).parent
    files = [
        p
        for n in ("ledger.sqlite3", "attendance.sqlite", "vault.sqlite")
        for p in data_dir.glob(n + "*")
    ]
    assert {p.name for p in files} >= {"ledger.sqlite3", "attendance.sqlite", "vault.sqlite"}
    for path in files:
        raw = path.read_bytes()
        for number in numbers:
            assert number not in raw, f"{number!r} in {path.name}"


def test_without_consent_a_scan_is_recorded_without_its_location(aw: AttendanceWorld) -> None:
    record = aw.scan(RecordKind.CLOCK_IN, location=CITY_HALL)
    assert record.kind is RecordKind.CLOCK_IN and record.location is None
    assert _kept_locations(aw) == []


def test_after_withdrawal_a_scan_queued_before_keeps_no_location(aw: AttendanceWorld) -> None:
    _allow(aw)
    queued_at = aw.now()
    aw.labor.world.clock.advance(seconds=20)
    aw.attendance.withdraw_location(aw.labor.worker.account, aw.site.id)
    assert aw.attendance.location_consent(aw.labor.worker.account, aw.site.id) is None
    record = aw.scan(RecordKind.CLOCK_IN, device_at=queued_at, location=CITY_HALL)
    assert record.location is None and _kept_locations(aw) == []
    vault_file = Path(aw.attendance.path).parent / "vault.sqlite"
    with sqlite3.connect(vault_file) as db:
        logged = db.execute(
            "SELECT action, purpose FROM privacy_log WHERE subject = ? AND action LIKE 'consent.%' "
            "ORDER BY seq",
            (aw.labor.worker.account.id,),
        ).fetchall()
    purpose = f"{LOCATION_KIND}:{aw.site.id}"
    assert logged == [("consent.grant", purpose), ("consent.revoke", purpose)]


def test_allowing_twice_keeps_one_consent_for_the_policy_days(aw: AttendanceWorld) -> None:
    worker = aw.labor.worker.account
    first = aw.attendance.allow_location(worker, aw.site.id)
    assert aw.attendance.allow_location(worker, aw.site.id).id == first.id
    assert first.expires_at - first.granted_at == timedelta(days=POLICY.location_consent_days)
    assert first.scope == (LOCATION_KIND,)
    aw.labor.world.clock.advance(days=POLICY.location_consent_days)
    assert aw.attendance.location_consent(worker, aw.site.id) is None


def test_consent_holds_for_its_worksite_only(aw: AttendanceWorld) -> None:
    _allow(aw)
    worker = aw.labor.worker.account
    other = aw.attendance.worksite(aw.labor.manager.account, aw.contract.organization_id, "창고")
    assert aw.attendance.location_consent(worker, other.id) is None
    with pytest.raises(NotFound):
        aw.attendance.allow_location(worker, other.id)


def test_a_stranger_cannot_consent_for_a_worksite_they_have_no_contract_at(
    aw: AttendanceWorld,
) -> None:
    with pytest.raises(NotFound):
        aw.attendance.allow_location(aw.labor.world.stranger, aw.site.id)


def test_locations_show_their_distance_from_the_registered_worksite_and_far_ones_stand_out(
    aw: AttendanceWorld,
) -> None:
    _allow(aw)
    aw.attendance.set_worksite_position(aw.labor.manager.account, aw.site.id, SITE)
    near = aw.scan(RecordKind.CLOCK_IN, location=CITY_HALL)
    aw.labor.world.clock.advance(hours=8)
    far = aw.scan(RecordKind.CLOCK_OUT, location=GANGNAM)
    day = near.day
    seen = aw.attendance.locations(aw.labor.manager.account, aw.contract.id, day, day)
    # 37.567 vs 37.5665 on one meridian: 0.0005 degree x 111,195 m = 55.6 m.
    assert seen[near.id].coordinates == "37.567, 126.978"
    assert (seen[near.id].accuracy_metres, seen[near.id].distance_metres) == (24, 56)
    assert not seen[near.id].far
    # 0.0685 degree south (7,617 m) and 0.05 degree east at cos 37.53 = 0.793 (4,409 m):
    # sqrt(7617^2 + 4409^2) = 8,801 m, well past the policy's 500 m.
    assert seen[far.id].distance_metres == 8801 and seen[far.id].far
    readers = [
        e.actor
        for e in aw.labor.node.vault.accesses(aw.labor.worker.account.id)
        if e.purpose == LOCATION_REVIEW
    ]
    assert readers == [aw.labor.manager.account.did] * 2


def test_without_a_registered_worksite_position_only_the_coordinates_are_shown(
    aw: AttendanceWorld,
) -> None:
    _allow(aw)
    record = aw.scan(RecordKind.CLOCK_IN, location=GANGNAM)
    seen = aw.attendance.locations(aw.labor.worker.account, aw.contract.id, record.day, record.day)[
        record.id
    ]
    assert (seen.coordinates, seen.distance_metres, seen.far) == ("37.498, 127.028", None, False)


def test_a_stranger_sees_no_location(aw: AttendanceWorld) -> None:
    _allow(aw)
    record = aw.scan(RecordKind.CLOCK_IN, location=CITY_HALL)
    with pytest.raises(NotFound):
        aw.attendance.locations(aw.labor.world.stranger, aw.contract.id, record.day, record.day)


def test_only_the_employer_registers_the_worksite_position(aw: AttendanceWorld) -> None:
    with pytest.raises(NotFound):
        aw.attendance.set_worksite_position(aw.labor.worker.account, aw.site.id, SITE)
    assert aw.attendance.worksite_position(aw.site.id) is None


@pytest.mark.parametrize(
    ("latitude", "longitude", "accuracy"),
    [
        (91.0, 0.0, None),
        (0.0, -181.0, None),
        (math.nan, 0.0, None),
        (0.0, math.inf, None),
        (0.0, 0.0, -1.0),
        (0.0, 0.0, math.nan),
    ],
)
def test_a_location_off_the_earth_or_with_a_negative_accuracy_is_invalid(
    latitude: float, longitude: float, accuracy: float | None
) -> None:
    with pytest.raises(InvalidInput):
        Location(latitude, longitude, accuracy)


def test_the_distance_of_one_degree_of_latitude_is_111_km() -> None:
    # 2 pi x 6,371,008.8 m / 360 = 111,195 m.
    assert round(distance_metres(37.0, 127.0, 38.0, 127.0)) == 111195
    assert distance_metres(37.5, 127.0, 37.5, 127.0) == 0.0
