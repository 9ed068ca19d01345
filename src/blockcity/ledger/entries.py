"""Signed ledger entries: the envelope, the per-type schema registry, signing and checking.

An entry is stored as its RFC 8785 canonical JSON bytes::

    {"type": "labor.contract.concluded", "v": 1, "id": <uuid>, "at": <RFC 3339 UTC>,
     "body": {...}, "sigs": [{"kid": <DID URL>, "sig": <base64url Ed25519>}]}

Every signature covers the canonical entry without ``sigs``. An entry whose type is unknown,
whose body fails its schema, or whose signatures do not verify is refused before anything is
stored. The ledger knows entry types only through the registry that services fill.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from blockcity.crypto import (
    KeyResolver,
    SigningKey,
    VerifyKey,
    b64url_decode,
    b64url_encode,
    canonical_json,
    canonical_object,
    read_canonical,
)
from blockcity.errors import BlockcityError, InvalidInput, PayloadTooLarge, VerificationFailed
from blockcity.ledger.blocks import format_time
from blockcity.ledger.store import MAX_ENTRY_SIZE

MAX_ENTRY_BYTES = MAX_ENTRY_SIZE
"""The largest entry the ledger stores, 65,535 bytes: the most a C2SP entry bundle's 16-bit
length prefix can hold. Entries carry commitments and signatures, never documents."""

_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_ENVELOPE_KEYS = {"type", "v", "id", "at", "body", "sigs"}


class EntryRejected(InvalidInput):
    code = "entry-rejected"
    title_ko = "원장 항목이 거부되었습니다"
    title_en = "Ledger entry rejected"


class UnknownEntryType(EntryRejected):
    code = "unknown-entry-type"


class EntrySignatureInvalid(VerificationFailed):
    code = "entry-signature-invalid"
    title_ko = "원장 항목의 서명이 올바르지 않습니다"
    title_en = "Ledger entry signature invalid"


@dataclass(frozen=True, slots=True)
class EntryType:
    """One kind of entry: its name, schema version, body schema and who must sign it."""

    name: str
    version: int
    body: type[BaseModel]
    description: str
    required_signers: Callable[[Any], Iterable[str]] | None = None

    def __post_init__(self) -> None:
        if not _TYPE_NAME.match(self.name):
            raise ValueError(f"entry type name {self.name!r} must look like 'service.thing.event'")
        if self.version < 1:
            raise ValueError("entry type versions start at 1")


@dataclass
class EntryTypes:
    """The registry of entry types that may be written to this ledger."""

    _types: dict[tuple[str, int], EntryType] = field(default_factory=dict)

    def register(self, entry_type: EntryType) -> EntryType:
        key = (entry_type.name, entry_type.version)
        if key in self._types and self._types[key] != entry_type:
            raise ValueError(f"entry type {key} is already registered differently")
        self._types[key] = entry_type
        return entry_type

    def get(self, name: str, version: int) -> EntryType:
        found = self._types.get((name, version))
        if found is None:
            known = sorted({n for n, _ in self._types})
            if any(n == name for n, _ in self._types):
                raise UnknownEntryType(
                    f"entry type {name!r} has no schema version {version}",
                    f"항목 유형 {name!r}에는 스키마 버전 {version}이 없습니다",
                )
            raise UnknownEntryType(
                f"unknown entry type {name!r}; known types: {', '.join(known) or 'none'}",
                f"알 수 없는 항목 유형 {name!r}입니다. 등록된 유형: {', '.join(known) or '없음'}",
            )
        return found

    def __iter__(self) -> Any:
        return iter(sorted(self._types.values(), key=lambda t: (t.name, t.version)))


@dataclass(frozen=True, slots=True)
class EntrySignature:
    kid: str
    sig: bytes

    def to_dict(self) -> dict[str, str]:
        return {"kid": self.kid, "sig": b64url_encode(self.sig)}


@dataclass(frozen=True, slots=True)
class Entry:
    """A checked entry and the exact bytes it was stored as."""

    type: str
    version: int
    id: str
    at: datetime
    body: dict[str, Any]
    sigs: tuple[EntrySignature, ...]
    data: bytes

    @property
    def signers(self) -> set[str]:
        """The DIDs that signed (the part of each key id before ``#``)."""
        return {s.kid.split("#", 1)[0] for s in self.sigs}


def signing_input(envelope: dict[str, Any]) -> bytes:
    """What every signature covers: the canonical entry without ``sigs``."""
    return canonical_json({k: v for k, v in envelope.items() if k != "sigs"})


def sign_entry(
    entry_type: str,
    body: dict[str, Any],
    signers: Sequence[tuple[str, SigningKey]],
    *,
    version: int = 1,
    entry_id: str | None = None,
    at: datetime | None = None,
) -> bytes:
    """Build and sign an entry; ``signers`` are (key id as a DID URL, key) pairs."""
    return _signed(_envelope(entry_type, body, version, entry_id, at), signers)[0]


def _envelope(
    entry_type: str, body: dict[str, Any], version: int, entry_id: str | None, at: datetime | None
) -> dict[str, Any]:
    return {
        "type": entry_type,
        "v": version,
        "id": entry_id or str(uuid.uuid4()),
        "at": format_time(at or datetime.now(UTC)),
        "body": body,
    }


def _signed(
    envelope: dict[str, Any], signers: Sequence[tuple[str, SigningKey]]
) -> tuple[bytes, bytes]:
    """The signed entry's bytes and what its signatures cover."""
    # The members are serialized once and joined twice: without and with the signatures.
    members = {name: canonical_json(value) for name, value in envelope.items()}
    message = canonical_object(members)
    sigs = [{"kid": kid, "sig": b64url_encode(key.sign(message))} for kid, key in signers]
    members["sigs"] = canonical_json(sigs)
    return canonical_object(members), message


@dataclass(frozen=True, slots=True)
class SignedHere:
    """An entry this process has just signed, with the public key behind each key id.

    The node checks that each is the key its registry names for that id at the entry's time
    and then spares the Ed25519 verification of a signature it made itself a moment ago (the
    ledger audit still verifies every signature from storage). Only ``sign_here`` makes one.
    """

    data: bytes
    keys: Mapping[str, VerifyKey]
    message: bytes
    """What the signatures cover. ``data`` was written canonical by construction, so the node
    reads it without the canonical-form check that bytes from outside need."""


def sign_here(
    entry_type: str,
    body: dict[str, Any],
    signers: Sequence[tuple[str, SigningKey]],
    *,
    version: int = 1,
    entry_id: str | None = None,
    at: datetime | None = None,
) -> SignedHere:
    """``sign_entry`` for entries the node signs with keys it holds (issuer keys, the city)."""
    data, message = _signed(_envelope(entry_type, body, version, entry_id, at), signers)
    return SignedHere(data, {kid: key.public for kid, key in signers}, message)


def _reject(en: str, ko: str) -> EntryRejected:
    return EntryRejected(en, ko)


def _parse_envelope(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The envelope and the bytes its signatures cover."""
    if len(data) > MAX_ENTRY_BYTES:
        raise _too_large(data)
    document = read_canonical(data)
    envelope = document.value
    if not isinstance(envelope, dict):
        raise _reject("an entry must be a JSON object", "항목은 JSON 객체여야 합니다")
    missing = _ENVELOPE_KEYS - envelope.keys()
    extra = envelope.keys() - _ENVELOPE_KEYS
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"unexpected {', '.join(sorted(extra))}")
        raise _reject(
            f"entry fields are wrong ({'; '.join(parts)}); an entry has exactly "
            "type, v, id, at, body and sigs",
            f"항목 필드가 올바르지 않습니다({'; '.join(parts)}). 항목에는 type, v, id, at, body, "
            "sigs만 있어야 합니다",
        )
    return envelope, document.encode({k: v for k, v in envelope.items() if k != "sigs"})


def _parse_own_envelope(data: bytes) -> dict[str, Any]:
    """The envelope of an entry ``sign_here`` wrote: its form is known, its size is not."""
    if len(data) > MAX_ENTRY_BYTES:
        raise _too_large(data)
    envelope: dict[str, Any] = json.loads(data)
    return envelope


def _too_large(data: bytes) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the entry is {len(data)} bytes; the ledger takes at most {MAX_ENTRY_BYTES}. "
        "Put documents in the vault and write only their digest",
        f"항목이 {len(data)}바이트입니다. 원장은 최대 {MAX_ENTRY_BYTES}바이트까지 받습니다. "
        "문서는 보관소에 두고 다이제스트만 기록하세요",
    )


def _check_envelope(envelope: dict[str, Any]) -> tuple[str, int, str, datetime]:
    entry_type, version, entry_id, at = (envelope[k] for k in ("type", "v", "id", "at"))
    if not isinstance(entry_type, str) or not _TYPE_NAME.match(entry_type):
        raise _reject(
            "'type' must be a dotted lowercase name such as 'labor.contract.concluded'",
            "'type'은 'labor.contract.concluded'처럼 점으로 구분된 소문자 이름이어야 합니다",
        )
    if type(version) is not int or version < 1:
        raise _reject("'v' must be a positive integer", "'v'는 양의 정수여야 합니다")
    try:
        canonical_id = str(uuid.UUID(entry_id)) if isinstance(entry_id, str) else None
    except ValueError:
        canonical_id = None
    if canonical_id != entry_id:
        raise _reject(
            "'id' must be a lowercase UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            "'id'는 1b4e28ba-2fa1-11d2-883f-0016d3cca427 같은 소문자 UUID여야 합니다",
        )
    if not isinstance(at, str) or not _TIME.match(at):
        raise _reject(
            "'at' must be an RFC 3339 UTC time such as 2026-11-25T09:41:00.000Z",
            "'at'은 2026-11-25T09:41:00.000Z 같은 RFC 3339 UTC 시각이어야 합니다",
        )
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _reject(
            f"'at' is not a real time: {exc}", f"'at'이 올바른 시각이 아닙니다: {exc}"
        ) from exc
    return entry_type, version, entry_id, moment


def _signatures(raw: Any) -> tuple[EntrySignature, ...]:
    if not isinstance(raw, list) or not raw:
        raise _reject(
            "'sigs' must be a non-empty list", "'sigs'는 비어 있지 않은 목록이어야 합니다"
        )
    sigs = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"kid", "sig"}:
            raise _reject(
                "each signature is an object with exactly 'kid' and 'sig'",
                "각 서명은 'kid'와 'sig'만 가진 객체여야 합니다",
            )
        kid, sig = item["kid"], item["sig"]
        if not isinstance(kid, str) or not isinstance(sig, str):
            raise _reject("'kid' and 'sig' must be strings", "'kid'와 'sig'는 문자열이어야 합니다")
        signature = b64url_decode(sig)
        if len(signature) != 64:
            raise EntrySignatureInvalid(
                f"signature by {kid} is {len(signature)} bytes; Ed25519 signatures are 64",
                f"{kid}의 서명이 {len(signature)}바이트입니다. Ed25519 서명은 64바이트입니다",
            )
        sigs.append(EntrySignature(kid, signature))
    kids = [s.kid for s in sigs]
    if len(set(kids)) != len(kids):
        raise _reject("a key signed twice", "같은 키가 두 번 서명했습니다")
    return tuple(sigs)


class EntryValidator:
    """Checks entries against the registry and their signatures against resolved keys.

    ``max_skew`` bounds how far an entry's ``at`` may be from the ledger's clock, so nobody
    can back-date or pre-date what they write.
    """

    def __init__(
        self,
        types: EntryTypes,
        resolver: KeyResolver,
        *,
        max_skew: timedelta | None = timedelta(minutes=10),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        threads: int = 2,
    ) -> None:
        self.types = types
        self.resolver = resolver
        self.max_skew = max_skew
        self.clock = clock
        self._threads = threads
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="entry-check")

    def check(self, item: bytes | SignedHere, *, check_time: bool = True) -> Entry:
        """Parse and check one entry; raise an error that says what is wrong, or return it.

        For a ``SignedHere`` entry, a signature by a key id that resolves to exactly the key
        this process signed with is not verified again, and the bytes it wrote canonical are
        not checked for canonical form.
        """
        if isinstance(item, SignedHere):
            data, signed_with = item.data, item.keys
            envelope, message = _parse_own_envelope(data), item.message
        else:
            data, signed_with = item, None
            envelope, message = _parse_envelope(data)
        entry_type, version, entry_id, at = _check_envelope(envelope)
        if check_time and self.max_skew is not None:
            drift = abs(self.clock() - at)
            if drift > self.max_skew:
                raise _reject(
                    f"'at' is {int(drift.total_seconds())} s away from the ledger's clock; "
                    f"entries must be written within {int(self.max_skew.total_seconds())} s of "
                    "their time (check the device clock)",
                    f"'at'이 원장 시계와 {int(drift.total_seconds())}초 차이 납니다. 항목은 "
                    f"{int(self.max_skew.total_seconds())}초 안에 기록해야 합니다(기기 시계를 "
                    "확인하세요)",
                )
        kind = self.types.get(entry_type, version)
        body_raw = envelope["body"]
        if not isinstance(body_raw, dict):
            raise _reject("'body' must be a JSON object", "'body'는 JSON 객체여야 합니다")
        try:
            body = kind.body.model_validate(body_raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"body.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise _reject(
                f"{entry_type} v{version} body does not match its schema: {problems}",
                f"{entry_type} v{version}의 body가 스키마와 맞지 않습니다: {problems}",
            ) from exc
        sigs = _signatures(envelope["sigs"])
        for sig in sigs:
            key = self.resolver.resolve(sig.kid, at)
            if signed_with is not None and signed_with.get(sig.kid) == key:
                continue
            if not key.verify(sig.sig, message):
                raise EntrySignatureInvalid(
                    f"the signature by {sig.kid} does not match this entry",
                    f"{sig.kid}의 서명이 이 항목과 맞지 않습니다",
                )
        entry = Entry(entry_type, version, entry_id, at, body_raw, sigs, data)
        if kind.required_signers is not None:
            missing = set(kind.required_signers(body)) - entry.signers
            if missing:
                raise EntrySignatureInvalid(
                    f"{entry_type} must also be signed by {', '.join(sorted(missing))}",
                    f"{entry_type}에는 {', '.join(sorted(missing))}의 서명도 필요합니다",
                )
        return entry

    def check_many(
        self, items: Sequence[bytes | SignedHere], *, check_time: bool = True
    ) -> list[Entry | BlockcityError]:
        """Check a batch on both cores (Ed25519 verification releases the GIL), one slice of
        the batch per thread so that each entry does not cost a future of its own."""

        def check_slice(part: Sequence[bytes | SignedHere]) -> list[Entry | BlockcityError]:
            results: list[Entry | BlockcityError] = []
            for item in part:
                try:
                    results.append(self.check(item, check_time=check_time))
                except BlockcityError as exc:
                    results.append(exc)
            return results

        size = -(-len(items) // self._threads) if items else 1
        slices = [items[i : i + size] for i in range(0, len(items), size)]
        return [r for part in self._pool.map(check_slice, slices) for r in part]

    def close(self) -> None:
        self._pool.shutdown(wait=False)


@dataclass(frozen=True, slots=True)
class EntrySummary:
    """What a reader sees of a stored entry without checking it: its parsed JSON and the
    envelope fields, when it has them."""

    content: Any
    type: str | None
    id: str | None
    at: str | None
    kids: tuple[str, ...]


def summarize(data: bytes) -> EntrySummary:
    try:
        content = json.loads(data)
    except ValueError:
        return EntrySummary(None, None, None, None, ())
    if not isinstance(content, dict):
        return EntrySummary(content, None, None, None, ())

    def text(key: str) -> str | None:
        value = content.get(key)
        return value if isinstance(value, str) else None

    sigs = content.get("sigs")
    kids = (
        tuple(s["kid"] for s in sigs if isinstance(s, dict) and isinstance(s.get("kid"), str))
        if isinstance(sigs, list)
        else ()
    )
    return EntrySummary(content, text("type"), text("id"), text("at"), kids)
