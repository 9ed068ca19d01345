"""Nothing signs a record's ``signed_at``, so a key that is no longer valid verifies only the
records this Seoul Pass kept when they were made (found by the security review: a leaked
passkey could otherwise sign anything back-dated to before its removal)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from blockcity.crypto import b64url_encode
from blockcity.crypto.sealing import MasterKey
from blockcity.identity.passkeys import RelyingParty
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.seoulpass import SeoulPass
from blockcity.identity.signing import SignatureRecord, SignatureRejected
from tests.identity.webauthn_fakes import ORIGIN, RP_ID, SoftAuthenticator


@pytest.fixture
def seoul_pass(tmp_path: Path) -> SeoulPass:
    return SeoulPass(tmp_path, MasterKey(bytes(32)), passwords=Passwords(HashingCost(1, 1024, 1)))


def test_a_removed_passkey_cannot_sign_back_dated_records(seoul_pass: SeoulPass) -> None:
    account = seoul_pass.accounts.create("minji", "a long pass phrase", "Minji")
    token, _ = seoul_pass.sessions.start(account.id)
    rp = RelyingParty(RP_ID, ORIGIN)
    device = SoftAuthenticator(counts=False)
    options = seoul_pass.passkeys.registration_options(token, rp)
    passkey = seoul_pass.passkeys.register(token, device.create(options), "phone", rp)
    genuine_digest = hashlib.sha256(b"the contract I signed").digest()
    genuine = seoul_pass.signing.sign_with_passkey(
        token, device.get(seoul_pass.signing.passkey_options(token, genuine_digest, rp)), rp
    ).record
    seoul_pass.passkeys.remove(account.id, passkey.id)

    forged_digest = hashlib.sha256(b"I owe Mallory 100,000,000 KRW").digest()
    assertion = device.get({"challenge": b64url_encode(forged_digest), "allowCredentials": []})
    fields = genuine.to_dict()
    fields["sha256"] = forged_digest.hex()
    fields["signature"] = assertion["response"]["signature"]
    fields["webauthn"]["authenticator_data"] = assertion["response"]["authenticatorData"]
    fields["webauthn"]["client_data_json"] = assertion["response"]["clientDataJSON"]
    forged = SignatureRecord.from_dict(fields)

    with pytest.raises(SignatureRejected, match="no longer valid"):
        seoul_pass.signing.verify(forged, forged_digest)
    assert seoul_pass.signing.verify(genuine, genuine_digest)
