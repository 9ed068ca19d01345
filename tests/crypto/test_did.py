"""did:key and Multikey for Ed25519 against the did:key spec, its test vectors and the W3C
eddsa-jcs-2022 vector; DID URL parsing and the did:key resolver."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.crypto import (
    DidKeyResolver,
    KeyResolver,
    SigningKey,
    VerifyKey,
    b58btc_decode,
    b58btc_encode,
    b64url_decode,
    did_key_from_public,
    multikey_decode,
    multikey_encode,
    parse_did_url,
    public_from_did_key,
    verification_method_id,
)
from blockcity.errors import InvalidInput
from tests.vectors import load

# The did:key spec's Ed25519 example DID and the JWK "x" its DID document gives for it.
SPEC_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
SPEC_JWK_X = "Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY"

# w3c-ccg/did-method-key test-vectors/ed25519-x25519.json: seed -> DID, publicKeyBase58.
DID_KEY_VECTORS = [
    (
        "00" * 32,
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
    ),
    (
        "00" * 31 + "01",
        "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
        "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt",
    ),
    (
        "00" * 31 + "02",
        "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf",
        "8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH",
    ),
    (
        "00" * 31 + "03",
        "did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ",
        "HPYVwAQmskwT1qEEeRzhoomyfyupJGASQQtCXSNG8XS2",
    ),
    (
        "00" * 31 + "04",
        "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL",
        "J3qYF7YJMKCqQke47UQwiHizgFUXapHxRxKmxbkar89x",
    ),
]

JCS_VECTOR: dict[str, Any] = load("credentials/vc-di-eddsa-jcs-2022.json")
KEY_PAIR = JCS_VECTOR["key_pair"]


def test_spec_example_did_decodes_to_the_key_its_document_lists() -> None:
    key = public_from_did_key(SPEC_DID)
    assert key.raw == b64url_decode(SPEC_JWK_X)
    assert did_key_from_public(key) == SPEC_DID
    multikey = SPEC_DID.removeprefix("did:key:")
    assert verification_method_id(SPEC_DID) == f"{SPEC_DID}#{multikey}"
    assert multikey_encode(key) == multikey


@pytest.mark.parametrize(("seed", "did", "public_base58"), DID_KEY_VECTORS)
def test_did_key_test_vectors(seed: str, did: str, public_base58: str) -> None:
    public = SigningKey.from_seed(bytes.fromhex(seed)).public
    assert did_key_from_public(public) == did
    assert public.raw == b58btc_decode(public_base58)
    assert public_from_did_key(did) == public


def test_w3c_eddsa_jcs_2022_key_pair() -> None:
    public = multikey_decode(KEY_PAIR["publicKeyMultibase"])
    assert public.raw == bytes.fromhex(KEY_PAIR["public_key_hex"])
    # The secret Multikey is base58btc("z") of the varint of ed25519-priv (0x1300) + seed.
    secret = b58btc_decode(KEY_PAIR["secretKeyMultibase"].removeprefix("z"))
    assert secret[:2] == b"\x80\x26"
    signing = SigningKey.from_seed(secret[2:])
    assert signing.seed.hex() == KEY_PAIR["secret_seed_hex"]
    assert signing.public == public
    did = did_key_from_public(signing.public)
    assert verification_method_id(did) == KEY_PAIR["verificationMethod"]


def test_w3c_eddsa_jcs_2022_signature_checks_with_the_resolved_key() -> None:
    intermediate = JCS_VECTOR["intermediate"]
    key = DidKeyResolver().resolve(KEY_PAIR["verificationMethod"])
    signature = bytes.fromhex(intermediate["signature_hex"])
    assert key.verify(signature, bytes.fromhex(intermediate["hash_data_hex"]))
    assert "z" + b58btc_encode(signature) == JCS_VECTOR["expected_proofValue"]


@given(st.binary(min_size=32, max_size=32))
def test_did_key_round_trips_any_public_key(raw: bytes) -> None:
    key = VerifyKey.from_raw(raw)
    did = did_key_from_public(key)
    assert did.startswith("did:key:z6Mk")
    assert public_from_did_key(did) == key
    assert multikey_decode(multikey_encode(key)) == key


def _multikey(payload: bytes) -> str:
    return "z" + b58btc_encode(payload)


RAW = bytes(range(32))


@pytest.mark.parametrize(
    ("multikey", "reason"),
    [
        ("", "must start with the base58btc multibase prefix 'z', found nothing"),
        ("u7QEAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw", "prefix 'z', found 'u'"),
        ("Z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "prefix 'z', found 'Z'"),
        ("z6Mkha0gBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "'0' at position 5"),
        ("z", "too short"),
        (_multikey(b"\xec\x01" + RAW), "header 0xec01 is not ed25519-pub"),  # X25519
        (_multikey(b"\xe7\x01" + RAW + b"\x02"), "header 0xe701 is not ed25519-pub"),
        (_multikey(RAW), "header 0x0001 is not ed25519-pub"),  # no header at all
        (_multikey(b"\x80\x26" + RAW), "secret key"),
        (_multikey(b"\xed\x01" + RAW[:31]), "holds 31"),
        (_multikey(b"\xed\x01" + RAW + b"\x00"), "holds 33"),
        (_multikey(b"\xed\x01"), "holds 0"),
    ],
)
def test_multikey_decode_says_what_is_wrong(multikey: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        multikey_decode(multikey)
    assert reason in caught.value.message_en
    assert caught.value.message_ko


def test_secret_key_refusal_does_not_repeat_the_secret() -> None:
    with pytest.raises(InvalidInput) as caught:
        public_from_did_key("did:key:" + KEY_PAIR["secretKeyMultibase"])
    assert KEY_PAIR["secretKeyMultibase"] not in caught.value.diagnostics()


@pytest.mark.parametrize(
    ("did", "reason"),
    [
        ("did:web:example.com", "not a did:key DID"),
        ("DID:KEY:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "not a did:key DID"),
        ("did:key:", "not of the form"),
        ("did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "not of the form"),
        (SPEC_DID + "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "not of the form"),
        (SPEC_DID + "/path", "not of the form"),
        ("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", "not ed25519-pub"),
    ],
)
def test_public_from_did_key_refuses_other_identifiers(did: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        public_from_did_key(did)
    assert reason in caught.value.message_en


def test_verification_method_id_refuses_a_non_did_key() -> None:
    with pytest.raises(InvalidInput):
        verification_method_id("did:web:example.com")


@pytest.mark.parametrize(
    ("url", "did", "fragment"),
    [
        (f"{SPEC_DID}#z6Mkha", SPEC_DID, "z6Mkha"),
        (SPEC_DID, SPEC_DID, None),
        ("did:web:example.com%3A8443:org#key-1", "did:web:example.com%3A8443:org", "key-1"),
        ("did:example:123#a/b?c=d:e@f%20", "did:example:123", "a/b?c=d:e@f%20"),
    ],
)
def test_parse_did_url_splits_did_and_fragment(url: str, did: str, fragment: str | None) -> None:
    assert parse_did_url(url) == (did, fragment)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"{SPEC_DID}#", "empty or malformed fragment"),
        (f"{SPEC_DID}#a#b", "empty or malformed fragment"),
        (f"{SPEC_DID}#a b", "empty or malformed fragment"),
        (f"{SPEC_DID}#%zz", "empty or malformed fragment"),
        (f"{SPEC_DID}/path#key", "path or query"),
        (f"{SPEC_DID}?service=x#key", "path or query"),
        ("did:Key:z6Mk#z6Mk", "not a DID URL"),
        ("did:key:#z6Mk", "not a DID URL"),
        ("did:key:abc:#x", "not a DID URL"),
        ("did::abc", "not a DID URL"),
        ("urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33", "not a DID URL"),
        (f" {SPEC_DID}", "not a DID URL"),
        (f"{SPEC_DID}\n", "not a DID URL"),
    ],
)
def test_parse_did_url_refuses_malformed_urls(url: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_did_url(url)
    assert reason in caught.value.message_en


def test_did_key_resolver_resolves_the_verification_method() -> None:
    resolver: KeyResolver = DidKeyResolver()
    kid = verification_method_id(SPEC_DID)
    key = public_from_did_key(SPEC_DID)
    assert resolver.resolve(kid) == key
    # A did:key document never changes, so the time does not matter.
    assert resolver.resolve(kid, at=datetime(2020, 1, 1, tzinfo=UTC)) == key


@pytest.mark.parametrize(
    ("kid", "reason"),
    [
        (SPEC_DID, "must name the DID's own key"),
        (f"{SPEC_DID}#key-1", "must name the DID's own key"),
        # Another key's fragment: a forger's attempt to pair a DID with a key it does not hold.
        (f"{SPEC_DID}#{DID_KEY_VECTORS[0][1].removeprefix('did:key:')}", "own key"),
        ("did:web:example.com#key-1", "not a did:key DID"),
        ("not a kid", "not a DID URL"),
    ],
)
def test_did_key_resolver_refuses_other_key_ids(kid: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        DidKeyResolver().resolve(kid)
    assert reason in caught.value.message_en
