"""6-digit PINs for step-up on a device the person has enrolled (DESIGN.md section 4).

A device is a random id kept in a long-lived HttpOnly cookie; the PIN belongs to the pair
(device, account). A PIN never signs anyone in: it only confirms, inside a signed-in session,
that the person is still there (``Sessions.step_up``), which unlocks custodial signing for a
few minutes. It is stored as an argon2id hash, itself sealed under the master key, so a stolen
identity database gives no way to try the million PINs offline.

Five wrong PINs lock the PIN on that device until the person signs in again with a password or
a passkey: a session started after the lock is the proof, so the lock needs no cooperation from
the sign-in code, and a thief holding only the old session can never lift it.
"""

from __future__ import annotations

import itertools
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256

from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.identity.db import IdentityDB
from blockcity.identity.passwords import Passwords
from blockcity.identity.sessions import Session, Sessions
from blockcity.identity.stepup import current_session, require_recent_sign_in

Clock = Callable[[], datetime]

PIN_LENGTH = 6
MAX_TRIES = 5
DEVICE_ID_BYTES = 32

SCHEMA = """
CREATE TABLE IF NOT EXISTS pins (
    device_hash BLOB NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    sealed_hash BLOB NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (device_hash, account_id)
) WITHOUT ROWID;
"""


class WeakPin(InvalidInput):
    code = "weak-pin"
    title_ko = "PIN이 약합니다"
    title_en = "Weak PIN"


class PinNotEnrolled(BlockcityError):
    code = "pin-not-enrolled"
    status = 400
    title_ko = "이 기기에 PIN이 없습니다"
    title_en = "No PIN on this device"

    def __init__(self) -> None:
        super().__init__(
            "no PIN is set for you on this device: set one in My PIN, or confirm with your passkey",
            "이 기기에는 설정된 PIN이 없습니다. '내 PIN'에서 설정하거나 패스키로 확인하세요",
        )


class WrongPin(BlockcityError):
    code = "wrong-pin"
    status = 401
    title_ko = "PIN이 틀렸습니다"
    title_en = "Wrong PIN"

    def __init__(self, tries_left: int) -> None:
        super().__init__(
            f"the PIN is wrong; {tries_left} more wrong tries lock the PIN on this device",
            f"PIN이 틀렸습니다. {tries_left}번 더 틀리면 이 기기의 PIN이 잠깁니다",
            tries_left=tries_left,
        )
        self.tries_left = tries_left


class PinLocked(BlockcityError):
    code = "pin-locked"
    status = 423
    title_ko = "PIN이 잠겼습니다"
    title_en = "PIN locked"

    def __init__(self) -> None:
        super().__init__(
            f"the PIN on this device is locked after {MAX_TRIES} wrong tries: sign out and sign "
            "in again with your password or passkey to unlock it",
            f"PIN을 {MAX_TRIES}번 틀려 이 기기의 PIN이 잠겼습니다. 로그아웃한 뒤 비밀번호나 "
            "패스키로 다시 로그인하면 풀립니다",
        )


