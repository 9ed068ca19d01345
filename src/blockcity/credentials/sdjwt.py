"""Selective disclosure with SD-JWT (RFC 9901) and SD-JWT VC (draft-ietf-oauth-sd-jwt-vc):
issue a credential whose claims the holder may reveal one by one, present a chosen subset
bound to one verifier by a Key Binding JWT, and verify such a presentation check by check.

Issuance signs with Ed25519 (JWS ``alg`` EdDSA, RFC 8037); verification accepts EdDSA and
ES256 (ECDSA P-256 with the raw r||s signature of RFC 7518 §3.4), for issuers and holders.
Only the compact serialization (RFC 9901 §4) and ``_sd_alg`` sha-256 are supported.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NoReturn, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.hashes import SHA256

from blockcity.checks import Check, all_passed
from blockcity.crypto.canonical import canonical_json
from blockcity.crypto.did import KeyResolver, parse_did_url
from blockcity.crypto.encoding import b64url_decode, b64url_encode
from blockcity.crypto.keys import SigningKey, VerifyKey
from blockcity.errors import BlockcityError, InvalidInput, VerificationFailed

__all__ = [
    "KB_JWT_TYPE",
    "SD_JWT_VC_TYPES",
    "ClaimPath",
    "DidIssuerKeys",
    "IssuerKeyResolver",
    "JwsPublicKey",
    "JwsSigningKey",
    "PinnedIssuerKeys",
    "SdJwtCheckName",
    "SdJwtInvalid",
    "SdJwtVerification",
    "issue_sd_jwt",
    "present",
    "verify_presentation",
]

# SD-JWT VC §3.2.1: the typ of an SD-JWT VC is dc+sd-jwt; verifiers are asked to keep
# accepting the earlier vc+sd-jwt "for a reasonable transitional period".
SD_JWT_VC_TYPES = frozenset({"dc+sd-jwt", "vc+sd-jwt"})

# RFC 9901 §4.3: the Key Binding JWT's typ.
KB_JWT_TYPE = "kb+jwt"

# RFC 9901 §4.1.1 names hash algorithms by the IANA "Named Information" registry.
_SD_ALG = "sha-256"

# RFC 9901 §9.3 recommends salts of at least 128 bits.
_SALT_BYTES = 16

# SD-JWT VC §3.2.2.2: these claims steer validation and must stay in the signed payload.
_NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})

# RFC 9901 §4.2.1 and §4.2.4.2 reserve these names for digests.
_SD = "_sd"
_ELLIPSIS = "..."

# Far above any real credential; bounds the work an unauthenticated sender can cause.
_MAX_PRESENTATION_CHARS = 1_000_000

ClaimPath = tuple[str | int, ...]
"""A claim's place in the payload: member names and array indexes from the top, as in the
claims path pointers of SD-JWT VC §9 (``("address", "country")``, ``("nationalities", 0)``)."""

JwsSigningKey = SigningKey | ec.EllipticCurvePrivateKey
"""An Ed25519 key (signs EdDSA) or a P-256 private key (signs ES256)."""


class SdJwtInvalid(InvalidInput):
    """An SD-JWT, a disclosure or a request to issue or present one is malformed."""

    code = "sd-jwt-invalid"
    title_ko = "SD-JWT가 올바르지 않습니다"
    title_en = "Invalid SD-JWT"


def _invalid(en: str, ko: str) -> NoReturn:
    raise SdJwtInvalid(en, ko)


# Keys: one public key type for both algorithms, read from and written as JWK.


class JwsPublicKey:
    """An Ed25519 (JWK ``OKP``, RFC 8037 §2) or P-256 (JWK ``EC``, RFC 7518 §6.2) public key.

    The key type fixes the algorithm it verifies: RFC 8725 §3.1 warns against letting the
    token's ``alg`` pick how a key is used.
    """

    __slots__ = ("_jwk", "_key")

    def __init__(self, key: VerifyKey | ec.EllipticCurvePublicKey) -> None:
        self._key = key
        if isinstance(key, VerifyKey):
            self._jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(key.raw)}
            return
        if not isinstance(key.curve, ec.SECP256R1):
            _invalid(
                f"only P-256 EC keys are supported, not {key.curve.name}",
                f"EC 키는 P-256만 지원합니다 ({key.curve.name}은(는) 안 됩니다)",
            )
        numbers = key.public_numbers()
        self._jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big")),
        }

    @classmethod
    def from_jwk(cls, jwk: object) -> JwsPublicKey:
        """Read a public JWK, refusing private keys, other key types and points off the curve."""
        if not isinstance(jwk, Mapping):
            _invalid("a JWK must be a JSON object", "JWK는 JSON 객체여야 합니다")
        if "d" in jwk:
            _invalid(
                "this JWK holds a private key ('d'); only public keys may be shared",
                "이 JWK에는 비밀키('d')가 들어 있습니다; 공개키만 주고받을 수 있습니다",
            )
        kty, crv = jwk.get("kty"), jwk.get("crv")
        if kty == "OKP" and crv == "Ed25519":
            return cls(VerifyKey.from_raw(_jwk_bytes(jwk, "x")))
        if kty == "EC" and crv == "P-256":
            x, y = _jwk_bytes(jwk, "x"), _jwk_bytes(jwk, "y")
            try:
                point = ec.EllipticCurvePublicNumbers(
                    int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
                ).public_key()
            except ValueError as exc:
                raise SdJwtInvalid(
                    "the EC JWK's point is not on the P-256 curve",
                    "EC JWK의 좌표가 P-256 곡선 위의 점이 아닙니다",
                ) from exc
            return cls(point)
        _invalid(
            f"unsupported JWK (kty {kty!r}, crv {crv!r}); use OKP Ed25519 or EC P-256",
            f"지원하지 않는 JWK입니다 (kty {kty!r}, crv {crv!r}); OKP Ed25519나 EC P-256을 쓰세요",
        )

    @classmethod
    def of(cls, key: JwsSigningKey) -> JwsPublicKey:
        """The public half of a signing key."""
        if isinstance(key, SigningKey):
            return cls(key.public)
        return cls(key.public_key())

    def jwk(self) -> dict[str, str]:
        """The public JWK, with only the members that define the key."""
        return dict(self._jwk)

    def accepts(self, alg: object) -> bool:
        """True if ``alg`` is the JWS algorithm this key's type verifies."""
        if isinstance(self._key, VerifyKey):
            # RFC 9864 names Ed25519 "Ed25519"; RFC 8037 and most deployments say "EdDSA".
            return alg in ("EdDSA", "Ed25519")
        return alg == "ES256"

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True if ``signature`` over ``data`` is valid for this key's algorithm."""
        if isinstance(self._key, VerifyKey):
            return self._key.verify(signature, data)
        # RFC 7518 §3.4: an ES256 signature is r and s, each as 32 big-endian bytes.
        if len(signature) != 64:
            return False
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            self._key.verify(der, data, ec.ECDSA(SHA256()))
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JwsPublicKey):
            return NotImplemented
        return self._jwk == other._jwk

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._jwk.items())))

    def __repr__(self) -> str:
        return f"JwsPublicKey({self._jwk['kty']} {self._jwk['x']})"


