"""The trusted-issuer registry: which organization DID may issue which credential type, from
when until when. The city signs every change, and the changes are ledger entries.

The registry is a projection of those entries, rebuilt from the ledger at start-up like the DID
registry. The node also consults it before it anchors a credential (``check_issuance``), so a
credential's presence on the ledger already says that its issuer was trusted for its types at
the moment it was anchored; a verifier with no copy of the registry can rely on that.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from blockcity.crypto import SigningKey
from blockcity.errors import InvalidInput
from blockcity.identity.dids import parse_time
from blockcity.ledger.blocks import format_time
from blockcity.ledger.entries import Entry, EntryRejected, EntryType, EntryTypes, sign_entry
from blockcity.ledger.log import Receipt
from blockcity.ledger.store import StoredEntry

_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"
_CREDENTIAL_TYPE = r"^[A-Za-z][A-Za-z0-9]{0,63}$"
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"


class IssuerNotTrusted(EntryRejected):
    code = "issuer-not-trusted"
    status = 403
    title_ko = "신뢰 발급자가 아닙니다"
    title_en = "Issuer not trusted"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class IssuerAuthorized(_Strict):
    """The city trusts ``issuer`` to issue ``credential_type`` from ``valid_from``."""

    authority: str = Field(pattern=_DID, max_length=200)
    issuer: str = Field(pattern=_DID, max_length=200)
    credential_type: str = Field(pattern=_CREDENTIAL_TYPE)
    valid_from: str = Field(pattern=_TIME)
    valid_until: str | None = Field(default=None, pattern=_TIME)
    name_ko: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _period(self) -> IssuerAuthorized:
        if self.valid_until is not None and parse_time(self.valid_until) <= parse_time(
            self.valid_from
        ):
            raise ValueError("valid_until must come after valid_from")
        return self


class IssuerWithdrawn(_Strict):
    """The city stops trusting ``issuer`` for ``credential_type`` from ``effective``; what it
    issued before stays valid (its anchor shows when it was issued)."""

    authority: str = Field(pattern=_DID, max_length=200)
    issuer: str = Field(pattern=_DID, max_length=200)
    credential_type: str = Field(pattern=_CREDENTIAL_TYPE)
    effective: str = Field(pattern=_TIME)


ISSUER_AUTHORIZED = EntryType(
    name="credentials.issuer.authorized",
    version=1,
    body=IssuerAuthorized,
    description="The city trusts an organization to issue one type of credential.",
    required_signers=lambda body: [body.authority],
)
ISSUER_WITHDRAWN = EntryType(
    name="credentials.issuer.withdrawn",
    version=1,
    body=IssuerWithdrawn,
    description="The city stops trusting an organization for one type of credential.",
    required_signers=lambda body: [body.authority],
)
_CHANGES: dict[str, type[IssuerAuthorized] | type[IssuerWithdrawn]] = {
    ISSUER_AUTHORIZED.name: IssuerAuthorized,
    ISSUER_WITHDRAWN.name: IssuerWithdrawn,
}
_STORED_MARKER = b'"type":"credentials.issuer.'


def register_entry_types(types: EntryTypes) -> None:
    types.register(ISSUER_AUTHORIZED)
    types.register(ISSUER_WITHDRAWN)


@dataclass(frozen=True, slots=True)
class Authorization:
    """One period in which an issuer was trusted for one credential type."""

    issuer: str
    credential_type: str
    valid_from: datetime
    valid_until: datetime | None
    name_ko: str
    name_en: str
    entry_index: int | None
    """The ledger entry that granted it (None while it is being recorded)."""

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    def to_dict(self) -> dict[str, object]:
        return {
            "issuer": self.issuer,
            "credential_type": self.credential_type,
            "valid_from": format_time(self.valid_from),
            "valid_until": format_time(self.valid_until) if self.valid_until else None,
            "name_ko": self.name_ko,
            "name_en": self.name_en,
            "entry_index": self.entry_index,
        }


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """Whether an issuer was trusted for a type at a time, with the reason in both languages."""

    trusted: bool
    reason_en: str
    reason_ko: str
    authorization: Authorization | None = None


class IssuerRegistry:
    """The projection of the issuer entries, kept in step as they are acknowledged.

    ``authority`` is the only DID whose changes are accepted; a registry without one (a
    read-only node) takes the ledger's entries as recorded and accepts no new ones.
    """

    def __init__(
        self,
        authority: str | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.authority = authority
        self.clock = clock
        self._grants: dict[tuple[str, str], tuple[Authorization, ...]] = {}
        self._lock = threading.Lock()

    def watches(self, entry_type: str) -> bool:
        return entry_type in _CHANGES

    def replay(self, entries: Iterable[StoredEntry]) -> None:
        """Apply every issuer entry among ``entries`` (a ledger in order)."""
        for stored in entries:
            if _STORED_MARKER not in stored.data:
                continue
            envelope = json.loads(stored.data)
            model = _CHANGES.get(envelope.get("type", ""))
            if model is not None:
                self._apply(model.model_validate(envelope["body"]), stored.index)

    def record(self, entry: Entry, append: Callable[[], Receipt]) -> Receipt:
        """Check a change against the registry, append it, then apply it, under one lock."""
        body = _CHANGES[entry.type].model_validate(entry.body)
        if self.authority is None or body.authority != self.authority:
            raise IssuerNotTrusted(
                f"only the city ({self.authority}) may change the trusted-issuer registry",
                f"신뢰 발급자 목록은 서울시({self.authority})만 바꿀 수 있습니다",
            )
        with self._lock:
            if isinstance(body, IssuerWithdrawn) and not any(
                grant.valid_until is None or grant.valid_until > parse_time(body.effective)
                for grant in self._grants.get((body.issuer, body.credential_type), ())
            ):
                raise EntryRejected(
                    f"{body.issuer} is not trusted for {body.credential_type}; nothing to withdraw",
                    f"{body.issuer}는 {body.credential_type} 발급자로 신뢰되어 있지 않아 "
                    "철회할 것이 없습니다",
                )
            receipt = append()
            self._apply(body, receipt.index)
            return receipt

    def _apply(self, body: IssuerAuthorized | IssuerWithdrawn, index: int) -> None:
        key = (body.issuer, body.credential_type)
        grants = self._grants.get(key, ())
        if isinstance(body, IssuerAuthorized):
            grant = Authorization(
                body.issuer,
                body.credential_type,
                parse_time(body.valid_from),
                parse_time(body.valid_until) if body.valid_until else None,
                body.name_ko,
                body.name_en,
                index,
            )
            self._grants[key] = (*grants, grant)
            return
        effective = parse_time(body.effective)
        self._grants[key] = tuple(
            grant
            if grant.valid_until is not None and grant.valid_until <= effective
            else Authorization(
                grant.issuer,
                grant.credential_type,
                grant.valid_from,
                max(grant.valid_from, effective),
                grant.name_ko,
                grant.name_en,
                grant.entry_index,
            )
            for grant in grants
        )

    def decide(self, issuer: str, credential_type: str, at: datetime) -> TrustDecision:
        """Whether ``issuer`` was trusted to issue ``credential_type`` at ``at``, and why."""
        grants = self._grants.get((issuer, credential_type), ())
        for grant in grants:
            if grant.covers(at):
                return TrustDecision(
                    True,
                    f"{grant.name_en} ({issuer}) is trusted by the city to issue "
                    f"{credential_type} (registry entry {grant.entry_index})",
                    f"{grant.name_ko}({issuer})은(는) 서울시가 {credential_type} 발급을 "
                    f"인정한 기관입니다 (등록 항목 {grant.entry_index})",
                    grant,
                )
        when = format_time(at)
        if grants:
            return TrustDecision(
                False,
                f"{issuer} was not trusted to issue {credential_type} at {when}: "
                + ", ".join(_period_en(g) for g in grants),
                f"{issuer}는 {when}에 {credential_type} 발급자로 인정되지 않았습니다: "
                + ", ".join(_period_ko(g) for g in grants),
            )
        return TrustDecision(
            False,
            f"{issuer} is not in the city's registry of trusted issuers for {credential_type}",
            f"{issuer}는 서울시의 {credential_type} 신뢰 발급자 목록에 없습니다",
        )

    def check_issuance(self, issuer: str, credential_types: Sequence[str], at: datetime) -> None:
        """Raise IssuerNotTrusted unless ``issuer`` may issue every type in
        ``credential_types`` at ``at``."""
        for credential_type in credential_types:
            decision = self.decide(issuer, credential_type, at)
            if not decision.trusted:
                raise IssuerNotTrusted(decision.reason_en, decision.reason_ko)

    def authorizations(self) -> list[Authorization]:
        return sorted(
            (grant for grants in self._grants.values() for grant in grants),
            key=lambda g: (g.issuer, g.credential_type, g.valid_from),
        )


def _period_en(grant: Authorization) -> str:
    until = format_time(grant.valid_until) if grant.valid_until else "open-ended"
    return f"trusted {format_time(grant.valid_from)} to {until}"


def _period_ko(grant: Authorization) -> str:
    until = format_time(grant.valid_until) if grant.valid_until else "기한 없음"
    return f"인정 기간 {format_time(grant.valid_from)} ~ {until}"


Submit = Callable[[bytes], Receipt]


def _body(model: type[_Strict], **fields: object) -> dict[str, object]:
    try:
        return model.model_validate(fields).model_dump()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidInput(
            f"the registry change is not valid: {problems}",
            f"신뢰 발급자 변경 내용이 올바르지 않습니다: {problems}",
        ) from exc


def authorize_issuer(
    submit: Submit,
    city: tuple[str, SigningKey],
    issuer: str,
    credential_type: str,
    *,
    name_ko: str,
    name_en: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    at: datetime | None = None,
) -> Receipt:
    """Record that the city trusts ``issuer`` for ``credential_type``; signed by the city."""
    kid, _ = city
    body = _body(
        IssuerAuthorized,
        authority=kid.split("#", 1)[0],
        issuer=issuer,
        credential_type=credential_type,
        valid_from=format_time(valid_from),
        valid_until=format_time(valid_until) if valid_until else None,
        name_ko=name_ko,
        name_en=name_en,
    )
    return submit(sign_entry(ISSUER_AUTHORIZED.name, body, [city], at=at))


def withdraw_issuer(
    submit: Submit,
    city: tuple[str, SigningKey],
    issuer: str,
    credential_type: str,
    *,
    effective: datetime,
    at: datetime | None = None,
) -> Receipt:
    """Record that the city stops trusting ``issuer`` for ``credential_type`` from
    ``effective``."""
    kid, _ = city
    body = _body(
        IssuerWithdrawn,
        authority=kid.split("#", 1)[0],
        issuer=issuer,
        credential_type=credential_type,
        effective=format_time(effective),
    )
    return submit(sign_entry(ISSUER_WITHDRAWN.name, body, [city], at=at))


__all__ = [
    "ISSUER_AUTHORIZED",
    "ISSUER_WITHDRAWN",
    "Authorization",
    "IssuerNotTrusted",
    "IssuerRegistry",
    "TrustDecision",
    "authorize_issuer",
    "register_entry_types",
    "withdraw_issuer",
]
