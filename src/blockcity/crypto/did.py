"""did:key identifiers for Ed25519 keys and their Multikey form, and the resolver interface
that turns a signature's key id (a DID URL) into the key that must have made it.

Specs: the did:key Method v0.9 (W3C CCG), whose identifier is ``did:key:<Multikey>`` and whose
single verification method has the Multikey as fragment; Multikey in W3C Controlled
Identifiers v1.0 §2.2.2 (``z`` + base58btc(0xed 0x01 || 32-byte key)); DID syntax in W3C DID
Core v1.0 §3.1 and §3.2.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from blockcity.crypto.encoding import b58btc_decode, b58btc_encode
from blockcity.crypto.keys import PUBLIC_KEY_SIZE, VerifyKey
from blockcity.errors import InvalidInput

DID_KEY_PREFIX = "did:key:"

# Multibase prefix for base58btc: Controlled Identifiers §2.2.2 requires it for Ed25519 keys.
MULTIBASE_BASE58BTC = "z"

# Multicodec "ed25519-pub" (0xed) written as an unsigned varint: two bytes.
ED25519_PUB_HEADER = b"\xed\x01"

# Multicodec "ed25519-priv" (0x1300) as a varint; named only to warn whoever pastes a secret.
_ED25519_PRIV_HEADER = b"\x80\x26"

# DID Core §3.1: did = "did:" method-name ":" method-specific-id, with
# method-specific-id = *( *idchar ":" ) 1*idchar and idchar = ALPHA / DIGIT / "." / "-" / "_"
# / pct-encoded. DID Core §3.2 and RFC 3986 §3.5: fragment = *( pchar / "/" / "?" ).
_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:[a-z0-9]+:(?:{_IDCHAR}*:)*{_IDCHAR}+")
_FRAGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")


def multikey_encode(key: VerifyKey) -> str:
    """The Multikey ``publicKeyMultibase`` value of an Ed25519 public key ("z6Mk...")."""
    return MULTIBASE_BASE58BTC + b58btc_encode(ED25519_PUB_HEADER + key.raw)


def multikey_decode(text: str) -> VerifyKey:
    """Read an Ed25519 Multikey value, refusing other bases, other key types and lengths."""
    if not isinstance(text, str) or not text.startswith(MULTIBASE_BASE58BTC):
        shown = repr(text[:1]) if isinstance(text, str) and text else "nothing"
        raise InvalidInput(
            f"a Multikey must start with the base58btc multibase prefix 'z', found {shown}",
            f"Multikey는 base58btc 멀티베이스 접두어 'z'로 시작해야 합니다 (받은 값: {shown})",
        )
    data = b58btc_decode(text[1:])
    if len(data) < len(ED25519_PUB_HEADER):
        raise InvalidInput(
            f"Multikey {text!r} is too short to hold a key type header",
            f"Multikey {text!r}는 키 형식 헤더를 담기에 너무 짧습니다",
        )
    header = data[: len(ED25519_PUB_HEADER)]
    if header == _ED25519_PRIV_HEADER:
        raise InvalidInput(
            "this Multikey is an Ed25519 secret key (header 0x8026), not a public key; "
            "never publish it",
            "이 Multikey는 공개키가 아니라 Ed25519 비밀키(헤더 0x8026)입니다; 절대 공개하지 마세요",
        )
    if header != ED25519_PUB_HEADER:
        raise InvalidInput(
            f"Multikey header 0x{header.hex()} is not ed25519-pub (0xed01); "
            "only Ed25519 keys are supported",
            f"Multikey 헤더 0x{header.hex()}는 ed25519-pub(0xed01)이 아닙니다; "
            "Ed25519 키만 지원합니다",
        )
    size = len(data) - len(ED25519_PUB_HEADER)
    if size != PUBLIC_KEY_SIZE:
        raise InvalidInput(
            f"an Ed25519 Multikey holds {PUBLIC_KEY_SIZE} key bytes, this one holds {size}",
            f"Ed25519 Multikey에는 {PUBLIC_KEY_SIZE}바이트의 키가 들어 있어야 합니다 "
            f"(이 값에는 {size}바이트)",
        )
    return VerifyKey.from_raw(data[len(ED25519_PUB_HEADER) :])


def did_key_from_public(key: VerifyKey) -> str:
    """The did:key DID of an Ed25519 public key ("did:key:z6Mk...")."""
    return DID_KEY_PREFIX + multikey_encode(key)


def public_from_did_key(did: str) -> VerifyKey:
    """The Ed25519 public key a did:key DID names. Only ``did:key:<Multikey>`` is accepted:
    no path, query, fragment or version segment."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise InvalidInput(
            f"{did!r} is not a did:key DID",
            f"{did!r}는 did:key DID가 아닙니다",
        )
    multikey = did[len(DID_KEY_PREFIX) :]
    if not multikey or any(char in multikey for char in ":/?#"):
        raise InvalidInput(
            f"{did!r} is not of the form did:key:<multibase key>",
            f"{did!r}는 did:key:<멀티베이스 키> 형식이 아닙니다",
        )
    return multikey_decode(multikey)


