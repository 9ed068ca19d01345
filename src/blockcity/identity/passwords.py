"""Passwords: argon2id hashing, the password policy, and the throttles that stop brute force
and credential stuffing (per-account lockout, per-address rate limit).

argon2id parameters follow OWASP's recommendation (46 MiB, 2 passes, 1 lane): about 70 ms per
check on the city's 2-core machine, deliberately slow for an attacker holding the hashes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from blockcity.errors import BlockcityError, InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 128

# Among the most used passwords of at least MIN_LENGTH characters in public breach lists.
_COMMON = frozenset(
    {
        "1234567890",
        "0123456789",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "iloveyou12",
        "qwerty1234",
        "1qaz2wsx3edc",
        "asdfghjkl1",
        "abcdefghij",
        "a123456789",
        "123456789a",
        "qwer1234!!",
        "zxcvbnm123",
        "1234qwer!!",
        "qwe123qwe123",
        "sarang1234",
        "saranghae1",
        "seoul12345",
        "korea12345",
    }
)


class WeakPassword(InvalidInput):
    code = "weak-password"
    title_ko = "비밀번호가 약합니다"
    title_en = "Weak password"


class SignInFailed(BlockcityError):
    """Deliberately vague: it never tells an attacker whether the account exists."""

    code = "sign-in-failed"
    status = 401
    title_ko = "로그인에 실패했습니다"
    title_en = "Sign-in failed"

    def __init__(self) -> None:
        super().__init__(
            "the username or password is wrong",
            "아이디 또는 비밀번호가 올바르지 않습니다",
        )


class TooManyAttempts(BlockcityError):
    code = "too-many-attempts"
    status = 429
    title_ko = "시도 횟수를 초과했습니다"
    title_en = "Too many attempts"

    def __init__(self, retry_after: int, message_en: str, message_ko: str) -> None:
        super().__init__(message_en, message_ko, retry_after=retry_after)
        self.retry_after = retry_after


def check_policy(password: str, username: str = "") -> None:
    """Refuse passwords that are short, very common, or built on the username (NIST 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"use at least {MIN_LENGTH} characters; a short sentence is easy to remember",
            f"{MIN_LENGTH}자 이상으로 정하세요. 짧은 문장이 기억하기 쉽습니다",
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            f"use at most {MAX_LENGTH} characters", f"{MAX_LENGTH}자 이하로 정하세요"
        )
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        raise WeakPassword(
            "this password is among the first an attacker tries; choose another",
            "공격자가 가장 먼저 시도하는 비밀번호입니다. 다른 비밀번호를 정하세요",
        )
    if username and username.lower() in lowered:
        raise WeakPassword(
            "the password must not contain the username", "비밀번호에 아이디를 넣지 마세요"
        )


@dataclass(frozen=True, slots=True)
class HashingCost:
    time_cost: int = 2
    memory_kib: int = 47104
    parallelism: int = 1


class Passwords:
    def __init__(self, cost: HashingCost | None = None) -> None:
        cost = cost or HashingCost()
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        # Checked against when the account does not exist, so both cases take as long.
        self._decoy = self._hasher.hash("decoy password for unknown accounts")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    failures_before_lock: int = 5
    first_lock: timedelta = timedelta(minutes=15)
    longest_lock: timedelta = timedelta(hours=24)

    def lock_for(self, failures: int) -> timedelta | None:
        """How long to lock after ``failures`` consecutive failures: every
        ``failures_before_lock`` failures in a row lock the account, twice as long each time.

        Between locks the person gets the full number of tries again, so one typo after a lock
        ends does not lock them out at once; an attacker still gets only a handful of guesses
        per lock, and the locks grow to ``longest_lock``.
        """
        if failures < self.failures_before_lock or failures % self.failures_before_lock:
            return None
        doublings = failures // self.failures_before_lock - 1
        # Capped before shifting: a long-running attack must not build a huge integer.
        lock: timedelta = self.first_lock * (1 << min(doublings, 32))
        return min(lock, self.longest_lock)


def locked_error(until: datetime, now: datetime) -> TooManyAttempts:
    seconds = max(1, int((until - now).total_seconds()))
    minutes = (seconds + 59) // 60
    return TooManyAttempts(
        seconds,
        f"too many wrong passwords: this account is locked for {minutes} more minutes. "
        "Wait, or recover the account with a recovery code",
        f"비밀번호를 여러 번 틀려 계정이 {minutes}분 동안 잠겼습니다. 기다리거나 복구 코드로 "
        "계정을 복구하세요",
    )


_MAX_SOURCES = 100_000


@dataclass
class RateLimiter:
    """At most ``limit`` attempts per ``window`` seconds from one source (an address, say):
    credential stuffing spreads over many accounts, so per-account lockout alone misses it."""

    limit: int = 20
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    """Seconds from any fixed point; injected by tests that let the window pass."""
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, source: str) -> None:
        now = self.clock()
        with self._lock:
            attempts = self._seen.setdefault(source, deque())
            while attempts and attempts[0] <= now - self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                retry = int(attempts[0] + self.window - now) + 1
                raise TooManyAttempts(
                    retry,
                    f"too many sign-in attempts from this address; try again in {retry} s",
                    f"이 주소에서 로그인 시도가 너무 많습니다. {retry}초 후에 다시 시도하세요",
                )
            attempts.append(now)
            if len(self._seen) > _MAX_SOURCES:
                # Forget the sources idle longest, never the busy ones: clearing everything
                # would hand an attacker who rotates addresses a fresh budget everywhere.
                idle = sorted(self._seen, key=lambda s: self._seen[s][-1] if self._seen[s] else 0)
                for source_ in idle[: len(idle) // 2]:
                    del self._seen[source_]
