"""The DID registry on the ledger: organizations' did:web DIDs registered by the city, key
rotation and revocation, and the time-aware key resolver built from them.

Three entry types change it, and nothing else does:

- ``identity.did.registered``: a did:web DID, its Ed25519 Multikey verification methods, its
  controller and the organization's public display name (never personal data). Only the city
  registers DIDs, so every signature must be the city's (its did:key, ``node.city.kid``).
- ``identity.key.rotated``: adds a verification method and retires an old one as of the entry's
  time. A did:key cannot rotate: its identifier is its key.
- ``identity.key.revoked``: marks a key compromised from a stated time ``revoked_at``, which may
  lie up to ``MAX_REVOCATION_BACKDATE`` (30 days) before the entry to cover a compromise found
  late. It names a did:web verification method or a person's did:key key id; a did:key needs no
  registration and is revoked the same way.

Rotations and revocations are signed by a current key of the DID itself, of its controller, or
by the city (recovery when an organization lost its keys); every signature on an identity entry
must come from one of them. Fragments and public keys are never reused, so a key id names one
key forever and a revoked key can never come back under another id.

Windows: a key resolves for a time ``at`` from the instant it was added up to and including
the instant of the rotation that retired it (so the rotation, signed by the key it retires at
that very instant, still verifies), and never for ``at`` at or after ``revoked_at``. The
resolver judges every signature by the entry's own ``at``, so an entry signed before a
rotation stays valid when re-checked years later, while back-dating an entry to before a
revocation is stopped by the ledger's clock-skew check (``EntryValidator.max_skew``).

Two views answer for a key. ``DidRegistry.resolve`` is the current view: everything recorded
so far, used to accept new entries and by verifiers. ``DidRegistry.as_recorded`` re-checks
entries already on the ledger (``blockcity ledger audit``): an entry dated within
``RECORDING_GRACE`` of a retirement or revocation being recorded may have been appended before
it (entries' times differ from their order by up to the ledger's clock tolerance), so it is
judged as the ledger judged it then; a compromise found late then shows to verifiers without
making the audit report a sound ledger as damaged.

Resolution is offline, from the ledger: a did:web's document here is what the ledger recorded,
not what ``https://<host>/.well-known/did.json`` serves. The ledger is the record that anyone
can check and that keeps history, so the document as of any past time can be rebuilt.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from blockcity.crypto import (
    DidKeyResolver,
    KeyResolver,
    SigningKey,
    VerifyKey,
    multikey_decode,
    multikey_encode,
    parse_did_url,
    public_from_did_key,
    verification_method_id,
)
from blockcity.errors import BlockcityError, Conflict, InvalidInput, NotFound, VerificationFailed
from blockcity.identity._didweb import DID_WEB_PREFIX, parse_did_web
from blockcity.ledger.blocks import format_time
from blockcity.ledger.entries import Entry, EntryRejected, EntryType, EntryTypes, sign_entry
from blockcity.ledger.log import Receipt
from blockcity.ledger.store import StoredEntry

log = logging.getLogger(__name__)

MAX_REVOCATION_BACKDATE = timedelta(days=30)
"""How far before its own entry a revocation may take effect: long enough for a compromise
noticed at the next monthly key review, short enough that years of signatures cannot be
undone by one entry."""

RECORDING_GRACE = timedelta(minutes=30)
"""For re-checking stored entries: more than twice the ledger's 10-minute clock tolerance
plus the time a block takes to commit, so every entry appended before a retirement or
revocation is dated within it."""

MAX_METHODS = 8
"""Verification methods in one registration: a few keys per organization, one per signer."""

DID_KEY_PREFIX = "did:key:"
_FRAGMENT = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
_DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# Every key may authenticate, sign statements and credentials, and change its DID
# (DID Core §5.3); blockcity does not split keys by purpose.
_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


class KeyNotValid(VerificationFailed):
    """A key id that does not name a key able to sign at the given time."""

    code = "key-not-valid"
    title_ko = "사용할 수 없는 키입니다"
    title_en = "Key not valid"


class DidNotFound(NotFound):
    code = "did-not-found"
    title_ko = "DID를 찾을 수 없습니다"
    title_en = "DID not found"


class DidChangeRefused(EntryRejected):
    """An identity entry that breaks the registry's rules (unknown key, reused key, bad time)."""

    code = "did-change-refused"
    title_ko = "DID 변경이 거부되었습니다"
    title_en = "DID change refused"


