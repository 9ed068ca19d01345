"""Accounts: sign-up with a custodial did:key, the username and password rules, argon2id
hashes, password sign-in with a growing lockout, and keys sealed to their own account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from blockcity.crypto import public_from_did_key
from blockcity.crypto.sealing import MasterKey, SealBroken
from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import AccountKind
from blockcity.identity.passwords import (
    HashingCost,
    LockoutPolicy,
    Passwords,
    SignInFailed,
    TooManyAttempts,
    WeakPassword,
)
from tests.identity.webauthn_fakes import ManualClock

PASSWORD = "correct horse battery"
CHEAP = HashingCost(time_cost=1, memory_kib=1024)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[IdentityDB]:
    opened = IdentityDB(tmp_path / "identity.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def accounts(db: IdentityDB, clock: ManualClock) -> Accounts:
    return Accounts(db, MasterKey(bytes(32)), Passwords(CHEAP), clock=clock)


def test_sign_up_gives_a_did_whose_custodial_key_signs_for_it(accounts: Accounts) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    assert account.did.startswith("did:key:z6Mk")
    assert account.kid == f"{account.did}#{account.did.removeprefix('did:key:')}"
    assert account.kind is AccountKind.CITIZEN and account.proofed_at is None
    key = accounts.custodial_key(account.id)
    assert key.public == public_from_did_key(account.did)
    assert accounts.by_did(account.did) == account == accounts.get(account.id)


def test_two_accounts_never_share_a_key(accounts: Accounts) -> None:
    assert (
        accounts.create("one", PASSWORD, "One").did != accounts.create("two", PASSWORD, "Two").did
    )


def test_username_is_trimmed_and_lowercased(accounts: Accounts) -> None:
    account = accounts.create("  MinJi.Kim ", PASSWORD, "Minji")
    assert account.username == "minji.kim"
    assert accounts.by_username("MINJI.KIM") == account


@pytest.mark.parametrize(
    "username", ["ab", "-minji", ".minji", "min ji", "민지", "a" * 33, "minji!", "minji\x00"]
)
def test_malformed_usernames_are_refused(accounts: Accounts, username: str) -> None:
    with pytest.raises(InvalidInput):
        accounts.create(username, PASSWORD, "Minji")
    assert accounts.db.query("SELECT * FROM accounts") == []


def test_a_taken_username_conflicts_whatever_its_case(accounts: Accounts) -> None:
    first = accounts.create("minji", PASSWORD, "Minji")
    with pytest.raises(Conflict):
        accounts.create("MINJI", "another fine password", "Someone else")
    assert accounts.sign_in("minji", PASSWORD) == first


@pytest.mark.parametrize("name", ["", "   ", "가" * 51, "line\nbreak", "tab\there"])
def test_impossible_display_names_are_refused(accounts: Accounts, name: str) -> None:
    with pytest.raises(InvalidInput):
        accounts.create("minji", PASSWORD, name)


@pytest.mark.parametrize(
    "password",
    [
        "short pw",
        "1q2w3e4r5t",
        "Password123",
        "aaaaaaaaaaaa",
        "abababababab",
        "minji-is-me-ok",
        "x" * 129,
    ],
)
def test_weak_passwords_are_refused(accounts: Accounts, password: str) -> None:
    with pytest.raises(WeakPassword):
        accounts.create("minji", password, "Minji")


def test_the_password_is_stored_only_as_an_argon2id_hash(accounts: Accounts) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    row = accounts.db.one("SELECT password_hash FROM accounts WHERE id = ?", (account.id,))
    assert row is not None
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]


def test_sign_in_needs_the_right_password_and_fails_alike_for_unknown_users(
    accounts: Accounts,
) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    assert accounts.sign_in(" MinJi ", PASSWORD) == account
    with pytest.raises(SignInFailed) as wrong:
        accounts.sign_in("minji", PASSWORD + "!")
    with pytest.raises(SignInFailed) as unknown:
        accounts.sign_in("nobody", PASSWORD)
    assert wrong.value.message_en == unknown.value.message_en
    assert wrong.value.message_ko == unknown.value.message_ko


def test_five_wrong_passwords_lock_the_account_until_the_lock_ends(
    accounts: Accounts, clock: ManualClock
) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            accounts.sign_in("minji", "wrong password!")
    with pytest.raises(TooManyAttempts) as locked:
        accounts.sign_in("minji", PASSWORD)
    assert "15" in locked.value.message_en and "15분" in locked.value.message_ko
    assert locked.value.retry_after == 15 * 60
    clock.now += timedelta(minutes=15, seconds=1)
    assert accounts.sign_in("minji", PASSWORD) == account


def test_after_a_lock_the_next_lock_is_twice_as_long(
    accounts: Accounts, clock: ManualClock
) -> None:
    accounts.create("minji", PASSWORD, "Minji")
    for round_, minutes in enumerate((15, 30, 60)):
        for _ in range(5):
            with pytest.raises(SignInFailed):
                accounts.sign_in("minji", "wrong password!")
        with pytest.raises(TooManyAttempts) as locked:
            accounts.sign_in("minji", "wrong password!")
        assert locked.value.retry_after == minutes * 60, round_
        clock.now += timedelta(minutes=minutes, seconds=1)


def test_one_wrong_password_after_a_lock_does_not_lock_again(
    accounts: Accounts, clock: ManualClock
) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            accounts.sign_in("minji", "wrong password!")
    clock.now += timedelta(minutes=16)
    with pytest.raises(SignInFailed):
        accounts.sign_in("minji", "wrong password!")
    assert accounts.sign_in("minji", PASSWORD) == account


@pytest.mark.parametrize(
    ("failures", "lock"),
    [(4, None), (5, 15), (6, None), (9, None), (10, 30), (15, 60), (40, 24 * 60), (10**6, 24 * 60)],
)
def test_lockout_policy_locks_every_fifth_failure_doubling_up_to_a_day(
    failures: int, lock: int | None
) -> None:
    found = LockoutPolicy().lock_for(failures)
    assert found == (None if lock is None else timedelta(minutes=lock))


def test_a_new_password_works_and_lifts_a_lockout(accounts: Accounts) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            accounts.sign_in("minji", "wrong password!")
    accounts.set_password(account.id, "a brand new password")
    assert accounts.sign_in("minji", "a brand new password") == account
    with pytest.raises(SignInFailed):
        accounts.sign_in("minji", PASSWORD)
    with pytest.raises(WeakPassword):
        accounts.set_password(account.id, "short")


def test_an_old_hash_is_upgraded_at_sign_in(db: IdentityDB, accounts: Accounts) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    stronger = Accounts(
        db, MasterKey(bytes(32)), Passwords(HashingCost(time_cost=2, memory_kib=2048))
    )
    before = db.one("SELECT password_hash FROM accounts")
    assert stronger.sign_in("minji", PASSWORD) == account
    after = db.one("SELECT password_hash FROM accounts")
    assert before is not None and after is not None
    assert before["password_hash"] != after["password_hash"]
    assert "m=2048,t=2" in after["password_hash"]


def test_a_custodial_key_moved_to_another_account_does_not_open(accounts: Accounts) -> None:
    first = accounts.create("one", PASSWORD, "One")
    second = accounts.create("two", PASSWORD, "Two")
    with accounts.db.transaction() as tx:
        tx.execute(
            "UPDATE accounts SET sealed_key = (SELECT sealed_key FROM accounts WHERE id = ?) "
            "WHERE id = ?",
            (first.id, second.id),
        )
    with pytest.raises(SealBroken):
        accounts.custodial_key(second.id)


def test_unknown_accounts_are_not_found(accounts: Accounts) -> None:
    with pytest.raises(NotFound):
        accounts.get("no-such-id")
    with pytest.raises(NotFound):
        accounts.custodial_key("no-such-id")
    assert accounts.by_username("nobody") is None
    assert accounts.by_did("did:key:z6MkNobody") is None


def test_marking_proofed_records_the_time(accounts: Accounts, clock: ManualClock) -> None:
    account = accounts.create("minji", PASSWORD, "Minji")
    accounts.mark_proofed(account.id)
    assert accounts.get(account.id).proofed_at == clock.now


def test_officers_are_made_with_their_kind(accounts: Accounts) -> None:
    officer = accounts.create("officer", PASSWORD, "Officer", kind=AccountKind.OFFICER)
    assert accounts.get(officer.id).kind is AccountKind.OFFICER
