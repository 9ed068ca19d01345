"""Passkeys: enrolment, discoverable sign-in, step-up, and the attacks on them (replay, another
account's credential, cloned authenticators, expired challenges, other origins)."""

from __future__ import annotations

import copy

import pytest

from blockcity.crypto import b64url_decode, b64url_encode
from blockcity.errors import InvalidInput, NotFound
from blockcity.identity.passkeys import (
    CHALLENGE_BYTES,
    Passkey,
    PasskeyNotEnrolled,
    PasskeyRejected,
    RelyingParty,
)
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.stepup import RecentSignInRequired, SessionEnded
from tests.identity.webauthn_fakes import ORIGIN, RP_ID, ManualClock, SoftAuthenticator, signed_in

RP = RelyingParty(RP_ID, ORIGIN)


def enrol(seoul_pass: SeoulPass, token: str, device: SoftAuthenticator) -> Passkey:
    options = seoul_pass.passkeys.registration_options(token, RP)
    return seoul_pass.passkeys.register(token, device.create(options), "내 휴대폰", RP)


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_enrolled_passkey_signs_in_with_a_new_session(seoul_pass: SeoulPass, alg: str) -> None:
    account, token = signed_in(seoul_pass)
    device = SoftAuthenticator(alg=alg)  # type: ignore[arg-type]
    passkey = enrol(seoul_pass, token, device)
    assert [p.id for p in seoul_pass.passkeys.list(account.id)] == [passkey.id]
    assert passkey.name == "내 휴대폰" and passkey.transports == ("internal",)

    options = seoul_pass.passkeys.sign_in_options(RP)
    who = seoul_pass.passkeys.sign_in(device.get(options), RP)

    assert who.id == account.id
    assert seoul_pass.passkeys.list(account.id)[0].sign_count == 1


def test_registration_asks_for_a_discoverable_user_verified_passkey(
    seoul_pass: SeoulPass,
) -> None:
    account, token = signed_in(seoul_pass)
    options = seoul_pass.passkeys.registration_options(token, RP)
    assert options["rp"] == {"id": RP_ID, "name": "Seoul Pass"}
    assert b64url_decode(options["user"]["id"]) == bytes.fromhex(account.id.replace("-", ""))
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert len(b64url_decode(options["challenge"])) == CHALLENGE_BYTES


def test_sign_in_options_name_no_account_and_no_credential(seoul_pass: SeoulPass) -> None:
    options = seoul_pass.passkeys.sign_in_options(RP)
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    assert options["rpId"] == RP_ID
    assert options["challenge"] != seoul_pass.passkeys.sign_in_options(RP)["challenge"]


def test_replayed_sign_in_assertion_is_refused(seoul_pass: SeoulPass, clock: ManualClock) -> None:
    account, token = signed_in(seoul_pass)
    device = SoftAuthenticator(counts=False)
    enrol(seoul_pass, token, device)
    response = device.get(seoul_pass.passkeys.sign_in_options(RP))
    seoul_pass.passkeys.sign_in(response, RP)
    clock.advance(seconds=1)
    used = seoul_pass.passkeys.list(account.id)[0].last_used_at

    with pytest.raises(PasskeyRejected, match="already used") as caught:
        seoul_pass.passkeys.sign_in(response, RP)
    assert caught.value.status == 401
    assert seoul_pass.passkeys.list(account.id)[0].last_used_at == used