class DidChangeUnauthorized(BlockcityError):
    """An identity entry signed by someone not entitled to make that change."""

    code = "did-change-unauthorized"
    status = 403
    title_ko = "DID를 변경할 권한이 없습니다"
    title_en = "Not allowed to change this DID"


class DidAlreadyRegistered(Conflict):
    code = "did-already-registered"
    title_ko = "이미 등록된 DID입니다"
    title_en = "DID already registered"


def parse_time(text: str) -> datetime:
    """An RFC 3339 date-time with a time zone (``2026-11-25T09:41:00Z``,
    ``2026-11-25T18:41:00+09:00``) as an aware UTC datetime."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        raise InvalidInput(
            f"{text!r} is not an RFC 3339 time such as 2026-11-25T09:41:00Z",
            f"{text!r}는 2026-11-25T09:41:00Z 같은 RFC 3339 시각이 아닙니다",
        )
    # fromisoformat reads at most microseconds: cut nanoseconds to six digits.
    normal = re.sub(r"(\.\d{6})\d+", r"\1", text.upper().replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(normal).astimezone(UTC)
    except ValueError as exc:
        raise InvalidInput(
            f"{text!r} is not a real time: {exc}", f"{text!r}는 올바른 시각이 아닙니다: {exc}"
        ) from exc


def _validated(check: Callable[[str], object], value: str) -> str:
    """``value`` once ``check`` accepts it, for a pydantic validator: the check's InvalidInput
    becomes the ValueError pydantic reports."""
    try:
        check(value)
    except InvalidInput as exc:
        raise ValueError(exc.message_en) from exc
    return value


def _check_did(value: str) -> str:
    """A DID that may control a did:web: a did:web or a did:key."""
    return _validated(
        parse_did_web if value.startswith(DID_WEB_PREFIX) else public_from_did_key, value
    )


def _check_did_web(value: str) -> str:
    return _validated(parse_did_web, value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MethodSpec(_Strict):
    """A verification method as an entry writes it: DID Core §5.2 with the fragment as id."""

    id: str = Field(pattern=_FRAGMENT)
    type: Literal["Multikey"]
    publicKeyMultibase: str = Field(min_length=2, max_length=64)

    @field_validator("publicKeyMultibase")
    @classmethod
    def _ed25519(cls, value: str) -> str:
        return _validated(multikey_decode, value)

    @property
    def key(self) -> VerifyKey:
        return multikey_decode(self.publicKeyMultibase)


class DidRegistered(_Strict):
    did: str = Field(max_length=200)
    controller: str = Field(max_length=200)
    name_ko: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    verification_methods: list[MethodSpec] = Field(min_length=1, max_length=MAX_METHODS)

    @field_validator("did")
    @classmethod
    def _did_web(cls, value: str) -> str:
        return _check_did_web(value)

    @field_validator("controller")
    @classmethod
    def _controller(cls, value: str) -> str:
        return _check_did(value)

    @model_validator(mode="after")
    def _distinct(self) -> DidRegistered:
        fragments = [m.id for m in self.verification_methods]
        keys = [m.publicKeyMultibase for m in self.verification_methods]
        if len(set(fragments)) != len(fragments) or len(set(keys)) != len(keys):
            raise ValueError("each verification method needs its own id and its own key")
        return self


class KeyRotated(_Strict):
    did: str = Field(max_length=200)
    retire: str = Field(pattern=_FRAGMENT)
    add: MethodSpec

    @field_validator("did")
    @classmethod
    def _did_web(cls, value: str) -> str:
        return _check_did_web(value)

    @model_validator(mode="after")
    def _new_fragment(self) -> KeyRotated:
        if self.add.id == self.retire:
            raise ValueError("the new verification method needs an id of its own")
        return self


class KeyRevoked(_Strict):
    kid: str = Field(max_length=300)
    revoked_at: str = Field(pattern=_UTC_TIME.pattern)

    @field_validator("kid")
    @classmethod
    def _key_id(cls, value: str) -> str:
        try:
            did, fragment = parse_did_url(value)
            if fragment is None:
                raise InvalidInput(
                    "a key id needs its #fragment", "키 식별자에 #프래그먼트가 없습니다"
                )
            if did.startswith(DID_KEY_PREFIX):
                if value != verification_method_id(did):
                    raise InvalidInput(
                        "a did:key key id is did:key:<key>#<key>",
                        "did:key 키 식별자는 did:key:<키>#<키> 형식입니다",
                    )
            else:
                parse_did_web(did)
        except InvalidInput as exc:
            raise ValueError(exc.message_en) from exc
        return value

    @field_validator("revoked_at")
    @classmethod
    def _real_time(cls, value: str) -> str:
        return _validated(parse_time, value)

    @property
    def revoked_at_time(self) -> datetime:
        return parse_time(self.revoked_at)

    @property
    def did(self) -> str:
        return self.kid.partition("#")[0]


_Body = DidRegistered | KeyRotated | KeyRevoked


DID_REGISTERED = EntryType(
    name="identity.did.registered",
    version=1,
    body=DidRegistered,
    description="The city registered an organization's did:web and its keys.",
)
KEY_ROTATED = EntryType(
    name="identity.key.rotated",
    version=1,
    body=KeyRotated,
    description="A did:web gained a key and retired another as of this entry's time.",
)
KEY_REVOKED = EntryType(
    name="identity.key.revoked",
    version=1,
    body=KeyRevoked,
    description="A key was reported compromised: nothing it signed from revoked_at on counts.",
)
_TYPES = {t.name: t for t in (DID_REGISTERED, KEY_ROTATED, KEY_REVOKED)}


def register_entry_types(types: EntryTypes) -> None:
    """The DID registry's entry types, for ``node.entry_types()``."""
    for entry_type in _TYPES.values():
        types.register(entry_type)


