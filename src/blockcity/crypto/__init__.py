"""Cryptographic building blocks: Ed25519 keys, canonical JSON, DIDs and base64url."""

from blockcity.crypto.canonical import (
    MAX_SAFE_INTEGER,
    CanonicalDocument,
    canonical_json,
    canonical_object,
    parse_canonical,
    read_canonical,
)
from blockcity.crypto.did import (
    DidKeyResolver,
    KeyResolver,
    did_key_from_public,
    multikey_decode,
    multikey_encode,
    parse_did_url,
    public_from_did_key,
    verification_method_id,
)
from blockcity.crypto.encoding import b58btc_decode, b58btc_encode, b64url_decode, b64url_encode
from blockcity.crypto.keys import SigningKey, VerifyKey

__all__ = [
    "MAX_SAFE_INTEGER",
    "CanonicalDocument",
    "DidKeyResolver",
    "KeyResolver",
    "SigningKey",
    "VerifyKey",
    "b58btc_decode",
    "b58btc_encode",
    "b64url_decode",
    "b64url_encode",
    "canonical_json",
    "canonical_object",
    "did_key_from_public",
    "multikey_decode",
    "multikey_encode",
    "parse_canonical",
    "parse_did_url",
    "public_from_did_key",
    "read_canonical",
    "verification_method_id",
]