@dataclass(frozen=True, slots=True)
class DevicePin:
    """That a PIN is set for an account on a device; the PIN itself never leaves this module."""

    account_id: str
    created_at: datetime
    updated_at: datetime
    failures: int
    locked_at: datetime | None
    """Sessions started at or before this time can no longer use the PIN."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _device_hash(device_id: str) -> bytes:
    return sha256(device_id.encode()).digest()


def _purpose(device_hash: bytes, account_id: str) -> bytes:
    return b"pin:" + device_hash.hex().encode() + b":" + account_id.encode()


def new_device_id() -> str:
    return secrets.token_urlsafe(DEVICE_ID_BYTES)


def check_pin_policy(pin: str) -> None:
    """Six ASCII digits, not one of the patterns tried first (repeats, runs, pairs)."""
    if len(pin) != PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        raise WeakPin(f"a PIN is exactly {PIN_LENGTH} digits", f"PIN은 숫자 {PIN_LENGTH}자리입니다")
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    repeated = len(set(pin)) <= 2 or pin[:3] == pin[3:]
    if repeated or steps in ({1}, {-1}):
        raise WeakPin(
            "this PIN is among the first anyone would try (repeated digits or a run such as "
            "123456); choose another",
            "같은 숫자 반복이나 123456 같은 연속 숫자는 누구나 먼저 시도합니다. "
            "다른 PIN을 정하세요",
        )


class Pins:
    def __init__(
        self,
        db: IdentityDB,
        master: MasterKey,
        passwords: Passwords,
        sessions: Sessions,
        clock: Clock = _utc_now,
    ) -> None:
        self.db = db
        self._master = master
        self._passwords = passwords
        self.sessions = sessions
        self.clock = clock
        db.schema(SCHEMA)

    def enrol(self, token: str, device_id: str | None, pin: str) -> str:
        """Set (or change) the session owner's PIN on this device; returns the device id to
        keep in the device cookie (a new one if the browser had none).

        Needs a recent sign-in, so a stolen session cookie cannot set a PIN of its own.
        """
        session = current_session(self.sessions, token)
        now = self.clock()
        require_recent_sign_in(session, now)
        check_pin_policy(pin)
        if device_id is None or not _plausible(device_id):
            device_id = new_device_id()
        device = _device_hash(device_id)
        sealed = self._master.seal(
            self._passwords.hash(pin).encode(), _purpose(device, session.account_id)
        )
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO pins (device_hash, account_id, sealed_hash, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_hash, account_id) DO UPDATE SET "
                "sealed_hash = excluded.sealed_hash, failures = 0, "
                "updated_at = excluded.updated_at",
                (device, session.account_id, sealed, now.isoformat(), now.isoformat()),
            )
        return device_id

    def get(self, account_id: str, device_id: str | None) -> DevicePin | None:
        if device_id is None or not _plausible(device_id):
            return None
        row = self.db.one(
            "SELECT * FROM pins WHERE device_hash = ? AND account_id = ?",
            (_device_hash(device_id), account_id),
        )
        return _device_pin(row) if row else None

    def remove(self, account_id: str, device_id: str | None) -> None:
        found = self.get(account_id, device_id)
        if found is None or device_id is None:
            raise NotFound("no PIN is set on this device", "이 기기에는 설정된 PIN이 없습니다")
        with self.db.transaction() as tx:
            tx.execute(
                "DELETE FROM pins WHERE device_hash = ? AND account_id = ?",
                (_device_hash(device_id), account_id),
            )

    def step_up(self, token: str, device_id: str | None, pin: str) -> None:
        """Confirm the session's owner with the PIN set on this device (``Sessions.step_up``)."""
        session = current_session(self.sessions, token)
        if device_id is None or not _plausible(device_id):
            raise PinNotEnrolled()
        device = _device_hash(device_id)
        attempt = self._reserve_attempt(device, session)
        row = self.db.one(
            "SELECT sealed_hash FROM pins WHERE device_hash = ? AND account_id = ?",
            (device, session.account_id),
        )
        if row is None:
            raise PinNotEnrolled()
        stored = self._master.open(row["sealed_hash"], _purpose(device, session.account_id))
        if len(pin) <= 64 and self._passwords.verify(stored.decode(), pin):
            with self.db.transaction() as tx:
                tx.execute(
                    "UPDATE pins SET failures = 0 WHERE device_hash = ? AND account_id = ?",
                    (device, session.account_id),
                )
            self.sessions.step_up(token)
            return
        if attempt >= MAX_TRIES:
            self._lock(device, session.account_id)
            raise PinLocked()
        raise WrongPin(MAX_TRIES - attempt)

    def _reserve_attempt(self, device: bytes, session: Session) -> int:
        """Count this attempt before the PIN is checked, so that guesses sent in parallel
        cannot all pass on the same count; returns its number (1 to MAX_TRIES)."""
        with self.db.transaction() as tx:
            row = tx.execute(
                "SELECT failures, locked_at FROM pins WHERE device_hash = ? AND account_id = ?",
                (device, session.account_id),
            ).fetchone()
            if row is None:
                raise PinNotEnrolled()
            locked_at = row["locked_at"]
            if locked_at is not None and session.created_at <= datetime.fromisoformat(locked_at):
                attempt = MAX_TRIES + 1
            else:
                attempt = row["failures"] + 1
                tx.execute(
                    "UPDATE pins SET failures = ? WHERE device_hash = ? AND account_id = ?",
                    (attempt, device, session.account_id),
                )
        if attempt > MAX_TRIES:
            if locked_at is None or session.created_at > datetime.fromisoformat(locked_at):
                # Every try was taken by guesses still in flight: lock now.
                self._lock(device, session.account_id)
            raise PinLocked()
        return attempt

    def _lock(self, device: bytes, account_id: str) -> None:
        """Lock the PIN for every session started until now; a later sign-in starts afresh."""
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE pins SET failures = 0, locked_at = ? "
                "WHERE device_hash = ? AND account_id = ?",
                (self.clock().isoformat(), device, account_id),
            )


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _plausible(device_id: str) -> bool:
    """Only ids we could have made: anything else is not looked up at all."""
    return 20 <= len(device_id) <= 100 and device_id.isascii()


def _device_pin(row: sqlite3.Row) -> DevicePin:
    return DevicePin(
        account_id=row["account_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        failures=row["failures"],
        locked_at=_time(row["locked_at"]),
    )
