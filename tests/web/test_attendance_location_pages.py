"""The optional location on the attendance pages through HTTP (no browser): the scan page offers
the choice (shown by the script); turning it on or off goes to the vault's consent register; the
script's scan post keeps a location only while it is on, and a scan with a missing or broken
location is recorded all the same; the employer registers the worksite's position and the month
page shows each scan's coordinates, accuracy and distance, a far one marked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from blockcity.services.attendance.qr import window_of
from blockcity.services.attendance.service import LOCATION_KIND
from tests.services.labor.service_world import LaborWorld, labor_world
from tests.web.test_attendance_pages import MONDAY, Shop


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    world: LaborWorld
    with labor_world(tmp_path / "data") as world:
        yield Shop(world)


def scan_post(shop: Shop, kind: str, at: datetime, **place: str) -> dict[str, Any]:
    """The script's post of a scan made at ``at`` (the clock set there), with ``place`` fields
    (latitude, longitude, accuracy) when given."""
    shop.lw.world.clock.now = at
    window = window_of(at, shop.attendance.policy)
    code = shop.attendance.scan_url(shop.site.id, window).rsplit("/", 1)[1]
    answer = shop.worker.post(
        "/attendance/scans",
        data={
            "csrf": shop.worker_csrf,
            "worksite": shop.site.id,
            "window": str(window),
            "code": code,
            "contract": shop.contract_id,
            "kind": kind,
            "device_at": str(int(at.timestamp() * 1000)),
            **place,
        },
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["ok"], body
    return body


def choose(shop: Shop, choice: str, csrf: str | None = None) -> Any:
    return shop.worker.post(
        "/attendance/location-consent",
        data={"csrf": csrf or shop.worker_csrf, "worksite": shop.site.id, "choice": choice},
    )


def kept(shop: Shop) -> list[str]:
    return [
        info.id
        for info in shop.lw.node.vault.records(shop.lw.worker.account.id)
        if info.kind == LOCATION_KIND
    ]


CITY_HALL = {"latitude": "37.566535", "longitude": "126.977969", "accuracy": "23.4"}
GANGNAM = {"latitude": "37.4979", "longitude": "127.0276", "accuracy": "40"}


def test_the_scan_page_offers_the_location_choice_off_until_the_worker_turns_it_on(
    shop: Shop,
) -> None:
    page = shop.worker.get(shop.path())
    assert page.status_code == 200
    assert 'id="location-choice"' in page.text and 'data-consent="0"' in page.text
    assert ">위치 함께 기록하기</button>" in page.text and ">위치 기록 끄기</button>" in page.text
    assert "사업주가 볼 수 있고" in page.text and "원장에는 올라가지 않습니다" in page.text
    answer = choose(shop, "on")
    assert answer.status_code == 200
    assert answer.json() == {
        "ok": True,
        "on": True,
        "message": "출퇴근을 찍을 때 위치를 함께 기록합니다.",
    }
    assert 'data-consent="1"' in shop.worker.get(shop.path()).text
    off = choose(shop, "off").json()
    assert off["ok"] and off["on"] is False
    assert 'data-consent="0"' in shop.worker.get(shop.path()).text
    english = shop.worker.get(shop.path() + "?lang=en")
    assert ">Record my location too</button>" in english.text
    assert ">Stop recording my location</button>" in english.text


def test_with_consent_the_scans_location_is_kept_and_without_it_it_is_not(shop: Shop) -> None:
    refused = scan_post(shop, "in", MONDAY, **CITY_HALL)
    assert refused["location_recorded"] is False and kept(shop) == []
    choose(shop, "on")
    answer = scan_post(shop, "out", MONDAY + timedelta(hours=9), **CITY_HALL)
    assert answer["location_recorded"] is True and len(kept(shop)) == 1
    choose(shop, "off")
    later = scan_post(shop, "in", MONDAY + timedelta(hours=10), **CITY_HALL)
    assert later["location_recorded"] is False and len(kept(shop)) == 1


@pytest.mark.parametrize(
    "place",
    [
        {},
        {"latitude": "37.5", "longitude": ""},
        {"latitude": "north", "longitude": "126.9"},
        {"latitude": "91", "longitude": "126.9"},
        {"latitude": "37.5", "longitude": "126.9", "accuracy": "-5"},
        {"latitude": "NaN", "longitude": "126.9"},
    ],
)
def test_a_scan_with_no_or_a_broken_location_is_recorded_without_it(
    shop: Shop, place: dict[str, str]
) -> None:
    choose(shop, "on")
    answer = scan_post(shop, "in", MONDAY, **place)
    assert answer["kind"] == "in" and answer["location_recorded"] is False
    assert kept(shop) == []


def test_the_consent_post_needs_the_csrf_token_a_contract_there_and_a_choice(shop: Shop) -> None:
    forged = choose(shop, "on", csrf="wrong")
    assert forged.status_code == 403 and forged.json()["code"] == "csrf-rejected"
    assert choose(shop, "maybe").status_code == 400
    stranger_site = shop.worker.post(
        "/attendance/location-consent",
        data={"csrf": shop.worker_csrf, "worksite": "nowhere", "choice": "on"},
    )
    assert stranger_site.status_code == 404 and stranger_site.json()["ok"] is False
    assert shop.attendance.location_consent(shop.lw.worker.account, shop.site.id) is None


def test_the_employer_sees_coordinates_accuracy_and_distance_with_a_far_scan_marked(
    shop: Shop,
) -> None:
    choose(shop, "on")
    month = f"/labor/contracts/{shop.contract_id}/attendance?month=2026-03"
    scan_post(shop, "in", MONDAY, **GANGNAM)
    before = shop.manager.get(month).text
    # No worksite position yet: the coordinates and accuracy only.
    assert "출근 위치" in before and "37.498, 127.028" in before and "오차 ±40m" in before
    assert "사업장에서" not in before
    saved = shop.manager.post(
        f"/labor/worksite/{shop.site.id}/position",
        data={"csrf": shop.manager_csrf, "latitude": "37.5665", "longitude": "126.978"},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("&done=positioned")
    sites = shop.manager.get(f"/labor/worksites?org={shop.lw.world.org.id}").text
    assert "등록된 위치: 37.5665, 126.978" in sites
    scan_post(shop, "out", MONDAY + timedelta(hours=9), **CITY_HALL)
    page = shop.manager.get(month).text
    lines = re.findall(r'<p class="location"[^>]*>(.*?)</p>', page, re.S)
    assert len(lines) == 2
    # Gangnam Station is 8,801 m from City Hall; the clock-out, 56 m away, is not marked.
    assert "사업장에서 8,801m" in lines[0] and 'data-flag="far"' in lines[0]
    assert "퇴근 위치" in lines[1] and "37.567, 126.978" in lines[1]
    assert "사업장에서 56m" in lines[1] and "data-flag" not in lines[1]
    assert "37.567, 126.978" in shop.worker.get(month).text


def test_only_the_employer_registers_a_worksite_position_and_only_as_numbers(shop: Shop) -> None:
    by_worker = shop.worker.post(
        f"/labor/worksite/{shop.site.id}/position",
        data={"csrf": shop.worker_csrf, "latitude": "37.5665", "longitude": "126.978"},
    )
    assert by_worker.status_code == 404
    typed = shop.manager.post(
        f"/labor/worksite/{shop.site.id}/position",
        data={"csrf": shop.manager_csrf, "latitude": "서울", "longitude": "126.978"},
    )
    assert typed.status_code == 400 and "위도" in typed.text
    assert shop.attendance.worksite_position(shop.site.id) is None
