"""Signing document digests: the signature record's exact round trip, its one verifier for both
kinds, and the attacks (another digest, altered bytes, replay, no step-up, another's key)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blockcity.crypto import (
    DidKeyResolver,
    SigningKey,
    VerifyKey,
    b64url_decode,
    b64url_encode,
    canonical_json,
)
from blockcity.crypto.sealing import MasterKey
from blockcity.errors import Conflict, InvalidInput, NotFound, VerificationFailed
from blockcity.identity.model import Account
from blockcity.identity.passkeys import PasskeyRejected, RelyingParty
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.signing import (
    RegisteredKey,
    SignatureKind,
    SignatureRecord,
    SignatureRejected,
    WebAuthnProof,
    parse_digest,
    verify_signature_record,
)
from blockcity.identity.stepup import StepUpRequired
from tests.identity.webauthn_fakes import ORIGIN, RP_ID, ManualClock, SoftAuthenticator

RP = RelyingParty(RP_ID, ORIGIN)
PIN = "250814"
CONTRACT = "근로계약서: 서울시 공공근로, 2026-03-02부터 2026-06-30까지".encode()
DIGEST = sha256(CONTRACT).digest()
OTHER_DIGEST = sha256(CONTRACT + b" ").digest()


class Person:
    """A signed-in person with a passkey on their phone and a PIN on the same device."""

    def __init__(self, seoul_pass: SeoulPass, username: str = "minji") -> None:
        self.seoul_pass = seoul_pass
        self.account: Account = seoul_pass.accounts.create(username, "a long pass phrase", "김민지")
        self.token, _ = seoul_pass.sessions.start(self.account.id)
        self.phone = SoftAuthenticator()
        options = seoul_pass.passkeys.registration_options(self.token, RP)
        self.passkey = seoul_pass.passkeys.register(
            self.token, self.phone.create(options), "휴대폰", RP
        )
        self.device = seoul_pass.pins.enrol(self.token, None, PIN)

    def sign_with_passkey(self, digest: bytes = DIGEST) -> SignatureRecord:
        signing = self.seoul_pass.signing
        response = self.phone.get(signing.passkey_options(self.token, digest, RP))
        return signing.sign_with_passkey(self.token, response, RP).record

    def sign_with_custodial_key(self, digest: bytes = DIGEST) -> SignatureRecord:
        self.seoul_pass.pins.step_up(self.token, self.device, PIN)
        return self.seoul_pass.signing.sign_with_custodial_key(self.token, digest).record


@pytest.fixture
def person(seoul_pass: SeoulPass) -> Person:
    return Person(seoul_pass)


def signature_count(seoul_pass: SeoulPass) -> int:
    row = seoul_pass.db.one("SELECT COUNT(*) AS n FROM signatures")
    assert row is not None
    return int(row["n"])


def test_passkey_signature_is_an_assertion_over_the_digest(
    seoul_pass: SeoulPass, person: Person
) -> None:
    options = seoul_pass.signing.passkey_options(person.token, DIGEST, RP)
    assert b64url_decode(options["challenge"]) == DIGEST
    assert [c["id"] for c in options["allowCredentials"]] == [
        b64url_encode(person.passkey.credential_id)
    ]

    record = seoul_pass.signing.sign_with_passkey(
        person.token, person.phone.get(options), RP
    ).record

    assert record.kind is SignatureKind.PASSKEY and record.digest == DIGEST
    assert record.signer == person.account.did and record.kid is None
    assert record.webauthn is not None
    client = json.loads(record.webauthn.client_data_json)
    assert client["type"] == "webauthn.get" and b64url_decode(client["challenge"]) == DIGEST
    assert seoul_pass.signing.verify(record, DIGEST) is True


def test_custodial_signature_is_ed25519_over_the_digest_by_the_accounts_key(
    seoul_pass: SeoulPass, person: Person
) -> None:
    record = person.sign_with_custodial_key()

    assert record.kind is SignatureKind.CUSTODIAL and record.kid == person.account.kid
    key = seoul_pass.accounts.custodial_key(person.account.id)
    assert key.public.verify(record.signature, DIGEST)
    assert seoul_pass.signing.verify(record, DIGEST) is True


@pytest.mark.parametrize("kind", ["passkey", "custodial"])
def test_record_signed_for_one_digest_never_verifies_for_another(
    seoul_pass: SeoulPass, person: Person, kind: str
) -> None:
    record = person.sign_with_passkey() if kind == "passkey" else person.sign_with_custodial_key()
    with pytest.raises(SignatureRejected, match="different document") as caught:
        seoul_pass.signing.verify(record, OTHER_DIGEST)
    assert caught.value.check == "digest" and caught.value.status == 422

    moved = replace(record, digest=OTHER_DIGEST)
    with pytest.raises(SignatureRejected) as caught:
        seoul_pass.signing.verify(moved, OTHER_DIGEST)
    assert caught.value.check == ("challenge" if kind == "passkey" else "signature")


def test_custodial_signing_without_a_fresh_step_up_is_refused(
    seoul_pass: SeoulPass, person: Person, clock: ManualClock
) -> None:
    with pytest.raises(StepUpRequired, match="PIN or your passkey") as caught:
        seoul_pass.signing.sign_with_custodial_key(person.token, DIGEST)
    assert caught.value.status == 403

    seoul_pass.pins.step_up(person.token, person.device, PIN)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(StepUpRequired):
        seoul_pass.signing.sign_with_custodial_key(person.token, DIGEST)
    assert signature_count(seoul_pass) == 0


def test_passkey_step_up_also_unlocks_custodial_signing(
    seoul_pass: SeoulPass, person: Person
) -> None:
    options = seoul_pass.passkeys.step_up_options(person.token, RP)
    seoul_pass.passkeys.step_up(person.token, person.phone.get(options), RP)
    stored = seoul_pass.signing.sign_with_custodial_key(person.token, DIGEST)
    assert seoul_pass.signing.verify(stored.record, DIGEST)


def test_replayed_assertion_for_a_new_signing_request_is_refused(
    seoul_pass: SeoulPass, person: Person
) -> None:
    person.phone.counts = False
    signing = seoul_pass.signing
    response = person.phone.get(signing.passkey_options(person.token, DIGEST, RP))
    signing.sign_with_passkey(person.token, response, RP)

    signing.passkey_options(person.token, OTHER_DIGEST, RP)
    with pytest.raises(PasskeyRejected, match="expired or was already used"):
        signing.sign_with_passkey(person.token, response, RP)

    signing.passkey_options(person.token, DIGEST, RP)
    with pytest.raises(PasskeyRejected, match="already used for a signature") as caught:
        signing.sign_with_passkey(person.token, response, RP)
    assert caught.value.status == 401
    assert signature_count(seoul_pass) == 1


def test_sign_in_assertion_cannot_become_a_signature(seoul_pass: SeoulPass, person: Person) -> None:
    response = person.phone.get(seoul_pass.passkeys.sign_in_options(RP))
    with pytest.raises(PasskeyRejected):
        seoul_pass.signing.sign_with_passkey(person.token, response, RP)
    assert signature_count(seoul_pass) == 0


def test_signing_with_another_accounts_passkey_is_refused(
    seoul_pass: SeoulPass, person: Person
) -> None:
    intruder = Person(seoul_pass, "intruder")
    options = seoul_pass.signing.passkey_options(person.token, DIGEST, RP)
    forged = intruder.phone.get(options, next(iter(intruder.phone.credentials)))
    with pytest.raises(PasskeyRejected, match="another account"):
        seoul_pass.signing.sign_with_passkey(person.token, forged, RP)
    assert signature_count(seoul_pass) == 0


@pytest.mark.parametrize(
    ("part", "check"),
    [
        ("authenticator_data", "rp"),
        ("client_data_json", "signature"),
        ("signature", "signature"),
    ],
)
def test_altered_passkey_record_fails(
    seoul_pass: SeoulPass, person: Person, part: str, check: str
) -> None:
    record = person.sign_with_passkey()
    assert record.webauthn is not None
    if part == "signature":
        altered = replace(record, signature=_flip(record.signature, 10))
    elif part == "authenticator_data":
        data = _flip(record.webauthn.authenticator_data, 0)
        altered = replace(record, webauthn=replace(record.webauthn, authenticator_data=data))
    else:
        text = record.webauthn.client_data_json.replace(b'"crossOrigin":false', b'"x":1')
        altered = replace(record, webauthn=replace(record.webauthn, client_data_json=text))
    with pytest.raises(SignatureRejected) as caught:
        seoul_pass.signing.verify(altered, DIGEST)
    assert caught.value.check == check


def test_record_claiming_another_signer_fails(seoul_pass: SeoulPass, person: Person) -> None:
    other = Person(seoul_pass, "jiho")
    passkey_record = person.sign_with_passkey()
    with pytest.raises(SignatureRejected, match="not registered to the signer"):
        seoul_pass.signing.verify(replace(passkey_record, signer=other.account.did), DIGEST)

    custodial = person.sign_with_custodial_key()
    forged = replace(custodial, signer=other.account.did, kid=other.account.kid)
    with pytest.raises(SignatureRejected) as caught:
        seoul_pass.signing.verify(forged, DIGEST)
    assert caught.value.check == "signature"


def test_forged_passkey_key_in_the_record_fails(seoul_pass: SeoulPass, person: Person) -> None:
    record = person.sign_with_passkey()
    assert record.webauthn is not None
    impostor = SoftAuthenticator()
    impostor.create({"challenge": "AAAA", "user": {"id": "AAAA"}})
    (credential,) = impostor.credentials.values()
    swapped = replace(record.webauthn, public_key=credential.cose_key())
    with pytest.raises(SignatureRejected) as caught:
        seoul_pass.signing.verify(replace(record, webauthn=swapped), DIGEST)
    assert caught.value.check == "key"


def test_signature_made_before_a_passkey_was_removed_still_verifies(
    seoul_pass: SeoulPass, person: Person, clock: ManualClock
) -> None:
    record = person.sign_with_passkey()
    clock.advance(minutes=1)
    seoul_pass.passkeys.remove(person.account.id, person.passkey.id)

    assert seoul_pass.signing.verify(record, DIGEST)
    backdated = replace(record, signed_at=record.signed_at.replace(year=2027))
    with pytest.raises(SignatureRejected, match="removed this passkey"):
        seoul_pass.signing.verify(backdated, DIGEST)


def test_anyone_with_the_registered_key_verifies_offline(person: Person) -> None:
    record = person.sign_with_passkey()
    registered = RegisteredKey(person.passkey.public_key, RP_ID, frozenset({ORIGIN}))
    copied = SignatureRecord.from_json(json.dumps(record.to_dict(), indent=2))

    assert verify_signature_record(copied, DIGEST, lambda _: registered)
    with pytest.raises(SignatureRejected) as caught:
        verify_signature_record(
            copied, DIGEST, lambda _: replace(registered, origins=frozenset({"https://x.example"}))
        )
    assert caught.value.check == "origin"
    with pytest.raises(SignatureRejected) as caught:
        verify_signature_record(copied, DIGEST, lambda _: replace(registered, rp_id="example.org"))
    assert caught.value.check == "rp"


def test_unknown_key_is_a_rejection_not_a_crash(person: Person) -> None:
    record = person.sign_with_custodial_key()

    def unknown(_: SignatureRecord) -> RegisteredKey:
        raise NotFound("no such key", "그런 키가 없습니다")

    with pytest.raises(SignatureRejected, match="no such key") as caught:
        verify_signature_record(record, DIGEST, unknown)
    assert caught.value.check == "key"


def test_user_not_verified_in_the_record_fails(seoul_pass: SeoulPass, person: Person) -> None:
    person.phone.user_verified = False
    record = sign_unchecked(person)
    registered = RegisteredKey(person.passkey.public_key, RP_ID, frozenset({ORIGIN}))
    with pytest.raises(SignatureRejected) as caught:
        verify_signature_record(record, DIGEST, lambda _: registered)
    assert caught.value.check == "user-verified"


def sign_unchecked(person: Person) -> SignatureRecord:
    """A record built straight from the fake authenticator, bypassing Seoul Pass's checks."""
    response = person.phone.get({"challenge": b64url_encode(DIGEST)}, person.passkey.credential_id)
    return SignatureRecord(
        kind=SignatureKind.PASSKEY,
        digest=DIGEST,
        signer=person.account.did,
        signed_at=datetime(2026, 3, 1, tzinfo=UTC),
        signature=b64url_decode(response["response"]["signature"]),
        webauthn=WebAuthnProof(
            credential_id=person.passkey.credential_id,
            public_key=person.passkey.public_key,
            authenticator_data=b64url_decode(response["response"]["authenticatorData"]),
            client_data_json=b64url_decode(response["response"]["clientDataJSON"]),
        ),
    )