@dataclass(frozen=True, slots=True)
class Revocation:
    revoked_at: datetime
    """From when the key counts as compromised."""
    recorded_at: datetime
    """The time of the entry that reported it."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What the ledger says about one key id: when it was added, retired and revoked."""

    kid: str
    key: VerifyKey
    added_at: datetime | None
    """None for a did:key, valid from the start."""
    retired_at: datetime | None = None
    revocations: tuple[Revocation, ...] = ()

    @property
    def revoked_at(self) -> datetime | None:
        return min((r.revoked_at for r in self.revocations), default=None)

    def refusal(self, at: datetime, grace: timedelta | None = None) -> tuple[str, str] | None:
        """Why the key cannot have signed at ``at`` (English, Korean), or None if it can.

        ``grace`` None is the current view; otherwise a retirement or revocation counts only
        for times more than ``grace`` after it was recorded (the view for re-checks).
        """
        when = format_time(at)
        if self.added_at is not None and at < self.added_at:
            added = format_time(self.added_at)
            return (
                f"key {self.kid} was added at {added}, after {when}",
                f"키 {self.kid}는 {when} 이후인 {added}에 추가되었습니다",
            )
        if self.retired_at is not None and at > self.retired_at + (grace or timedelta()):
            retired = format_time(self.retired_at)
            return (
                f"key {self.kid} was retired at {retired}; it signs nothing dated later ({when})",
                f"키 {self.kid}는 {retired}에 교체되어 그 뒤({when})에는 서명할 수 없습니다",
            )
        for revocation in self.revocations:
            if at >= revocation.revoked_at and (
                grace is None or at > revocation.recorded_at + grace
            ):
                revoked = format_time(revocation.revoked_at)
                return (
                    f"key {self.kid} was revoked as compromised from {revoked}; signatures "
                    f"dated from then on ({when}) do not count",
                    f"키 {self.kid}는 {revoked}부터 유출된 키로 폐기되어 그 뒤({when})의 "
                    "서명은 인정되지 않습니다",
                )
        return None


