"""Sessions: random tokens kept only as hashes, a CSRF token each, expiry, sign-out here or
everywhere, and the step-up window that unlocks signing."""

from __future__ import annotations

from datetime import timedelta
from hashlib import sha256

import pytest

from blockcity.identity.model import Account
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.sessions import (
    SESSION_LIFETIME,
    STEP_UP_LIFETIME,
    Sessions,
    csrf_matches,
)
from tests.identity.webauthn_fakes import ManualClock


@pytest.fixture
def sessions(seoul_pass: SeoulPass) -> Sessions:
    return seoul_pass.sessions


@pytest.fixture
def minji(seoul_pass: SeoulPass) -> Account:
    return seoul_pass.accounts.create("minji", "correct horse battery", "Minji")


def test_a_started_session_is_found_by_its_token_only(sessions: Sessions, minji: Account) -> None:
    token, session = sessions.start(minji.id)
    assert sessions.get(token) == session
    assert session.account_id == minji.id
    assert session.expires_at - session.created_at == SESSION_LIFETIME
    assert sessions.get(token + "x") is None


def test_the_database_keeps_only_a_hash_of_the_token(sessions: Sessions, minji: Account) -> None:
    token, _ = sessions.start(minji.id)
    (row,) = sessions.db.query("SELECT token_hash FROM sessions")
    assert bytes(row["token_hash"]) == sha256(token.encode()).digest()
    assert token.encode() not in bytes(row["token_hash"])


def test_every_sign_in_gets_new_random_tokens(sessions: Sessions, minji: Account) -> None:
    started = [sessions.start(minji.id) for _ in range(5)]
    tokens = {token for token, _ in started}
    csrfs = {session.csrf for _, session in started}
    assert len(tokens) == len(csrfs) == 5
    assert all(len(t) >= 43 for t in tokens)


@pytest.mark.parametrize("token", [None, "", "x" * 101])
def test_missing_or_absurd_tokens_find_nothing(sessions: Sessions, token: str | None) -> None:
    assert sessions.get(token) is None


def test_a_session_ends_when_its_lifetime_is_over(
    sessions: Sessions, minji: Account, clock: ManualClock
) -> None:
    token, _ = sessions.start(minji.id)
    clock.now += SESSION_LIFETIME - timedelta(seconds=1)
    assert sessions.get(token) is not None
    clock.now += timedelta(seconds=1)
    assert sessions.get(token) is None


def test_expired_sessions_are_removed_at_the_next_sign_in(
    sessions: Sessions, minji: Account, clock: ManualClock
) -> None:
    sessions.start(minji.id)
    clock.now += SESSION_LIFETIME + timedelta(minutes=1)
    sessions.start(minji.id)
    assert len(sessions.db.query("SELECT * FROM sessions")) == 1


def test_signing_out_ends_only_that_session(sessions: Sessions, minji: Account) -> None:
    here, _ = sessions.start(minji.id)
    there, _ = sessions.start(minji.id)
    sessions.end(here)
    assert sessions.get(here) is None and sessions.get(there) is not None


def test_signing_out_everywhere_spares_other_accounts(
    sessions: Sessions, minji: Account, seoul_pass: SeoulPass
) -> None:
    other = seoul_pass.accounts.create("other", "correct horse battery", "Other")
    mine = [sessions.start(minji.id)[0] for _ in range(3)]
    theirs, _ = sessions.start(other.id)
    sessions.end_all(minji.id)
    assert all(sessions.get(token) is None for token in mine)
    assert sessions.get(theirs) is not None


def test_a_step_up_unlocks_signing_for_five_minutes(
    sessions: Sessions, minji: Account, clock: ManualClock
) -> None:
    token, session = sessions.start(minji.id)
    assert not session.stepped_up(clock.now)
    sessions.step_up(token)
    stepped = sessions.get(token)
    assert stepped is not None and stepped.stepped_up(clock.now)
    assert stepped.stepped_up(clock.now + STEP_UP_LIFETIME)
    assert not stepped.stepped_up(clock.now + STEP_UP_LIFETIME + timedelta(seconds=1))


def test_csrf_tokens_must_match_exactly() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd")
    assert not csrf_matches("abc", "")
    assert not csrf_matches("abc", None)
