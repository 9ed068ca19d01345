"""PINs for step-up: the policy, enrolment per device, brute force locking, and that a PIN
never signs anyone in."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from blockcity.errors import BlockcityError, NotFound
from blockcity.identity.pins import (
    MAX_TRIES,
    PinLocked,
    PinNotEnrolled,
    WeakPin,
    WrongPin,
    check_pin_policy,
)
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.stepup import RecentSignInRequired, SessionEnded
from tests.identity.webauthn_fakes import ManualClock, signed_in

PIN = "250814"


def stepped_up(seoul_pass: SeoulPass, token: str) -> bool:
    session = seoul_pass.sessions.get(token)
    assert session is not None
    return session.stepped_up(seoul_pass.clock())


@pytest.mark.parametrize("pin", ["250814", "907132", "019283"])
def test_six_unpatterned_digits_make_a_pin(pin: str) -> None:
    check_pin_policy(pin)


@pytest.mark.parametrize(
    "pin",
    [
        "12345",
        "1234567",
        "12a456",
        "١٢٣٤٥٦",
        "000000",
        "123456",
        "987654",
        "121212",
        "252525",
        "123123",
    ],
)
def test_short_long_non_digit_and_patterned_pins_are_refused(pin: str) -> None:
    with pytest.raises(WeakPin):
        check_pin_policy(pin)


def test_correct_pin_steps_the_session_up(seoul_pass: SeoulPass) -> None:
    account, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)
    assert not stepped_up(seoul_pass, token)

    seoul_pass.pins.step_up(token, device, PIN)

    assert stepped_up(seoul_pass, token)
    found = seoul_pass.pins.get(account.id, device)
    assert found is not None and found.failures == 0 and found.locked_at is None


def test_pin_is_stored_neither_in_clear_nor_as_a_bare_hash(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    seoul_pass.pins.enrol(token, None, PIN)
    row = seoul_pass.db.one("SELECT sealed_hash FROM pins")
    assert row is not None
    assert PIN.encode() not in row["sealed_hash"] and b"argon2id" not in row["sealed_hash"]


def test_pin_belongs_to_its_device(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    seoul_pass.pins.enrol(token, None, PIN)
    other_device = seoul_pass.pins.enrol(token, None, "907132")
    with pytest.raises(WrongPin):
        seoul_pass.pins.step_up(token, other_device, PIN)
    with pytest.raises(PinNotEnrolled):
        seoul_pass.pins.step_up(token, None, PIN)
    with pytest.raises(PinNotEnrolled):
        seoul_pass.pins.step_up(token, "a-device-id-nobody-ever-issued", PIN)


def test_two_people_on_one_device_have_separate_pins(seoul_pass: SeoulPass) -> None:
    _, minji = signed_in(seoul_pass, "minji")
    _, jiho = signed_in(seoul_pass, "jiho")
    device = seoul_pass.pins.enrol(minji, None, PIN)
    assert seoul_pass.pins.enrol(jiho, device, "907132") == device

    with pytest.raises(WrongPin):
        seoul_pass.pins.step_up(jiho, device, PIN)
    seoul_pass.pins.step_up(minji, device, PIN)


def test_pin_brute_force_locks_the_pin_after_five_wrong_tries(seoul_pass: SeoulPass) -> None:
    account, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)

    for tries_left in range(MAX_TRIES - 1, 0, -1):
        with pytest.raises(WrongPin) as wrong:
            seoul_pass.pins.step_up(token, device, "000001")
        assert wrong.value.tries_left == tries_left and wrong.value.status == 401
    with pytest.raises(PinLocked) as locked:
        seoul_pass.pins.step_up(token, device, "000002")
    assert locked.value.status == 423

    with pytest.raises(PinLocked):
        seoul_pass.pins.step_up(token, device, PIN)
    assert not stepped_up(seoul_pass, token)
    found = seoul_pass.pins.get(account.id, device)
    assert found is not None and found.locked_at is not None


def test_signing_in_again_lifts_the_pin_lock_for_the_new_session_only(
    seoul_pass: SeoulPass, clock: ManualClock
) -> None:
    account, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)
    for _ in range(MAX_TRIES):
        with pytest.raises((WrongPin, PinLocked)):
            seoul_pass.pins.step_up(token, device, "000001")

    clock.advance(seconds=1)
    fresh, _ = seoul_pass.sessions.start(account.id)
    seoul_pass.pins.step_up(fresh, device, PIN)

    assert stepped_up(seoul_pass, fresh)
    with pytest.raises(PinLocked):
        seoul_pass.pins.step_up(token, device, PIN)


def test_parallel_guesses_get_no_more_than_five_tries(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)
    guesses = [f"{n:06d}" for n in range(100_001, 100_013)]

    def guess(pin: str) -> str:
        try:
            seoul_pass.pins.step_up(token, device, pin)
        except BlockcityError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(guess, guesses))

    assert outcomes.count("wrong-pin") <= MAX_TRIES - 1
    assert outcomes.count("pin-locked") >= len(guesses) - MAX_TRIES + 1
    with pytest.raises(PinLocked):
        seoul_pass.pins.step_up(token, device, PIN)


def test_a_pin_alone_gives_no_session(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)
    seoul_pass.sessions.end(token)
    with pytest.raises(SessionEnded) as caught:
        seoul_pass.pins.step_up(token, device, PIN)
    assert caught.value.status == 401


def test_setting_a_pin_needs_a_recent_sign_in(seoul_pass: SeoulPass, clock: ManualClock) -> None:
    _, token = signed_in(seoul_pass)
    clock.advance(minutes=11)
    with pytest.raises(RecentSignInRequired):
        seoul_pass.pins.enrol(token, None, PIN)
    assert seoul_pass.db.one("SELECT 1 FROM pins") is None


def test_changing_the_pin_resets_the_tries(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)
    for _ in range(MAX_TRIES - 1):
        with pytest.raises(WrongPin):
            seoul_pass.pins.step_up(token, device, "000001")
    seoul_pass.pins.enrol(token, device, "907132")
    with pytest.raises(WrongPin) as caught:
        seoul_pass.pins.step_up(token, device, PIN)
    assert caught.value.tries_left == MAX_TRIES - 1
    seoul_pass.pins.step_up(token, device, "907132")


def test_removed_pin_no_longer_steps_up(seoul_pass: SeoulPass) -> None:
    account, token = signed_in(seoul_pass)
    device = seoul_pass.pins.enrol(token, None, PIN)
    seoul_pass.pins.remove(account.id, device)
    with pytest.raises(PinNotEnrolled):
        seoul_pass.pins.step_up(token, device, PIN)
    with pytest.raises(NotFound):
        seoul_pass.pins.remove(account.id, device)