@dataclass(frozen=True, slots=True)
class DidRecord:
    """A registered did:web: its controller, the organization's public name, and its key ids
    in the order they were added."""

    did: str
    controller: str
    name_ko: str
    name_en: str
    registered_at: datetime
    kids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Change:
    """One identity entry, read either from a checked entry or from stored bytes."""

    entry_id: str
    type: str
    at: datetime
    body: _Body
    kids: tuple[str, ...]

    @property
    def signers(self) -> set[str]:
        return {kid.partition("#")[0] for kid in self.kids}


@dataclass(frozen=True, slots=True)
class _Plan:
    """The records an accepted change writes."""

    did_record: DidRecord | None
    keys: tuple[KeyRecord, ...]


def _body(entry_type: str, raw: Any) -> _Body:
    body = _TYPES[entry_type].body.model_validate(raw)
    assert isinstance(body, DidRegistered | KeyRotated | KeyRevoked)
    return body


def _change_from_stored(data: bytes) -> _Change | None:
    """The identity change in a stored entry, None if it holds another type."""
    envelope = json.loads(data)
    if not isinstance(envelope, dict) or envelope.get("type") not in _TYPES:
        return None
    if envelope.get("v") != 1:
        raise ValueError(f"schema version {envelope.get('v')!r} is unknown")
    return _Change(
        entry_id=envelope["id"],
        type=envelope["type"],
        at=parse_time(envelope["at"]),
        body=_body(envelope["type"], envelope["body"]),
        kids=tuple(s["kid"] for s in envelope["sigs"]),
    )


# In canonical JSON an entry's top-level "type" member is written exactly like this, so the
# replay parses only entries that may be identity changes.
_STORED_MARKER = b'"type":"identity.'