def test_someone_elses_signature_id_is_not_found(seoul_pass: SeoulPass, person: Person) -> None:
    other = Person(seoul_pass, "jiho")
    person.sign_with_passkey()
    (mine,) = seoul_pass.signing.recent(person.account.id)

    assert seoul_pass.signing.get(person.account.id, mine.id) == mine.record
    with pytest.raises(NotFound):
        seoul_pass.signing.get(other.account.id, mine.id)


# The record's form


@pytest.mark.parametrize("kind", ["passkey", "custodial"])
def test_record_round_trips_byte_for_byte(person: Person, kind: str) -> None:
    record = person.sign_with_passkey() if kind == "passkey" else person.sign_with_custodial_key()
    data = record.to_dict()
    again = SignatureRecord.from_dict(json.loads(canonical_json(data)))
    assert again == record
    assert canonical_json(again.to_dict()) == canonical_json(data) == record.to_json()


_bytes = st.binary(min_size=1, max_size=80)


@settings(max_examples=60, deadline=None)
@given(
    digest=st.binary(min_size=32, max_size=32),
    signature=_bytes,
    proof=st.none() | st.tuples(_bytes, _bytes, st.binary(min_size=37, max_size=90), _bytes),
    seconds=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_any_record_round_trips(
    digest: bytes, signature: bytes, proof: tuple[bytes, bytes, bytes, bytes] | None, seconds: int
) -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    record = SignatureRecord(
        kind=SignatureKind.CUSTODIAL if proof is None else SignatureKind.PASSKEY,
        digest=digest,
        signer=did,
        signed_at=datetime.fromtimestamp(seconds, UTC),
        signature=signature,
        kid=f"{did}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" if proof is None else None,
        webauthn=None if proof is None else WebAuthnProof(*proof),
    )
    text = record.to_json()
    assert SignatureRecord.from_json(text) == record
    assert SignatureRecord.from_json(text).to_json() == text


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_breaks_a_passkey_record(
    data: st.DataObject, signed_record: tuple[SignatureRecord, RegisteredKey]
) -> None:
    record, registered = signed_record
    assert record.webauthn is not None
    part = data.draw(st.sampled_from(["signature", "authenticator_data", "client_data_json"]))
    value = record.signature if part == "signature" else getattr(record.webauthn, part)
    position = data.draw(st.integers(min_value=0, max_value=len(value) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    changed = _flip(value, position, 1 << bit)
    altered = (
        replace(record, signature=changed)
        if part == "signature"
        else replace(record, webauthn=replace(record.webauthn, **{part: changed}))
    )
    with pytest.raises(SignatureRejected):
        verify_signature_record(altered, DIGEST, lambda _: registered)


@pytest.fixture(scope="module")
def signed_record() -> tuple[SignatureRecord, RegisteredKey]:
    """One genuine passkey record, made once: hypothesis runs many examples against it."""
    phone = SoftAuthenticator()
    phone.create({"challenge": "AAAA", "user": {"id": "AAAA"}})
    (credential,) = phone.credentials.values()
    response = phone.get({"challenge": b64url_encode(DIGEST)})
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    record = SignatureRecord(
        kind=SignatureKind.PASSKEY,
        digest=DIGEST,
        signer=did,
        signed_at=datetime(2026, 3, 1, tzinfo=UTC),
        signature=b64url_decode(response["response"]["signature"]),
        webauthn=WebAuthnProof(
            credential_id=credential.credential_id,
            public_key=credential.cose_key(),
            authenticator_data=b64url_decode(response["response"]["authenticatorData"]),
            client_data_json=b64url_decode(response["response"]["clientDataJSON"]),
        ),
    )
    return record, RegisteredKey(credential.cose_key(), RP_ID, frozenset({ORIGIN}))


def test_genuine_record_of_the_property_test_verifies(
    signed_record: tuple[SignatureRecord, RegisteredKey],
) -> None:
    record, registered = signed_record
    assert verify_signature_record(record, DIGEST, lambda _: registered)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(extra=1),
        lambda d: d.pop("signer"),
        lambda d: d.update(v=2),
        lambda d: d.update(v=True),
        lambda d: d.update(v=1.0),
        lambda d: d.update(kind="notary"),
        lambda d: d.update(sha256=d["sha256"].upper()),
        lambda d: d.update(signed_at="2026-03-01T09:00:00+00:00"),
        lambda d: d.update(signed_at="2026-02-30T09:00:00Z"),
        lambda d: d.update(signature=d["signature"] + "="),
        lambda d: d.update(signer="mailto:minji@example.com"),
        lambda d: d.update(kid="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x"),
        lambda d: d.update(webauthn={}),
    ],
)
def test_malformed_record_is_refused(person: Person, change: object) -> None:
    data = copy.deepcopy(person.sign_with_custodial_key().to_dict())
    change(data)  # type: ignore[operator]
    with pytest.raises(InvalidInput):
        SignatureRecord.from_dict(data)


def test_duplicate_member_names_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not valid JSON"):
        SignatureRecord.from_json('{"kind": "passkey", "kind": "custodial"}')


def test_digest_is_64_hex_digits() -> None:
    assert parse_digest(" " + DIGEST.hex().upper() + "\n") == DIGEST
    for text in ["", "ab", DIGEST.hex() + "00", "g" * 64]:
        with pytest.raises(InvalidInput):
            parse_digest(text)


def _flip(value: bytes, position: int, mask: int = 1) -> bytes:
    changed = bytearray(value)
    changed[position] ^= mask
    return bytes(changed)


def test_custodial_record_of_an_unrelated_key_fails() -> None:
    key = SigningKey.generate()
    other = SigningKey.generate()
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    record = SignatureRecord(
        kind=SignatureKind.CUSTODIAL,
        digest=DIGEST,
        signer=did,
        signed_at=datetime(2026, 3, 1, tzinfo=UTC),
        signature=key.sign(DIGEST),
        kid=f"{did}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    )
    assert verify_signature_record(record, DIGEST, lambda _: RegisteredKey(key.public.raw))
    with pytest.raises(SignatureRejected):
        verify_signature_record(record, DIGEST, lambda _: RegisteredKey(other.public.raw))


def test_digest_equal_to_a_pending_sign_in_challenge_is_not_signed(
    seoul_pass: SeoulPass, person: Person
) -> None:
    lure = b64url_decode(seoul_pass.passkeys.sign_in_options(RP)["challenge"])
    with pytest.raises(Conflict, match="sign in as you"):
        seoul_pass.signing.passkey_options(person.token, lure, RP)
    step_up = b64url_decode(seoul_pass.passkeys.step_up_options(person.token, RP)["challenge"])
    with pytest.raises(Conflict):
        seoul_pass.signing.passkey_options(person.token, step_up, RP)


def test_custodial_signature_made_after_its_keys_revocation_fails(
    tmp_path: Path, clock: ManualClock
) -> None:
    revoked_at = clock() + timedelta(minutes=1)

    class RevokingResolver:
        """Stands in for the DID registry: the key is revoked from ``revoked_at`` on."""

        def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
            if at is None or at >= revoked_at:
                raise VerificationFailed("the key was revoked", "키가 폐기되었습니다")
            return DidKeyResolver().resolve(kid, at)

    opened = SeoulPass(
        tmp_path,
        MasterKey(bytes(32)),
        passwords=Passwords(HashingCost(time_cost=1, memory_kib=1024)),
        clock=clock,
        keys=RevokingResolver(),
    )
    try:
        person = Person(opened)
        before = person.sign_with_custodial_key()
        clock.advance(minutes=2)
        after = person.sign_with_custodial_key()

        assert opened.signing.verify(before, DIGEST)
        with pytest.raises(SignatureRejected, match="revoked") as caught:
            opened.signing.verify(after, DIGEST)
        assert caught.value.check == "key"
    finally:
        opened.close()
