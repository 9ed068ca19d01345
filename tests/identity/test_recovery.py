"""Account recovery: ten one-time codes of 80 bits kept only as hashes; a code sets a new
password, ends every session and is spent; failures never say whether an account exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError
from blockcity.identity.model import Account
from blockcity.identity.passkeys import RelyingParty
from blockcity.identity.passwords import HashingCost, Passwords, SignInFailed, WeakPassword
from blockcity.identity.recovery import CODES_PER_ACCOUNT, RecoveryFailed
from blockcity.identity.seoulpass import SeoulPass
from tests.identity.webauthn_fakes import ORIGIN, RP_ID, SoftAuthenticator

PASSWORD = "correct horse battery"
NEW = "a brand new password"
_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


@pytest.fixture
def seoul_pass(tmp_path: Path) -> Iterator[SeoulPass]:
    opened = SeoulPass(
        tmp_path,
        MasterKey(bytes(32)),
        passwords=Passwords(HashingCost(time_cost=1, memory_kib=1024)),
    )
    yield opened
    opened.close()


@pytest.fixture
def minji(seoul_pass: SeoulPass) -> Account:
    return seoul_pass.accounts.create("minji", PASSWORD, "Minji")


def test_ten_distinct_codes_of_eighty_bits_are_issued(
    seoul_pass: SeoulPass, minji: Account
) -> None:
    codes = seoul_pass.recovery.issue(minji.id)
    assert len(codes) == len(set(codes)) == CODES_PER_ACCOUNT == 10
    # 16 characters of base32 = 80 bits.
    assert all(_CODE.fullmatch(code) for code in codes)
    assert seoul_pass.recovery.remaining(minji.id) == 10


def test_only_hashes_of_the_codes_are_stored(seoul_pass: SeoulPass, minji: Account) -> None:
    codes = seoul_pass.recovery.issue(minji.id)
    stored = b"".join(
        bytes(r["code_hash"]) for r in seoul_pass.db.query("SELECT * FROM recovery_codes")
    )
    assert all(code.replace("-", "").encode() not in stored for code in codes)


def test_a_code_sets_a_new_password_and_ends_every_session(
    seoul_pass: SeoulPass, minji: Account
) -> None:
    codes = seoul_pass.recovery.issue(minji.id)
    tokens = [seoul_pass.sessions.start(minji.id)[0] for _ in range(2)]
    assert seoul_pass.recovery.recover("minji", codes[3], NEW) == minji
    assert seoul_pass.accounts.sign_in("minji", NEW) == minji
    with pytest.raises(SignInFailed):
        seoul_pass.accounts.sign_in("minji", PASSWORD)
    assert all(seoul_pass.sessions.get(token) is None for token in tokens)
    assert seoul_pass.recovery.remaining(minji.id) == 9


def test_a_code_works_only_once(seoul_pass: SeoulPass, minji: Account) -> None:
    code = seoul_pass.recovery.issue(minji.id)[0]
    seoul_pass.recovery.recover("minji", code, NEW)
    with pytest.raises(RecoveryFailed):
        seoul_pass.recovery.recover("minji", code, "the attacker's password")
    assert seoul_pass.accounts.sign_in("minji", NEW) == minji


def test_codes_are_read_forgivingly(seoul_pass: SeoulPass, minji: Account) -> None:
    code = seoul_pass.recovery.issue(minji.id)[0]
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert seoul_pass.recovery.recover("MINJI", sloppy, NEW) == minji


def test_unknown_users_and_wrong_codes_fail_alike(seoul_pass: SeoulPass, minji: Account) -> None:
    code = seoul_pass.recovery.issue(minji.id)[0]
    failures = []
    for username, attempt in [
        ("nobody", code),
        ("minji", "0000-0000-0000-0000"),
        ("minji", "junk"),
    ]:
        with pytest.raises(RecoveryFailed) as failed:
            seoul_pass.recovery.recover(username, attempt, NEW)
        failures.append((failed.value.code, failed.value.status, failed.value.message_en))
    assert len(set(failures)) == 1
    assert seoul_pass.recovery.remaining(minji.id) == 10
    assert seoul_pass.accounts.sign_in("minji", PASSWORD) == minji


def test_another_accounts_code_does_not_open_this_one(
    seoul_pass: SeoulPass, minji: Account
) -> None:
    other = seoul_pass.accounts.create("other", PASSWORD, "Other")
    seoul_pass.recovery.issue(minji.id)
    theirs = seoul_pass.recovery.issue(other.id)[0]
    with pytest.raises(RecoveryFailed):
        seoul_pass.recovery.recover("minji", theirs, NEW)
    assert seoul_pass.recovery.remaining(other.id) == 10


def test_a_weak_new_password_is_refused_without_spending_the_code(
    seoul_pass: SeoulPass, minji: Account
) -> None:
    code = seoul_pass.recovery.issue(minji.id)[0]
    with pytest.raises(WeakPassword):
        seoul_pass.recovery.recover("minji", code, "short")
    assert seoul_pass.recovery.remaining(minji.id) == 10
    assert seoul_pass.recovery.recover("minji", code, NEW) == minji


def test_new_codes_replace_the_old_ones(seoul_pass: SeoulPass, minji: Account) -> None:
    old = seoul_pass.recovery.issue(minji.id)
    new = seoul_pass.recovery.issue(minji.id)
    assert not set(old) & set(new)
    with pytest.raises(RecoveryFailed):
        seoul_pass.recovery.recover("minji", old[0], NEW)
    assert seoul_pass.recovery.recover("minji", new[0], NEW) == minji


def test_recovery_lifts_a_lockout(seoul_pass: SeoulPass, minji: Account) -> None:
    code = seoul_pass.recovery.issue(minji.id)[0]
    for _ in range(5):
        with pytest.raises(SignInFailed):
            seoul_pass.accounts.sign_in("minji", "wrong password!")
    seoul_pass.recovery.recover("minji", code, NEW)
    assert seoul_pass.accounts.sign_in("minji", NEW) == minji


def test_recovery_removes_every_passkey_and_pin_someone_else_may_have_added(
    seoul_pass: SeoulPass, minji: Account
) -> None:
    """A thief with a fresh stolen session can enrol a passkey and a PIN; after the owner
    recovers the account, neither may still work (found by the security review)."""
    codes = seoul_pass.recovery.issue(minji.id)
    token, _ = seoul_pass.sessions.start(minji.id)
    rp = RelyingParty(RP_ID, ORIGIN)
    thief_device = SoftAuthenticator()
    options = seoul_pass.passkeys.registration_options(token, rp)
    seoul_pass.passkeys.register(token, thief_device.create(options), "thief", rp)
    seoul_pass.pins.enrol(token, None, "482913")
    assert seoul_pass.passkeys.list(minji.id)

    seoul_pass.recovery.recover("minji", codes[0], NEW)

    assert seoul_pass.passkeys.list(minji.id) == []
    assert seoul_pass.db.query("SELECT * FROM pins WHERE account_id = ?", (minji.id,)) == []
    with pytest.raises(BlockcityError):
        seoul_pass.passkeys.sign_in(thief_device.get(seoul_pass.passkeys.sign_in_options(rp)), rp)