class DidRegistry:
    """The projection of the identity entries: rebuilt from the ledger at start-up, then kept
    in step by ``record`` as each new identity entry is acknowledged.

    It is the ``KeyResolver`` of the node's ``EntryValidator`` (did:key ids resolve from the
    identifier itself, through ``DidKeyResolver``, unless revoked here), so entries signed by
    did:web keys are accepted on the ledger. Reads take no lock: records are immutable and
    replaced whole, so a reader sees a key's record before or after a change, never half.
    """

    def __init__(
        self,
        city_did: str | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``city_did`` is the only DID that may register DIDs; a registry without one (a
        read-only node) resolves but accepts no changes."""
        self.city_did = city_did
        self.clock = clock
        self._did_keys = DidKeyResolver()
        self._dids: dict[str, DidRecord] = {}
        self._keys: dict[str, KeyRecord] = {}
        self._key_owner: dict[bytes, str] = {}
        """Raw public key -> the did:web key id it was registered under."""
        self._revoked_keys: set[bytes] = set()
        self._applied: set[str] = set()
        self._problems: list[str] = []
        self._lock = threading.Lock()

    # Keeping the projection in step with the ledger.

    def watches(self, entry_type: str) -> bool:
        return entry_type in _TYPES

    def replay(self, entries: Iterable[StoredEntry]) -> None:
        """Apply every identity entry among ``entries`` (a ledger in order, from index 0).

        Entries were checked when they were appended, so signatures and authority are not
        checked again here. An entry that still breaks the registry's rules (written around
        the node, or by an older rule set) is skipped and listed in ``problems``.
        """
        for stored in entries:
            if _STORED_MARKER not in stored.data:
                continue
            try:
                change = _change_from_stored(stored.data)
                if change is None:
                    continue
                with self._lock:
                    self._commit(change, self._plan(change))
            except (BlockcityError, ValueError, KeyError, TypeError) as exc:
                why = exc.message_en if isinstance(exc, BlockcityError) else str(exc)
                problem = f"entry {stored.index}: {why}"
                log.warning("DID registry skipped %s", problem)
                self._problems.append(problem)

    def record(self, entry: Entry, append: Callable[[], Receipt]) -> Receipt:
        """Check a checked identity entry against the registry, append it, then apply it.

        The lock covers all three, so identity changes are applied in ledger order and two
        conflicting changes cannot both pass. A resubmitted entry is answered by the ledger.
        """
        with self._lock:
            if entry.id in self._applied:
                return append()
            change = _Change(
                entry.id,
                entry.type,
                entry.at,
                _body(entry.type, entry.body),
                tuple(s.kid for s in entry.sigs),
            )
            # Re-resolve under the lock: a change recorded since the validator looked may have
            # retired or revoked a signing key.
            for kid in change.kids:
                self.resolve(kid, change.at)
            self._authorize(change)
            plan = self._plan(change)
            receipt = append()
            self._commit(change, plan)
            return receipt

    @property
    def problems(self) -> tuple[str, ...]:
        """Stored identity entries the replay could not apply; empty on a sound ledger."""
        return tuple(self._problems)

    # Resolution.

    def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
        """The key ``kid`` names if it could sign at ``at`` (now if None), in the current view."""
        return self._resolve(kid, at, None)

    def as_recorded(self, grace: timedelta = RECORDING_GRACE) -> KeyResolver:
        """A resolver that re-checks stored entries as the ledger judged them when appended."""
        return _RecordedView(self, grace)

    def _resolve(self, kid: str, at: datetime | None, grace: timedelta | None) -> VerifyKey:
        moment = at or self.clock()
        record = self._keys.get(kid)
        if record is None:
            if kid.startswith(DID_KEY_PREFIX):
                return self._did_keys.resolve(kid)
            raise self._unknown_key(kid)
        refusal = record.refusal(moment, grace)
        if refusal is not None:
            raise KeyNotValid(*refusal)
        return record.key

    def _unknown_key(self, kid: str) -> BlockcityError:
        did, fragment = parse_did_url(kid)
        if not did.startswith(DID_WEB_PREFIX):
            return KeyNotValid(
                f"{kid} is neither a did:key nor a did:web key; only those can sign here",
                f"{kid}는 did:key나 did:web 키가 아니어서 여기서 서명할 수 없습니다",
            )
        if did not in self._dids:
            return KeyNotValid(
                f"{did} is not registered on the ledger; the city registers organizations' DIDs",
                f"{did}는 원장에 등록되지 않았습니다. 기관의 DID는 서울시가 등록합니다",
            )
        return KeyNotValid(
            f"{did} has no verification method #{fragment}",
            f"{did}에는 #{fragment} 검증 방법이 없습니다",
        )

    # Reading the registry.

    def dids(self) -> tuple[DidRecord, ...]:
        """Every registered did:web, in the order registered."""
        return tuple(self._dids.values())

    def did(self, did: str) -> DidRecord:
        found = self._dids.get(did)
        if found is None:
            raise DidNotFound(
                f"{did} is not registered on the ledger", f"{did}는 원장에 등록되지 않았습니다"
            )
        return found

    def key(self, kid: str) -> KeyRecord | None:
        """The ledger's record of a did:web key id or of a revoked did:key, if any."""
        return self._keys.get(kid)

    def resolve_did_document(self, did: str, at: datetime | None = None) -> dict[str, Any]:
        """The W3C DID document (DID Core §5) of a did:web or did:key as of ``at`` (now if
        None), listing the keys that could sign at that time."""
        moment = at or self.clock()
        subject, fragment = parse_did_url(did)
        if fragment is not None:
            raise InvalidInput(
                f"give a DID without a #fragment, not {did!r}",
                f"#프래그먼트 없이 DID만 주세요 ({did!r})",
            )
        if subject.startswith(DID_KEY_PREFIX):
            kid = verification_method_id(subject)
            controller = subject
            candidates = [self._keys.get(kid) or KeyRecord(kid, public_from_did_key(subject), None)]
        elif subject.startswith(DID_WEB_PREFIX):
            parse_did_web(subject)
            record = self.did(subject)
            if record.registered_at > moment:
                registered, when = format_time(record.registered_at), format_time(moment)
                raise DidNotFound(
                    f"{subject} was registered at {registered}, after {when}",
                    f"{subject}는 {when} 이후인 {registered}에 등록되었습니다",
                )
            controller = record.controller
            candidates = [self._keys[kid] for kid in record.kids]
        else:
            raise InvalidInput(
                f"{subject} uses a DID method blockcity does not resolve; use did:key or did:web",
                f"{subject}는 지원하지 않는 DID 메서드입니다. did:key나 did:web을 쓰세요",
            )
        valid = [k for k in candidates if k.refusal(moment) is None]
        document: dict[str, Any] = {
            "@context": list(_DID_CONTEXT),
            "id": subject,
            "controller": controller,
            "verificationMethod": [
                {
                    "id": k.kid,
                    "type": "Multikey",
                    "controller": subject,
                    "publicKeyMultibase": multikey_encode(k.key),
                }
                for k in valid
            ],
        }
        for relationship in _RELATIONSHIPS:
            document[relationship] = [k.kid for k in valid]
        return document

    # The rules.

    def _authorize(self, change: _Change) -> None:
        """Every signer must be entitled to the change (checked when an entry is submitted)."""
        if self.city_did is None:
            raise DidChangeUnauthorized(
                "this node has no city key, so it cannot accept DID changes",
                "이 노드에는 서울시 키가 없어 DID 변경을 받을 수 없습니다",
            )
        body = change.body
        if isinstance(body, DidRegistered):
            allowed, who_en, who_ko = {self.city_did}, "the city", "서울시"
        else:
            subject = body.did
            allowed = {subject, self.city_did}
            if subject in self._dids:
                allowed.add(self._dids[subject].controller)
            who_en = f"a current key of {subject}, of its controller, or the city"
            who_ko = f"{subject}나 그 관리자의 현재 키 또는 서울시"
            if isinstance(body, KeyRevoked) and body.kid == self._city_kid():
                raise DidChangeRefused(
                    "the city's own key is the registry's root of trust; replace it through "
                    "the node's configuration, not by revoking it on the ledger",
                    "서울시 키는 레지스트리 신뢰의 기준이므로 원장에서 폐기할 수 없습니다. 노드 "
                    "설정에서 교체하세요",
                )
        strangers = change.signers - allowed
        if strangers:
            raise DidChangeUnauthorized(
                f"{change.type} must be signed only by {who_en}; "
                f"{', '.join(sorted(strangers))} may not",
                f"{change.type}에는 {who_ko}만 서명할 수 있습니다. "
                f"{', '.join(sorted(strangers))}는 서명할 수 없습니다",
            )

    def _city_kid(self) -> str | None:
        if self.city_did is None or not self.city_did.startswith(DID_KEY_PREFIX):
            return None
        return verification_method_id(self.city_did)

    def _plan(self, change: _Change) -> _Plan:
        body = change.body
        if isinstance(body, DidRegistered):
            return self._plan_registration(body, change.at)
        if isinstance(body, KeyRotated):
            return self._plan_rotation(body, change.at)
        return self._plan_revocation(body, change.at)

    def _plan_registration(self, body: DidRegistered, at: datetime) -> _Plan:
        if body.did in self._dids:
            raise DidAlreadyRegistered(
                f"{body.did} is already registered; change its keys with identity.key.rotated",
                f"{body.did}는 이미 등록되었습니다. 키는 identity.key.rotated로 바꾸세요",
            )
        if (
            body.controller.startswith(DID_WEB_PREFIX)
            and body.controller != body.did
            and body.controller not in self._dids
        ):
            raise DidChangeRefused(
                f"the controller {body.controller} is not registered; register it first",
                f"관리자 {body.controller}가 등록되지 않았습니다. 먼저 등록하세요",
            )
        keys = tuple(
            KeyRecord(f"{body.did}#{m.id}", self._fresh_key(m), at)
            for m in body.verification_methods
        )
        record = DidRecord(
            body.did, body.controller, body.name_ko, body.name_en, at, tuple(k.kid for k in keys)
        )
        return _Plan(record, keys)

    def _plan_rotation(self, body: KeyRotated, at: datetime) -> _Plan:
        record = self._dids.get(body.did)
        if record is None:
            raise DidChangeRefused(
                f"{body.did} is not registered; the city registers it first",
                f"{body.did}는 등록되지 않았습니다. 먼저 서울시가 등록해야 합니다",
            )
        old_kid, new_kid = f"{body.did}#{body.retire}", f"{body.did}#{body.add.id}"
        old = self._keys.get(old_kid) if old_kid in record.kids else None
        if old is None:
            raise DidChangeRefused(
                f"{body.did} has no key #{body.retire} to retire",
                f"{body.did}에는 교체할 키 #{body.retire}가 없습니다",
            )
        if old.retired_at is not None:
            raise DidChangeRefused(
                f"key {old_kid} was already retired at {format_time(old.retired_at)}",
                f"키 {old_kid}는 이미 {format_time(old.retired_at)}에 교체되었습니다",
            )
        if old.added_at is not None and at < old.added_at:
            raise DidChangeRefused(
                f"a rotation dated {format_time(at)} cannot retire a key added later",
                f"{format_time(at)} 시각의 교체로 그 뒤에 추가된 키를 교체할 수 없습니다",
            )
        if new_kid in record.kids:
            raise DidChangeRefused(
                f"{new_kid} was used before; give the new key an id never used in {body.did}",
                f"{new_kid}는 이미 쓰인 적이 있습니다. {body.did}에서 쓴 적 없는 id를 주세요",
            )
        new = KeyRecord(new_kid, self._fresh_key(body.add), at)
        updated = replace(record, kids=(*record.kids, new_kid))
        return _Plan(updated, (replace(old, retired_at=at), new))

    def _plan_revocation(self, body: KeyRevoked, at: datetime) -> _Plan:
        revoked_at = body.revoked_at_time
        if revoked_at > at:
            raise DidChangeRefused(
                "revoked_at cannot be later than the entry itself; write the revocation when "
                "the compromise is known",
                "revoked_at은 항목 시각보다 늦을 수 없습니다. 유출이 확인되었을 때 기록하세요",
            )
        if revoked_at < at - MAX_REVOCATION_BACKDATE:
            days = MAX_REVOCATION_BACKDATE.days
            raise DidChangeRefused(
                f"revoked_at may be at most {days} days before the entry",
                f"revoked_at은 항목 시각보다 최대 {days}일 전까지만 정할 수 있습니다",
            )
        did = body.did
        existing = self._keys.get(body.kid)
        if existing is None:
            if did.startswith(DID_WEB_PREFIX):
                raise DidChangeRefused(
                    f"{body.kid} is not a registered key", f"{body.kid}는 등록된 키가 아닙니다"
                )
            existing = KeyRecord(body.kid, public_from_did_key(did), None)
        current = existing.revoked_at
        if current is not None and current <= revoked_at:
            raise Conflict(
                f"{body.kid} is already revoked from {format_time(current)}",
                f"{body.kid}는 이미 {format_time(current)}부터 폐기되었습니다",
            )
        revocation = Revocation(revoked_at, at)
        return _Plan(None, (replace(existing, revocations=(*existing.revocations, revocation)),))

    def _fresh_key(self, method: MethodSpec) -> VerifyKey:
        key = method.key
        if key.raw in self._revoked_keys:
            raise DidChangeRefused(
                "this public key was revoked as compromised; generate a new key",
                "이 공개키는 유출로 폐기되었습니다. 새 키를 만드세요",
            )
        owner = self._key_owner.get(key.raw)
        if owner is not None:
            raise DidChangeRefused(
                f"this public key is already registered as {owner}; every key is registered once",
                f"이 공개키는 이미 {owner}로 등록되었습니다. 키는 한 번만 등록할 수 있습니다",
            )
        return key

    def _commit(self, change: _Change, plan: _Plan) -> None:
        if plan.did_record is not None:
            self._dids[plan.did_record.did] = plan.did_record
        for record in plan.keys:
            self._keys[record.kid] = record
            if record.added_at is not None:
                self._key_owner[record.key.raw] = record.kid
            if record.revocations:
                self._revoked_keys.add(record.key.raw)
        self._applied.add(change.entry_id)