def _jwk_bytes(jwk: Mapping[str, object], member: str) -> bytes:
    value = jwk.get(member)
    if not isinstance(value, str):
        _invalid(f"the JWK has no {member!r} text", f"JWK에 {member!r} 값이 없습니다")
    data = b64url_decode(value)
    if len(data) != 32:
        _invalid(
            f"the JWK's {member!r} is {len(data)} bytes, not 32",
            f"JWK의 {member!r} 값이 32바이트가 아니라 {len(data)}바이트입니다",
        )
    return data


def _sign_jws(key: JwsSigningKey, header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A compact JWS (RFC 7515 §7.1) over canonical JSON header and payload."""
    header = {"alg": "EdDSA" if isinstance(key, SigningKey) else "ES256", **header}
    signing_input = (
        f"{b64url_encode(canonical_json(header))}.{b64url_encode(canonical_json(payload))}"
    )
    data = signing_input.encode("ascii")
    if isinstance(key, SigningKey):
        signature = key.sign(data)
    else:
        if not isinstance(key.curve, ec.SECP256R1):
            _invalid(
                "only P-256 EC keys can sign ES256", "ES256 서명에는 P-256 EC 키만 쓸 수 있습니다"
            )
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{b64url_encode(signature)}"


# Who signed: issuer key resolution (RFC 9901 §7.1 step 2.3, SD-JWT VC §3.5).


class IssuerKeyResolver(Protocol):
    """Finds the key an issuer signs with, or raises a BlockcityError saying why not."""

    def issuer_key(self, issuer: str | None, kid: str | None, at: datetime) -> JwsPublicKey:
        """The key that issuer ``issuer`` (the ``iss`` claim) names ``kid`` at time ``at``."""
        ...


class DidIssuerKeys:
    """Issuers identified by a DID: ``kid`` must be a DID URL of the DID in ``iss``.

    Binding the key to ``iss`` is what makes the issuer name trustworthy: without it, anyone
    could sign with their own DID and write the city's DID in ``iss``.
    """

    def __init__(self, resolver: KeyResolver) -> None:
        self._resolver = resolver

    def issuer_key(self, issuer: str | None, kid: str | None, at: datetime) -> JwsPublicKey:
        if kid is None:
            raise VerificationFailed(
                "the issuer's JWT header names no key ('kid')",
                "발급자 JWT 헤더에 키 식별자('kid')가 없습니다",
            )
        did, _ = parse_did_url(kid)
        if did != issuer:
            raise VerificationFailed(
                f"key {kid!r} does not belong to the issuer {issuer!r}",
                f"키 {kid!r}는 발급자 {issuer!r}의 키가 아닙니다",
            )
        return JwsPublicKey(self._resolver.resolve(kid, at))


class PinnedIssuerKeys:
    """Issuers the verifier was configured with, each with its one key (a trust list)."""

    def __init__(self, keys: Mapping[str, JwsPublicKey]) -> None:
        self._keys = dict(keys)

    def issuer_key(self, issuer: str | None, kid: str | None, at: datetime) -> JwsPublicKey:
        key = self._keys.get(issuer) if issuer is not None else None
        if key is None:
            raise VerificationFailed(
                f"issuer {issuer!r} is not one this verifier trusts",
                f"발급자 {issuer!r}는 이 검증자가 신뢰하는 발급자가 아닙니다",
            )
        return key


# Issuance (RFC 9901 §4.1, §4.2).


def issue_sd_jwt(
    claims: Mapping[str, Any],
    disclosable: Iterable[ClaimPath],
    issuer_key: JwsSigningKey,
    issuer_kid: str,
    holder_public_jwk: Mapping[str, Any],
    *,
    typ: str = "dc+sd-jwt",
    salt_source: Callable[[int], bytes] = secrets.token_bytes,
    decoy_digests: int = 0,
) -> str:
    """Issue ``claims`` as an SD-JWT bound to the holder's key: ``<JWT>~<disclosure>~...~``.

    Each path in ``disclosable`` becomes a disclosure; paths may nest (an object disclosed as
    a whole whose members are disclosable one by one, RFC 9901 §4.2.6) and may name array
    elements. Every object that gets an ``_sd`` array also gets ``decoy_digests`` decoys
    (§4.2.5) so the number of hidden claims does not show.
    """
    if not isinstance(typ, str) or not typ.endswith("+sd-jwt"):
        _invalid(
            f"typ {typ!r} is not an SD-JWT media type (…+sd-jwt)",
            f"typ {typ!r}는 SD-JWT 미디어 타입(…+sd-jwt)이 아닙니다",
        )
    if not isinstance(decoy_digests, int) or not 0 <= decoy_digests <= 100:
        _invalid("decoy_digests must be 0 to 100", "decoy_digests는 0에서 100 사이여야 합니다")
    if not isinstance(claims, Mapping):
        _invalid("claims must be a JSON object", "클레임은 JSON 객체여야 합니다")
    for reserved in (_SD, "_sd_alg", "cnf"):
        if reserved in claims:
            _invalid(
                f"claims must not carry {reserved!r}: issuance writes it",
                f"클레임에 {reserved!r}를 넣을 수 없습니다: 발급 과정에서 씁니다",
            )
    if typ in SD_JWT_VC_TYPES and not isinstance(claims.get("vct"), str):
        _invalid(
            "an SD-JWT VC needs a 'vct' (credential type) text claim (SD-JWT VC §3.2.2.1)",
            "SD-JWT VC에는 문자열 'vct'(자격증명 유형) 클레임이 필요합니다",
        )
    holder = JwsPublicKey.from_jwk(holder_public_jwk)
    tree = _path_tree(claims, disclosable, vc=typ in SD_JWT_VC_TYPES)
    issuer = _Issuer(salt_source, decoy_digests)
    payload = issuer.conceal_object(claims, tree)
    payload["_sd_alg"] = _SD_ALG
    payload["cnf"] = {"jwk": holder.jwk()}  # RFC 7800 §3.2, as RFC 9901 §4.1.2 recommends
    jwt = _sign_jws(issuer_key, {"typ": typ, "kid": issuer_kid}, payload)
    return "~".join([jwt, *issuer.disclosures, ""])


_PathTree = dict[str | int, "_PathNode"]


@dataclass
class _PathNode:
    disclosed: bool
    children: _PathTree


def _path_tree(claims: Mapping[str, Any], paths: Iterable[ClaimPath], *, vc: bool) -> _PathTree:
    """The disclosable paths as a tree, each checked to name a claim that exists."""
    tree: _PathTree = {}
    for path in paths:
        if not isinstance(path, tuple) or not path:
            _invalid(
                f"a disclosable path must be a non-empty tuple, not {path!r}",
                f"공개 선택 경로는 비어 있지 않은 튜플이어야 합니다 ({path!r})",
            )
        if vc and path[0] in _NEVER_DISCLOSABLE:
            _invalid(
                f"{path[0]!r} cannot be selectively disclosable in an SD-JWT VC (§3.2.2.2)",
                f"SD-JWT VC에서 {path[0]!r}는 선택적으로 공개할 수 없습니다",
            )
        value: Any = claims
        level = tree
        for step in path:
            value = _step(value, step, path)
            node = level.setdefault(step, _PathNode(False, {}))
            level = node.children
        node.disclosed = True
    return tree


def _step(value: Any, step: str | int, path: ClaimPath) -> Any:
    if isinstance(value, Mapping) and isinstance(step, str) and step in value:
        return value[step]
    if (
        isinstance(value, list)
        and isinstance(step, int)
        and not isinstance(step, bool)
        and 0 <= step < len(value)
    ):
        return value[step]
    _invalid(f"path {path!r} names no claim", f"경로 {path!r}에 해당하는 클레임이 없습니다")


class _Issuer:
    """Replaces disclosable claims by digests, innermost first, collecting the disclosures."""

    def __init__(self, salt_source: Callable[[int], bytes], decoys: int) -> None:
        self._salt = salt_source
        self._decoys = decoys
        self.disclosures: list[str] = []

    def conceal(self, value: Any, tree: _PathTree) -> Any:
        if isinstance(value, Mapping):
            return self.conceal_object(value, tree)
        if isinstance(value, list):
            return self.conceal_array(value, tree)
        return value

    def conceal_object(self, obj: Mapping[str, Any], tree: _PathTree) -> dict[str, Any]:
        for name in obj:
            if name in (_SD, _ELLIPSIS):
                _invalid(
                    f"{name!r} is reserved by SD-JWT and cannot be a claim name (RFC 9901 §4.2.1)",
                    f"{name!r}는 SD-JWT가 예약한 이름이라 클레임 이름으로 쓸 수 없습니다",
                )
        out: dict[str, Any] = {}
        digests: list[str] = []
        for name, value in obj.items():
            node = tree.get(name)
            inner = self.conceal(value, node.children if node else {})
            if node is not None and node.disclosed:
                digests.append(self._disclose([self._new_salt(), name, inner]))
            else:
                out[name] = inner
        if digests:
            digests.extend(self._decoy() for _ in range(self._decoys))
            # RFC 9901 §4.2.4.1: the order of digests must not reveal the order of claims.
            out[_SD] = sorted(digests)
        return out

    def conceal_array(self, array: list[Any], tree: _PathTree) -> list[Any]:
        out: list[Any] = []
        for index, value in enumerate(array):
            node = tree.get(index)
            inner = self.conceal(value, node.children if node else {})
            if node is not None and node.disclosed:
                out.append({_ELLIPSIS: self._disclose([self._new_salt(), inner])})
            else:
                out.append(inner)
        return out

    def _new_salt(self) -> str:
        return b64url_encode(self._salt(_SALT_BYTES))

    def _disclose(self, content: list[Any]) -> str:
        # §4.2.1: any JSON encoding works, since the digest is over the encoded text itself.
        text = b64url_encode(canonical_json(content))
        self.disclosures.append(text)
        return _digest(text)

    def _decoy(self) -> str:
        # §4.2.5: the digest of a random number, indistinguishable from a real one.
        return b64url_encode(hashlib.sha256(self._salt(_SALT_BYTES)).digest())


def _digest(text: str) -> str:
    """RFC 9901 §4.2.3: SHA-256 over the ASCII bytes of the base64url text, as base64url."""
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


# Parsing (RFC 9901 §4, §7.1 step 1).


@dataclass(frozen=True, slots=True)
class _Jws:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class _Disclosure:
    text: str
    digest: str
    name: str | None  # None for an array element (a two-element disclosure)
    value: Any


@dataclass(frozen=True, slots=True)
class _Parts:
    jwt: _Jws
    disclosures: tuple[_Disclosure, ...]
    sd_jwt: str  # everything up to and including the last '~': what sd_hash covers
    kb_jwt: str | None


def _split(text: object) -> _Parts:
    if not isinstance(text, str):
        _invalid("an SD-JWT must be text", "SD-JWT는 문자열이어야 합니다")
    if len(text) > _MAX_PRESENTATION_CHARS:
        _invalid(
            f"the SD-JWT is longer than {_MAX_PRESENTATION_CHARS} characters",
            f"SD-JWT가 {_MAX_PRESENTATION_CHARS}자보다 깁니다",
        )
    text = text.strip()
    parts = text.split("~")
    if len(parts) < 2:
        _invalid(
            "not an SD-JWT: expected <JWT>~<disclosure>~...~[<KB-JWT>] (RFC 9901 §4)",
            "SD-JWT 형식이 아닙니다: <JWT>~<공개값>~...~[<KB-JWT>] 형식이어야 합니다",
        )
    kb_jwt = parts[-1] or None
    encoded = parts[1:-1]
    if any(not item for item in encoded):
        _invalid("the SD-JWT has an empty disclosure ('~~')", "SD-JWT에 빈 공개값('~~')이 있습니다")
    if len(set(encoded)) != len(encoded):
        _invalid(
            "the same disclosure appears more than once",
            "같은 공개값이 두 번 이상 나옵니다",
        )
    jwt = _parse_jws(parts[0], "issuer-signed JWT", "발급자 서명 JWT")
    disclosures = tuple(_parse_disclosure(item) for item in encoded)
    sd_jwt = text[: len(text) - len(kb_jwt)] if kb_jwt else text
    return _Parts(jwt, disclosures, sd_jwt, kb_jwt)


def _parse_jws(token: str, what_en: str, what_ko: str) -> _Jws:
    pieces = token.split(".")
    if len(pieces) != 3:
        _invalid(
            f"the {what_en} is not a compact JWS (three base64url parts joined by '.')",
            f"{what_ko}가 JWS 압축 형식('.'으로 이은 base64url 세 부분)이 아닙니다",
        )
    try:
        header = _json_object(b64url_decode(pieces[0]))
        payload = _json_object(b64url_decode(pieces[1]))
        signature = b64url_decode(pieces[2])
    except InvalidInput as exc:
        raise SdJwtInvalid(
            f"the {what_en} cannot be read: {exc.message_en}",
            f"{what_ko}를 읽을 수 없습니다: {exc.message_ko}",
        ) from exc
    return _Jws(header, payload, f"{pieces[0]}.{pieces[1]}".encode("ascii"), signature)


def _json_object(data: bytes) -> dict[str, Any]:
    value = _json(data)
    if not isinstance(value, dict):
        _invalid("expected a JSON object", "JSON 객체여야 합니다")
    return value


def _json(data: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate member names (RFC 7515 §5.2 step 4), no NaN."""
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError as exc:
        raise SdJwtInvalid("JSON is not valid UTF-8", "JSON이 올바른 UTF-8이 아닙니다") from exc
    except json.JSONDecodeError as exc:
        raise SdJwtInvalid(
            f"not valid JSON: {exc.msg} at column {exc.colno}",
            f"올바른 JSON이 아닙니다: {exc.colno}열 ({exc.msg})",
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise SdJwtInvalid(
            "JSON is nested too deeply or has an unreadable number",
            "JSON의 중첩이 너무 깊거나 읽을 수 없는 숫자가 있습니다",
        ) from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        _invalid(
            "a JSON object has a member name more than once",
            "JSON 객체에 같은 멤버 이름이 두 번 이상 나옵니다",
        )
    return obj


def _no_constant(name: str) -> NoReturn:
    _invalid(f"{name} is not a JSON number", f"{name}은(는) JSON 숫자가 아닙니다")


def _parse_disclosure(text: str) -> _Disclosure:
    try:
        content = _json(b64url_decode(text))
    except InvalidInput as exc:
        raise SdJwtInvalid(
            f"disclosure {text[:24]}… cannot be read: {exc.message_en}",
            f"공개값 {text[:24]}…를 읽을 수 없습니다: {exc.message_ko}",
        ) from exc
    # RFC 9901 §4.2.1 and §4.2.2: [salt, name, value] for a member, [salt, value] for an
    # array element; salts and names are strings.
    if isinstance(content, list) and len(content) == 3:
        salt, name, value = content
        if isinstance(salt, str) and isinstance(name, str):
            return _Disclosure(text, _digest(text), name, value)
    if isinstance(content, list) and len(content) == 2 and isinstance(content[0], str):
        return _Disclosure(text, _digest(text), None, content[1])
    _invalid(
        f"disclosure {text[:24]}… is not [salt, name, value] or [salt, value] (RFC 9901 §4.2)",
        f"공개값 {text[:24]}…가 [salt, 이름, 값]이나 [salt, 값] 형식이 아닙니다",
    )


# Processing the payload with the disclosures (RFC 9901 §7.1 step 3).


class _Processor:
    """Puts disclosed claims back in place, enforcing every rejection rule of §7.1."""

    def __init__(self, disclosures: Iterable[_Disclosure]) -> None:
        self._by_digest = {d.digest: d for d in disclosures}
        self._seen: set[str] = set()
        self.paths: dict[str, ClaimPath] = {}

    def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            processed = self._object(payload, ())
        except RecursionError as exc:
            raise SdJwtInvalid(
                "the payload is nested too deeply", "페이로드의 중첩이 너무 깊습니다"
            ) from exc
        # §7.1 step 3.6: _sd_alg is SD-JWT machinery, not a claim.
        processed.pop("_sd_alg", None)
        unused = [d.text for d in self._by_digest.values() if d.digest not in self.paths]
        if unused:
            _invalid(
                f"{len(unused)} disclosure(s) match no digest in the credential, e.g. "
                f"{unused[0][:24]}… (RFC 9901 §7.1)",
                f"공개값 {len(unused)}개가 자격증명의 어떤 해시와도 맞지 않습니다 "
                f"(예: {unused[0][:24]}…)",
            )
        return processed

    def _value(self, value: Any, path: ClaimPath) -> Any:
        if isinstance(value, dict):
            return self._object(value, path)
        if isinstance(value, list):
            return self._array(value, path)
        return value

    def _object(self, obj: dict[str, Any], path: ClaimPath) -> dict[str, Any]:
        if _ELLIPSIS in obj:
            _invalid(
                f"'...' at {_show(path)} is only allowed as the single member of an array "
                "element (RFC 9901 §4.2.4.2)",
                f"{_show(path)}의 '...'는 배열 원소의 유일한 멤버로만 쓸 수 있습니다",
            )
        digests = obj.get(_SD, [])
        if not isinstance(digests, list) or not all(isinstance(d, str) for d in digests):
            _invalid(
                f"'_sd' at {_show(path)} must be an array of digest strings",
                f"{_show(path)}의 '_sd'는 해시 문자열 배열이어야 합니다",
            )
        out = {
            name: self._value(value, (*path, name)) for name, value in obj.items() if name != _SD
        }
        for digest in digests:
            disclosure = self._take(digest)
            if disclosure is None:
                continue  # a decoy or a claim the holder keeps hidden
            name = disclosure.name
            if name is None:
                _invalid(
                    f"an array-element disclosure is referenced from '_sd' at {_show(path)}",
                    f"배열 원소용 공개값이 {_show(path)}의 '_sd'에서 참조되었습니다",
                )
            if name in (_SD, _ELLIPSIS):
                _invalid(
                    f"a disclosure uses the reserved claim name {name!r} (RFC 9901 §7.1)",
                    f"공개값이 예약된 클레임 이름 {name!r}를 씁니다",
                )
            if name in out or name in obj:
                _invalid(
                    f"disclosed claim {name!r} already exists at {_show(path)} (RFC 9901 §7.1)",
                    f"공개된 클레임 {name!r}가 {_show(path)}에 이미 있습니다",
                )
            claim_path = (*path, name)
            self.paths[digest] = claim_path
            out[name] = self._value(disclosure.value, claim_path)
        return out

    def _array(self, array: list[Any], path: ClaimPath) -> list[Any]:
        out: list[Any] = []
        for element in array:
            if isinstance(element, dict) and _ELLIPSIS in element:
                digest = element[_ELLIPSIS]
                if len(element) != 1 or not isinstance(digest, str):
                    _invalid(
                        f"an array element at {_show(path)} misuses '...': it must be "
                        '{"...": "<digest>"} and nothing else (RFC 9901 §4.2.4.2)',
                        f"{_show(path)}의 배열 원소가 '...'를 잘못 씁니다: "
                        '{"...": "<해시>"} 형식만 허용됩니다',
                    )
                disclosure = self._take(digest)
                if disclosure is None:
                    continue  # §7.1 step 3.4: undisclosed elements are removed
                if disclosure.name is not None:
                    _invalid(
                        f"a claim disclosure is referenced as an array element at {_show(path)}",
                        f"클레임용 공개값이 {_show(path)}에서 배열 원소로 참조되었습니다",
                    )
                element_path = (*path, len(out))
                self.paths[digest] = element_path
                out.append(self._value(disclosure.value, element_path))
            else:
                out.append(self._value(element, (*path, len(out))))
        return out

    def _take(self, digest: str) -> _Disclosure | None:
        if digest in self._seen:
            _invalid(
                f"digest {digest[:12]}… appears more than once in the credential (RFC 9901 §7.1)",
                f"해시 {digest[:12]}…가 자격증명에 두 번 이상 나옵니다",
            )
        self._seen.add(digest)
        return self._by_digest.get(digest)


def _show(path: ClaimPath) -> str:
    return "/" + "/".join(str(step) for step in path) if path else "the top level"


# Presentation (RFC 9901 §4.3, §7.2).


def present(
    sd_jwt: str,
    disclose: Iterable[ClaimPath],
    holder_key: JwsSigningKey,
    *,
    nonce: str,
    audience: str,
    iat: datetime,
) -> str:
    """Present the claims at ``disclose`` to one verifier: ``<JWT>~<disclosures>~<KB-JWT>``.

    Paths name claims in the fully disclosed payload. Disclosing a claim also discloses what
    it contains and the disclosures of the objects around it, without which it would not
    be reachable (§7.2: each disclosure's digest must be in the JWT or in another one sent).
    The structure is checked as in §7.1; the issuer's signature is not checked here.
    """
    if iat.tzinfo is None:
        _invalid("iat must be an aware datetime", "iat는 시간대가 있는 datetime이어야 합니다")
    wanted = list(disclose)
    if any(not isinstance(path, tuple) or not path for path in wanted):
        _invalid(
            "each path to disclose must be a non-empty tuple",
            "공개할 경로는 각각 비어 있지 않은 튜플이어야 합니다",
        )
    parts = _split(sd_jwt)
    if parts.kb_jwt is not None:
        _invalid(
            "this is already a presentation (it ends in a Key Binding JWT), not an issued SD-JWT",
            "이미 제시용(키 바인딩 JWT 포함)입니다; 발급된 SD-JWT를 주세요",
        )
    if parts.jwt.payload.get("_sd_alg", _SD_ALG) != _SD_ALG:
        _invalid("only _sd_alg sha-256 is supported", "_sd_alg는 sha-256만 지원합니다")
    processor = _Processor(parts.disclosures)
    full = processor.run(parts.jwt.payload)
    bound = _cnf_key(full)
    if bound != JwsPublicKey.of(holder_key):
        _invalid(
            "the holder key is not the key this credential is bound to (cnf)",
            "보유자 키가 이 자격증명에 묶인 키(cnf)가 아닙니다",
        )
    for path in wanted:
        value: Any = full
        for step in path:
            value = _step(value, step, path)
    chosen = [
        d.text
        for d in parts.disclosures
        if any(_related(processor.paths[d.digest], path) for path in wanted)
    ]
    presented = "~".join([sd_jwt.strip().split("~", 1)[0], *chosen, ""])
    kb_payload = {
        "iat": int(iat.timestamp()),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": _digest(presented),
    }
    return presented + _sign_jws(holder_key, {"typ": KB_JWT_TYPE}, kb_payload)


def _related(disclosed_at: ClaimPath, wanted: ClaimPath) -> bool:
    """True if the claim at ``disclosed_at`` encloses ``wanted`` or lies inside it."""
    shorter = min(len(disclosed_at), len(wanted))
    return disclosed_at[:shorter] == wanted[:shorter]


def _cnf_key(payload: Mapping[str, Any]) -> JwsPublicKey:
    cnf = payload.get("cnf")
    if not isinstance(cnf, dict) or "jwk" not in cnf:
        _invalid(
            "the credential names no holder key (cnf.jwk, RFC 9901 §4.1.2)",
            "자격증명에 보유자 키(cnf.jwk)가 없습니다",
        )
    return JwsPublicKey.from_jwk(cnf["jwk"])


# Verification (RFC 9901 §7.1, §7.3): a list of named checks.


SdJwtCheckName = Literal[
    "format",
    "typ",
    "issuer-signature",
    "sd-alg",
    "disclosures",
    "validity",
    "vct",
    "key-binding",
    "kb-signature",
    "nonce",
    "audience",
    "kb-freshness",
    "sd-hash",
]


@dataclass(frozen=True, slots=True)
class SdJwtVerification:
    """Every check run, and the processed payload with only the disclosed claims (None
    unless every check passed: RFC 9901 §7.1 says to abort on the first failure)."""

    checks: tuple[Check, ...]
    payload: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        """True only if there were checks and every one passed: no checks is no verification."""
        return all_passed(self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)


class _Checks:
    """Collects checks; a failure ends verification (``_Stop``) after it is recorded."""

    def __init__(self) -> None:
        self.done: list[Check] = []

    def passed(self, name: SdJwtCheckName, en: str, ko: str) -> None:
        self.done.append(Check.pass_(name, en, ko))

    def fail(self, name: SdJwtCheckName, en: str, ko: str) -> NoReturn:
        self.done.append(Check.fail(name, en, ko))
        raise _Stop

    def require(
        self, name: SdJwtCheckName, ok: bool, passed: tuple[str, str], failed: tuple[str, str]
    ) -> None:
        if ok:
            self.passed(name, *passed)
        else:
            self.fail(name, *failed)


class _Stop(Exception):
    """Raised after a failed check is recorded; never leaves this module."""


def verify_presentation(
    text: str,
    issuer_keys: IssuerKeyResolver,
    *,
    expected_nonce: str,
    expected_audience: str,
    now: datetime,
    max_kb_age: timedelta,
    accepted_types: Iterable[str] = SD_JWT_VC_TYPES,
    clock_skew: timedelta = timedelta(seconds=60),
) -> SdJwtVerification:
    """Verify an SD-JWT+KB presented to this verifier (``expected_audience``) in answer to
    ``expected_nonce``; key binding is always required, so a bare SD-JWT fails.

    Never raises for bad input: every problem is a failed check with a reason.
    """
    checks = _Checks()
    try:
        payload = _verify(
            checks,
            text,
            issuer_keys,
            expected_nonce=expected_nonce,
            expected_audience=expected_audience,
            now=now,
            max_kb_age=max_kb_age,
            accepted_types=frozenset(t.lower() for t in accepted_types),
            clock_skew=clock_skew,
        )
    except _Stop:
        return SdJwtVerification(tuple(checks.done), None)
    return SdJwtVerification(tuple(checks.done), payload)


def _verify(
    checks: _Checks,
    text: str,
    issuer_keys: IssuerKeyResolver,
    *,
    expected_nonce: str,
    expected_audience: str,
    now: datetime,
    max_kb_age: timedelta,
    accepted_types: frozenset[str],
    clock_skew: timedelta,
) -> dict[str, Any]:
    if now.tzinfo is None:
        checks.fail(
            "format", "the verifier's clock is not time-zone aware", "검증 시각에 시간대가 없습니다"
        )
    try:
        parts = _split(text)
    except BlockcityError as exc:
        checks.fail("format", exc.message_en, exc.message_ko)
    checks.passed(
        "format",
        f"an SD-JWT with {len(parts.disclosures)} disclosure(s)",
        f"공개값 {len(parts.disclosures)}개가 있는 SD-JWT입니다",
    )
    header, payload = parts.jwt.header, parts.jwt.payload

    typ = header.get("typ")
    media = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
    checks.require(
        "typ",
        media in accepted_types,
        (f"typ is {typ}", f"typ이 {typ}입니다"),
        (
            f"typ {typ!r} is not accepted here (expected one of {sorted(accepted_types)})",
            f"typ {typ!r}는 허용되지 않습니다 (허용: {sorted(accepted_types)})",
        ),
    )
    _check_issuer_signature(checks, parts.jwt, issuer_keys, now)
    sd_alg = payload.get("_sd_alg", _SD_ALG)
    checks.require(
        "sd-alg",
        sd_alg == _SD_ALG,
        ("disclosures are hashed with sha-256", "공개값 해시는 sha-256입니다"),
        (
            f"_sd_alg {sd_alg!r} is not supported (only sha-256)",
            f"_sd_alg {sd_alg!r}는 지원하지 않습니다 (sha-256만 지원)",
        ),
    )
    try:
        processed = _Processor(parts.disclosures).run(payload)
    except BlockcityError as exc:
        checks.fail("disclosures", exc.message_en, exc.message_ko)
    checks.passed(
        "disclosures",
        "every disclosure matches exactly one digest and no claim collides",
        "모든 공개값이 해시 하나와 정확히 맞고 충돌하는 클레임이 없습니다",
    )
    _check_validity(checks, processed, now, clock_skew)
    if media in SD_JWT_VC_TYPES:
        vct = processed.get("vct")
        checks.require(
            "vct",
            isinstance(vct, str) and bool(vct),
            (f"credential type {vct}", f"자격증명 유형 {vct}"),
            (
                "an SD-JWT VC must carry a 'vct' text claim (SD-JWT VC §3.2.2.1)",
                "SD-JWT VC에는 문자열 'vct' 클레임이 있어야 합니다",
            ),
        )
    _check_key_binding(
        checks, parts, processed, expected_nonce, expected_audience, now, max_kb_age, clock_skew
    )
    return processed


def _check_issuer_signature(
    checks: _Checks, jwt: _Jws, issuer_keys: IssuerKeyResolver, now: datetime
) -> None:
    header, payload = jwt.header, jwt.payload
    alg = header.get("alg")
    if "crit" in header:
        # RFC 7515 §4.1.11: extensions we do not understand must make the JWS invalid.
        checks.fail(
            "issuer-signature",
            "the issuer's JWT header lists critical extensions ('crit') this verifier lacks",
            "발급자 JWT 헤더에 이 검증자가 모르는 필수 확장('crit')이 있습니다",
        )
    issuer, kid = payload.get("iss"), header.get("kid")
    if (issuer is not None and not isinstance(issuer, str)) or (
        kid is not None and not isinstance(kid, str)
    ):
        checks.fail(
            "issuer-signature", "iss and kid must be text", "iss와 kid는 문자열이어야 합니다"
        )
    try:
        key = issuer_keys.issuer_key(issuer, kid, now)
    except BlockcityError as exc:
        checks.fail("issuer-signature", exc.message_en, exc.message_ko)
    if not key.accepts(alg):
        # RFC 9901 §7.1 step 2.1: "none" and any algorithm the key does not use are refused.
        checks.fail(
            "issuer-signature",
            f"alg {alg!r} is not the algorithm of the issuer's key",
            f"alg {alg!r}는 발급자 키의 알고리즘이 아닙니다",
        )
    checks.require(
        "issuer-signature",
        key.verify(jwt.signature, jwt.signing_input),
        (f"signed by {issuer} ({alg})", f"{issuer}가 서명했습니다 ({alg})"),
        (
            "the issuer's signature does not match: the credential was altered or signed "
            "by another key",
            "발급자 서명이 맞지 않습니다: 자격증명이 변경되었거나 다른 키로 서명되었습니다",
        ),
    )


def _numeric_date(value: object) -> float | None:
    """A JWT NumericDate (RFC 7519 §2), or None if ``value`` is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_validity(
    checks: _Checks, payload: Mapping[str, Any], now: datetime, skew: timedelta
) -> None:
    """RFC 9901 §7.1 step 5 and RFC 7519 §4.1.4, §4.1.5: exp and nbf, with some clock skew."""
    at, leeway = now.timestamp(), skew.total_seconds()
    for claim in ("exp", "nbf", "iat"):
        if claim in payload and _numeric_date(payload[claim]) is None:
            checks.fail(
                "validity",
                f"{claim} is not a NumericDate (RFC 7519 §2)",
                f"{claim}가 NumericDate 숫자가 아닙니다",
            )
    exp = _numeric_date(payload.get("exp"))
    nbf = _numeric_date(payload.get("nbf"))
    if exp is not None and at >= exp + leeway:
        checks.fail(
            "validity",
            f"the credential expired at {_when(exp)}",
            f"자격증명이 {_when(exp)}에 만료되었습니다",
        )
    if nbf is not None and at < nbf - leeway:
        checks.fail(
            "validity",
            f"the credential is not valid before {_when(nbf)}",
            f"자격증명은 {_when(nbf)} 이후부터 유효합니다",
        )
    checks.passed("validity", "within its validity period", "유효 기간 안에 있습니다")


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


def _check_key_binding(
    checks: _Checks,
    parts: _Parts,
    processed: Mapping[str, Any],
    expected_nonce: str,
    expected_audience: str,
    now: datetime,
    max_kb_age: timedelta,
    skew: timedelta,
) -> None:
    # RFC 9901 §7.3: key binding is this verifier's policy, never the holder's choice.
    if parts.kb_jwt is None:
        checks.fail(
            "key-binding",
            "the presentation has no Key Binding JWT, so anyone holding a copy could replay it",
            "제시에 키 바인딩 JWT가 없어 사본을 가진 누구나 재사용할 수 있습니다",
        )
    try:
        holder = _cnf_key(processed)
        kb = _parse_jws(parts.kb_jwt, "Key Binding JWT", "키 바인딩 JWT")
    except BlockcityError as exc:
        checks.fail("key-binding", exc.message_en, exc.message_ko)
    typ = kb.header.get("typ")
    if typ != KB_JWT_TYPE or "crit" in kb.header:
        checks.fail(
            "key-binding",
            f"the Key Binding JWT's typ is {typ!r}, not 'kb+jwt' (RFC 9901 §4.3)",
            f"키 바인딩 JWT의 typ이 'kb+jwt'가 아니라 {typ!r}입니다",
        )
    checks.passed(
        "key-binding", "the holder's key is named in cnf", "보유자 키가 cnf에 지정되어 있습니다"
    )
    alg = kb.header.get("alg")
    checks.require(
        "kb-signature",
        holder.accepts(alg) and holder.verify(kb.signature, kb.signing_input),
        ("signed by the holder's key", "보유자 키로 서명되었습니다"),
        (
            "the Key Binding JWT is not signed by the key the credential is bound to",
            "키 바인딩 JWT가 자격증명에 묶인 키로 서명되지 않았습니다",
        ),
    )
    claims = kb.payload
    nonce = claims.get("nonce")
    checks.require(
        "nonce",
        bool(expected_nonce) and nonce == expected_nonce,
        ("answers this request's nonce", "이 요청의 nonce에 대한 응답입니다"),
        (
            "the nonce is not this request's: the presentation was made for another "
            "transaction (replay)",
            "nonce가 이 요청의 값이 아닙니다: 다른 거래용 제시입니다(재전송)",
        ),
    )
    aud = claims.get("aud")
    checks.require(
        "audience",
        aud == expected_audience,
        (f"made for {expected_audience}", f"{expected_audience}를 위해 만들어졌습니다"),
        (
            f"the presentation was made for {aud!r}, not for this verifier",
            f"이 제시는 이 검증자가 아니라 {aud!r}를 위해 만들어졌습니다",
        ),
    )
    iat = _numeric_date(claims.get("iat"))
    at = now.timestamp()
    checks.require(
        "kb-freshness",
        iat is not None and at - max_kb_age.total_seconds() <= iat <= at + skew.total_seconds(),
        ("made just now", "방금 만들어졌습니다"),
        (
            f"the Key Binding JWT was made at {iat!r}, outside the accepted "
            f"{int(max_kb_age.total_seconds())} s window",
            f"키 바인딩 JWT 생성 시각 {iat!r}이 허용 범위 {int(max_kb_age.total_seconds())}초를 "
            "벗어납니다",
        ),
    )
    sd_hash = claims.get("sd_hash")
    checks.require(
        "sd-hash",
        sd_hash == _digest(parts.sd_jwt),
        (
            "covers exactly the disclosures presented",
            "제시된 공개값을 정확히 포함합니다",
        ),
        (
            "sd_hash does not match: disclosures were added, removed or changed after the "
            "holder signed (RFC 9901 §4.3.1)",
            "sd_hash가 맞지 않습니다: 보유자 서명 후 공개값이 추가·삭제·변경되었습니다",
        ),
    )