def verification_method_id(did: str) -> str:
    """The DID URL of a did:key DID's one verification method: the Multikey as fragment."""
    public_from_did_key(did)
    return f"{did}#{did[len(DID_KEY_PREFIX) :]}"


def parse_did_url(url: str) -> tuple[str, str | None]:
    """Split a DID URL into the DID and its fragment (None when there is no ``#``).

    Paths and queries are refused: no blockcity key id uses them.
    """
    if not isinstance(url, str):
        raise InvalidInput(
            f"a DID URL must be text, not {type(url).__name__}",
            f"DID URL은 문자열이어야 합니다 ({type(url).__name__} 형식은 안 됩니다)",
        )
    did, hash_mark, fragment = url.partition("#")
    if "/" in did or "?" in did:
        raise InvalidInput(
            f"DID URL {url!r} has a path or query; only did[#fragment] is supported",
            f"DID URL {url!r}에 경로나 쿼리가 있습니다; did[#프래그먼트] 형식만 지원합니다",
        )
    if _DID.fullmatch(did) is None:
        raise InvalidInput(
            f"{url!r} is not a DID URL: expected did:<method>:<id>[#fragment] (W3C DID Core §3.1)",
            f"{url!r}는 DID URL이 아닙니다: did:<메서드>:<식별자>[#프래그먼트] 형식이어야 합니다",
        )
    if not hash_mark:
        return did, None
    if not fragment or _FRAGMENT.fullmatch(fragment) is None:
        raise InvalidInput(
            f"DID URL {url!r} has an empty or malformed fragment",
            f"DID URL {url!r}의 프래그먼트가 비어 있거나 형식이 잘못되었습니다",
        )
    return did, fragment


class KeyResolver(Protocol):
    """Finds the public key a key id (a DID URL naming a verification method) stands for."""

    def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
        """The key ``kid`` named at time ``at`` (now if None); raises if there is none."""
        ...


class DidKeyResolver:
    """Resolves did:key verification method URLs offline, from the identifier alone.

    Resolved keys are remembered (a did:key never changes), so a signer who signs many entries
    costs one base58 decode, not one per entry.
    """

    def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
        # ``at`` does not matter: a did:key document can never be updated or deactivated.
        return _resolve_did_key(kid)


@lru_cache(maxsize=4096)
def _resolve_did_key(kid: str) -> VerifyKey:
    """A did:key URL's own key; lru_cache is thread-safe and failures are not cached."""
    did, fragment = parse_did_url(kid)
    key = public_from_did_key(did)
    expected = did[len(DID_KEY_PREFIX) :]
    if fragment != expected:
        raise InvalidInput(
            f"key id {kid!r} must name the DID's own key: did:key:<key>#<key>",
            f"키 식별자 {kid!r}는 DID 자신의 키를 가리켜야 합니다: did:key:<키>#<키>",
        )
    return key