def test_failed_attempt_uses_up_its_challenge(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    response = device.get(seoul_pass.passkeys.sign_in_options(RP))
    forged = copy.deepcopy(response)
    signature = bytearray(b64url_decode(forged["response"]["signature"]))
    signature[-1] ^= 1
    forged["response"]["signature"] = b64url_encode(bytes(signature))

    with pytest.raises(PasskeyRejected, match="did not verify"):
        seoul_pass.passkeys.sign_in(forged, RP)
    with pytest.raises(PasskeyRejected, match="already used"):
        seoul_pass.passkeys.sign_in(response, RP)


def test_step_up_challenge_does_not_sign_in(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    response = device.get(seoul_pass.passkeys.step_up_options(token, RP))
    with pytest.raises(PasskeyRejected, match="expired or was already used"):
        seoul_pass.passkeys.sign_in(response, RP)


def test_step_up_with_a_passkey_unlocks_signing_for_the_session(
    seoul_pass: SeoulPass, clock: ManualClock
) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    session = seoul_pass.sessions.get(token)
    assert session is not None and not session.stepped_up(clock())

    seoul_pass.passkeys.step_up(
        token, device.get(seoul_pass.passkeys.step_up_options(token, RP)), RP
    )

    session = seoul_pass.sessions.get(token)
    assert session is not None and session.stepped_up(clock())


def test_step_up_with_another_accounts_passkey_is_refused(
    seoul_pass: SeoulPass, clock: ManualClock
) -> None:
    _, token = signed_in(seoul_pass, "minji")
    _, intruder_token = signed_in(seoul_pass, "intruder")
    enrol(seoul_pass, token, SoftAuthenticator())
    intruder = SoftAuthenticator()
    enrol(seoul_pass, intruder_token, intruder)

    options = seoul_pass.passkeys.step_up_options(token, RP)
    with pytest.raises(PasskeyRejected, match="another account"):
        seoul_pass.passkeys.step_up(
            token, intruder.get(options, next(iter(intruder.credentials))), RP
        )
    session = seoul_pass.sessions.get(token)
    assert session is not None and not session.stepped_up(clock())


def test_user_handle_of_another_account_is_refused(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass, "minji")
    other, _ = signed_in(seoul_pass, "jiho")
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    response = device.get(seoul_pass.passkeys.sign_in_options(RP))
    response["response"]["userHandle"] = b64url_encode(bytes.fromhex(other.id.replace("-", "")))
    with pytest.raises(PasskeyRejected, match="another account"):
        seoul_pass.passkeys.sign_in(response, RP)


def test_enrolling_with_an_expired_challenge_is_refused(
    seoul_pass: SeoulPass, clock: ManualClock
) -> None:
    account, token = signed_in(seoul_pass)
    options = seoul_pass.passkeys.registration_options(token, RP)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(PasskeyNotEnrolled, match="expired") as caught:
        seoul_pass.passkeys.register(token, SoftAuthenticator().create(options), "휴대폰", RP)
    assert caught.value.status == 400
    assert seoul_pass.passkeys.list(account.id) == []


def test_sign_in_with_an_expired_challenge_is_refused(
    seoul_pass: SeoulPass, clock: ManualClock
) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    options = seoul_pass.passkeys.sign_in_options(RP)
    clock.advance(minutes=6)
    with pytest.raises(PasskeyRejected, match="expired"):
        seoul_pass.passkeys.sign_in(device.get(options), RP)


def test_cloned_authenticator_whose_counter_goes_back_is_refused(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    clone = copy.deepcopy(device)
    seoul_pass.passkeys.sign_in(device.get(seoul_pass.passkeys.sign_in_options(RP)), RP)
    seoul_pass.passkeys.sign_in(device.get(seoul_pass.passkeys.sign_in_options(RP)), RP)

    with pytest.raises(PasskeyRejected, match="copied"):
        seoul_pass.passkeys.sign_in(clone.get(seoul_pass.passkeys.sign_in_options(RP)), RP)


def test_passkey_whose_counter_stays_at_zero_keeps_working(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator(counts=False)
    enrol(seoul_pass, token, device)
    for _ in range(2):
        seoul_pass.passkeys.sign_in(device.get(seoul_pass.passkeys.sign_in_options(RP)), RP)


def test_assertion_without_user_verification_is_refused(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    device.user_verified = False
    with pytest.raises(PasskeyRejected, match="fingerprint"):
        seoul_pass.passkeys.sign_in(device.get(seoul_pass.passkeys.sign_in_options(RP)), RP)


def test_registration_without_user_verification_is_refused(seoul_pass: SeoulPass) -> None:
    account, token = signed_in(seoul_pass)
    with pytest.raises(PasskeyNotEnrolled, match="fingerprint"):
        enrol(seoul_pass, token, SoftAuthenticator(user_verified=False))
    assert seoul_pass.passkeys.list(account.id) == []


def test_assertion_made_on_another_origin_is_refused(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    enrol(seoul_pass, token, device)
    device.origin = "https://seoul-pass.example"
    with pytest.raises(PasskeyRejected, match="this site"):
        seoul_pass.passkeys.sign_in(device.get(seoul_pass.passkeys.sign_in_options(RP)), RP)


def test_removing_another_users_passkey_is_not_found_and_removes_nothing(
    seoul_pass: SeoulPass,
) -> None:
    owner, token = signed_in(seoul_pass, "minji")
    intruder, _ = signed_in(seoul_pass, "intruder")
    passkey = enrol(seoul_pass, token, SoftAuthenticator())

    with pytest.raises(NotFound) as caught:
        seoul_pass.passkeys.remove(intruder.id, passkey.id)
    assert caught.value.status == 404
    assert [p.id for p in seoul_pass.passkeys.list(owner.id)] == [passkey.id]


def test_removed_passkey_no_longer_signs_in(seoul_pass: SeoulPass) -> None:
    account, token = signed_in(seoul_pass)
    device = SoftAuthenticator()
    passkey = enrol(seoul_pass, token, device)
    seoul_pass.passkeys.remove(account.id, passkey.id)

    assert seoul_pass.passkeys.list(account.id) == []
    with pytest.raises(PasskeyRejected, match="removed"):
        seoul_pass.passkeys.sign_in(device.get(seoul_pass.passkeys.sign_in_options(RP)), RP)
    with pytest.raises(NotFound):
        seoul_pass.passkeys.remove(account.id, passkey.id)


def test_enrolment_needs_a_recent_sign_in(seoul_pass: SeoulPass, clock: ManualClock) -> None:
    account, token = signed_in(seoul_pass)
    clock.advance(minutes=11)
    with pytest.raises(RecentSignInRequired) as caught:
        seoul_pass.passkeys.registration_options(token, RP)
    assert caught.value.status == 403

    fresh, _ = seoul_pass.sessions.start(account.id)
    enrol(seoul_pass, fresh, SoftAuthenticator())


def test_ended_session_cannot_enrol(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    options = seoul_pass.passkeys.registration_options(token, RP)
    seoul_pass.sessions.end(token)
    with pytest.raises(SessionEnded):
        seoul_pass.passkeys.register(token, SoftAuthenticator().create(options), "휴대폰", RP)


def test_already_enrolled_credentials_are_excluded_from_a_new_enrolment(
    seoul_pass: SeoulPass,
) -> None:
    _, token = signed_in(seoul_pass)
    passkey = enrol(seoul_pass, token, SoftAuthenticator())
    options = seoul_pass.passkeys.registration_options(token, RP)
    assert [b64url_decode(c["id"]) for c in options["excludeCredentials"]] == [
        passkey.credential_id
    ]


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "tab\there"])
def test_passkey_name_must_be_short_plain_text(seoul_pass: SeoulPass, name: str) -> None:
    _, token = signed_in(seoul_pass)
    options = seoul_pass.passkeys.registration_options(token, RP)
    with pytest.raises(InvalidInput):
        seoul_pass.passkeys.register(token, SoftAuthenticator().create(options), name, RP)


def test_malformed_responses_are_refused_with_a_clear_error(seoul_pass: SeoulPass) -> None:
    _, token = signed_in(seoul_pass)
    seoul_pass.passkeys.registration_options(token, RP)
    with pytest.raises(PasskeyNotEnrolled, match="malformed"):
        seoul_pass.passkeys.register(token, {"id": "x"}, "휴대폰", RP)
    with pytest.raises(PasskeyRejected, match="malformed"):
        seoul_pass.passkeys.sign_in({"response": []}, RP)
    with pytest.raises(InvalidInput, match="too large"):
        seoul_pass.passkeys.register(token, {"id": "x" * 20_000}, "휴대폰", RP)


@pytest.mark.parametrize(
    ("rp_id", "origin", "problem"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000", "domain name"),
        ("blockcity.example", "http://blockcity.example", "https"),
        ("blockcity.example", "https://evil.example", "not on the domain"),
        ("localhost", "http://localhost:8000/path", "https"),
    ],
)
def test_relying_party_must_be_a_secure_origin_on_its_domain(
    rp_id: str, origin: str, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        RelyingParty(rp_id, origin)


def test_relying_party_accepts_a_subdomain_origin() -> None:
    assert RelyingParty("seoul.example", "https://pass.seoul.example").id == "seoul.example"