class _RecordedView:
    """``DidRegistry`` as the ledger judged each stored entry when it appended it."""

    def __init__(self, registry: DidRegistry, grace: timedelta) -> None:
        self._registry = registry
        self._grace = grace

    def resolve(self, kid: str, at: datetime | None = None) -> VerifyKey:
        return self._registry._resolve(kid, at, self._grace)


# Commands: each builds, signs and submits one identity entry.

Submit = Callable[[bytes], Receipt]
_B = TypeVar("_B", bound=BaseModel)


def _command_body(model: type[_B], **fields: Any) -> _B:
    """The entry body, or InvalidInput naming what the caller got wrong."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidInput(
            f"{model.__name__} is not valid: {problems}",
            f"{model.__name__} 값이 올바르지 않습니다: {problems}",
        ) from exc


def register_did(
    submit: Submit,
    city: tuple[str, SigningKey],
    did: str,
    keys: Sequence[tuple[str, VerifyKey]],
    *,
    name_ko: str,
    name_en: str,
    controller: str | None = None,
    at: datetime | None = None,
) -> Receipt:
    """Register ``did`` with ``keys`` (fragment, public key), signed by the city's key id and
    key; the DID controls itself unless ``controller`` says otherwise."""
    body = _command_body(
        DidRegistered,
        did=did,
        controller=controller or did,
        name_ko=name_ko,
        name_en=name_en,
        verification_methods=[
            {"id": fragment, "type": "Multikey", "publicKeyMultibase": multikey_encode(key)}
            for fragment, key in keys
        ],
    )
    return submit(sign_entry(DID_REGISTERED.name, body.model_dump(), [city], at=at))


def rotate_key(
    submit: Submit,
    signer: tuple[str, SigningKey],
    did: str,
    retire: str,
    add: tuple[str, VerifyKey],
    *,
    at: datetime | None = None,
) -> Receipt:
    """Retire ``did#retire`` and add ``add`` (fragment, public key) as of now."""
    fragment, key = add
    body = _command_body(
        KeyRotated,
        did=did,
        retire=retire,
        add={"id": fragment, "type": "Multikey", "publicKeyMultibase": multikey_encode(key)},
    )
    return submit(sign_entry(KEY_ROTATED.name, body.model_dump(), [signer], at=at))


def revoke_key(
    submit: Submit,
    signer: tuple[str, SigningKey],
    kid: str,
    revoked_at: datetime,
    *,
    at: datetime | None = None,
) -> Receipt:
    """Report ``kid`` compromised from ``revoked_at``."""
    body = _command_body(KeyRevoked, kid=kid, revoked_at=format_time(revoked_at))
    return submit(sign_entry(KEY_REVOKED.name, body.model_dump(), [signer], at=at))
