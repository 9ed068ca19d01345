"""Salted commitments: they open with the right salt and value only, and the identity
certificates' digests stay what they were."""

from __future__ import annotations

import secrets
from datetime import date
from hashlib import sha256
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from blockcity.crypto import b64url_encode, canonical_json
from blockcity.identity.proofing import commitment as certificate_commitment
from blockcity.identity.proofing import open_commitment as open_identity_commitment
from blockcity.privacy.commitments import COMMITMENT_DOMAIN, SALT_BYTES, commit, open_commitment

values = st.one_of(
    st.text(max_size=40),
    st.dictionaries(st.text(max_size=10), st.one_of(st.text(max_size=20), st.integers(-999, 999))),
)
salts = st.binary(min_size=SALT_BYTES, max_size=SALT_BYTES)


def test_digest_is_sha256_of_domain_salt_and_canonical_json() -> None:
    salt = bytes(range(32))
    value = {"name": "홍길동", "bank_account": "110-123-456789"}
    expected = sha256(COMMITMENT_DOMAIN + salt + canonical_json(value)).digest()
    assert commit(value, salt=salt).digest == b64url_encode(expected)


def test_fresh_commitments_to_the_same_value_are_unlinkable() -> None:
    first, second = commit("010-1234-5678"), commit("010-1234-5678")
    assert first.salt != second.salt and first.digest != second.digest
    assert len(first.salt) * 8 == 256


def test_identity_certificate_digest_is_unchanged_by_the_generalization() -> None:
    # The formula proofing used before: SHA-256(salt || canonical {birth_date, name}).
    salt = secrets.token_bytes(32)
    old = sha256(salt + canonical_json({"name": "홍길동", "birth_date": "1990-05-17"})).digest()
    assert certificate_commitment(salt, "홍길동", date(1990, 5, 17)) == b64url_encode(old)


def test_an_identity_credentials_commitment_opens_the_same_way() -> None:
    # The credential states the commitment as its subject's identityCommitment; the holder's
    # revealed salt, name and birth date open it exactly as they opened a certificate's.
    salt = secrets.token_bytes(32)
    digest = certificate_commitment(salt, "홍길동", date(1990, 5, 17))
    credential = {"credentialSubject": {"id": "did:key:z6Mk", "identityCommitment": digest}}
    shown = b64url_encode(salt)
    assert open_identity_commitment(credential, shown, "홍길동", "1990-05-17")
    assert not open_identity_commitment(credential, shown, "홍길동", "1990-05-18")
    statement = {"name": "홍길동", "birth_date": "1990-05-17"}
    assert open_commitment(digest, shown, statement, domain=b"")


def test_salt_of_another_length_never_opens() -> None:
    # A variable-length salt would let "12" under salt s open as "2" under salt s + b"1".
    made = commit("12")
    assert not open_commitment(made.digest, made.salt + b"1", "2")
    assert not open_commitment(made.digest, made.salt[:16], "12")


def test_salt_shown_as_base64url_opens() -> None:
    made = commit({"name": "김서울"})
    assert open_commitment(made.digest, b64url_encode(made.salt), {"name": "김서울"})
    assert not open_commitment(made.digest, "not base64!", {"name": "김서울"})


@given(values, salts)
def test_commitment_opens_with_its_salt_and_value(value: Any, salt: bytes) -> None:
    made = commit(value, salt=salt)
    assert open_commitment(made.digest, salt, value)


@given(values, values, salts, salts)
def test_another_value_or_salt_never_opens(a: Any, b: Any, s1: bytes, s2: bytes) -> None:
    made = commit(a, salt=s1)
    if canonical_json(b) != canonical_json(a):
        assert not open_commitment(made.digest, s1, b)
    if s2 != s1:
        assert not open_commitment(made.digest, s2, a)
