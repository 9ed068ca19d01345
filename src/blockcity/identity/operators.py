"""Operator apps: licensed private apps that use the platform's API as OAuth 2 clients with the
client credentials grant (RFC 6749 section 4.4), limited to the scopes the city licensed.

An owner or manager registers their organization's app (or an administrator registers one for
the city); it waits until a city administrator approves it, and the city can revoke it. Client
secrets and access tokens are random 256-bit values stored only as SHA-256 digests: a fast hash
is enough for values no one can guess (argon2 protects guessable passwords; here it would only
make every token request cost 70 ms of CPU, a lever for denial of service). Tokens expire after
``TOKEN_LIFETIME`` and can be revoked (RFC 7009). Every API call that names an app (by its token,
even an expired one, or its client id), answered or refused, is written to the app's access log
with the scope it relied on.
"""

from __future__ import annotations

import enum
import hmac
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from types import MappingProxyType
from typing import ClassVar, Final

from blockcity.errors import BlockcityError, Conflict, InvalidInput
from blockcity.identity.authz import (
    Action,
    Actor,
    Decision,
    OperatorActor,
    Resource,
    ResourceKind,
    not_found,
)
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account
from blockcity.identity.organizations import Organizations

TOKEN_LIFETIME: Final = timedelta(minutes=15)
NAME_MAX = 80
LOG_PAGE_MAX = 100
_SECRET_BYTES = 32
# Tokens that expired this long ago are deleted; until then a call with one is still
# attributed to its app in the access log.
_KEEP_EXPIRED: Final = timedelta(days=1)
# Compared against when the client id is unknown, so that case takes as long as a wrong secret.
_DECOY_DIGEST: Final = sha256(b"no such operator client").digest()


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    en: str
    ko: str


SCOPES: Final[Mapping[str, Scope]] = MappingProxyType(
    {
        scope.name: scope
        for scope in (
            Scope(
                "ledger:read",
                "Read the ledger's entries, blocks and proofs",
                "원장의 항목, 블록, 증명 읽기",
            ),
            Scope(
                "ledger:write",
                "Submit signed entries to the ledger",
                "서명된 항목을 원장에 제출",
            ),
            Scope(
                "organizations:read",
                "Read your own organization's profile and staff roles",
                "자기 기관의 정보와 직원 역할 읽기",
            ),
            Scope(
                "operators:log:read",
                "Read your app's own API access log",
                "자기 앱의 API 접근 기록 읽기",
            ),
            Scope(
                "credentials:read",
                "Fetch the bundles of credentials your organization issued",
                "자기 기관이 발급한 자격증명 묶음 파일 받기",
            ),
            Scope(
                "credentials:verify",
                "Verify credentials through the API as your app, with each call in its access log",
                "자격증명 검증 (이 앱의 호출마다 접근 기록에 남음)",
            ),
            Scope(
                "labor:check",
                "Check labor contract drafts against the law of their year",
                "근로계약서 초안이 그 해의 노동법에 맞는지 확인",
            ),
            Scope(
                "labor:read",
                "Read your organization's labor contracts and download their signed PDFs",
                "자기 기관의 근로계약서 읽기와 서명된 PDF 받기",
            ),
            Scope(
                "labor:write",
                "Draft and send your organization's labor contracts and hand in its "
                "countersignatures",
                "자기 기관의 근로계약서 작성·발송과 사용자 서명 제출",
            ),
        )
    }
)
"""Every scope an app may be licensed for: the service before the first colon."""


class ClientStatus(enum.StrEnum):
    PENDING = "pending"
    """Registered, waiting for a city administrator's approval; cannot get tokens."""
    ACTIVE = "active"
    REVOKED = "revoked"
    """Revoked by the city or its organization; its tokens stopped working at once."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS operator_clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations(id),
    secret_digest BLOB NOT NULL,
    scopes TEXT NOT NULL,
    status TEXT NOT NULL,
    registered_by TEXT NOT NULL REFERENCES accounts(id),
    registered_at TEXT NOT NULL,
    approved_by TEXT REFERENCES accounts(id),
    approved_at TEXT,
    revoked_by TEXT REFERENCES accounts(id),
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS operator_clients_by_org ON operator_clients(organization_id);
CREATE TABLE IF NOT EXISTS operator_tokens (
    token_digest BLOB PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES operator_clients(client_id),
    scopes TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS operator_tokens_by_client ON operator_tokens(client_id, expires_at);
CREATE TABLE IF NOT EXISTS operator_access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES operator_clients(client_id),
    organization_id TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    scope TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS operator_access_log_by_client ON operator_access_log(client_id, id);
"""


class OAuthError(BlockcityError):
    """An error of the OAuth 2 endpoints; ``error`` is its RFC 6749 section 5.2 (or RFC 6750
    section 3.1) code, and its English message the ASCII ``error_description``."""

    error: ClassVar[str] = "invalid_request"


class InvalidRequest(OAuthError):
    code = "oauth-invalid-request"
    status = 400
    error = "invalid_request"
    title_ko = "OAuth 요청이 올바르지 않습니다"
    title_en = "Invalid OAuth request"


class InvalidClient(OAuthError):
    code = "oauth-invalid-client"
    status = 401
    error = "invalid_client"
    title_ko = "앱 인증에 실패했습니다"
    title_en = "Client authentication failed"

    def __init__(self, client_id: str | None = None) -> None:
        super().__init__(
            "unknown client or wrong client secret",
            "등록되지 않은 앱이거나 비밀 값이 틀렸습니다",
        )
        self.client_id = client_id
        """The registered app whose id was given, if any: the failure goes in its access log."""


class UnauthorizedClient(OAuthError):
    code = "oauth-unauthorized-client"
    status = 400
    error = "unauthorized_client"
    title_ko = "허가되지 않은 앱입니다"
    title_en = "Client not authorized"


class InvalidGrant(OAuthError):
    code = "oauth-invalid-grant"
    status = 400
    error = "invalid_grant"
    title_ko = "다른 앱의 토큰입니다"
    title_en = "Token of another client"


class UnsupportedGrantType(OAuthError):
    code = "oauth-unsupported-grant-type"
    status = 400
    error = "unsupported_grant_type"
    title_ko = "지원하지 않는 권한 부여 방식입니다"
    title_en = "Unsupported grant type"


class InvalidScope(OAuthError):
    code = "oauth-invalid-scope"
    status = 400
    error = "invalid_scope"
    title_ko = "요청한 범위가 올바르지 않습니다"
    title_en = "Invalid scope"


class InvalidToken(OAuthError):
    """RFC 6750 section 3.1: missing, unknown, expired or revoked access token."""

    code = "invalid-token"
    status = 401
    error = "invalid_token"
    title_ko = "액세스 토큰이 유효하지 않습니다"
    title_en = "Invalid access token"

    def __init__(self, message_en: str, message_ko: str, client_id: str | None = None) -> None:
        super().__init__(message_en, message_ko)
        self.client_id = client_id
        """The app the token was issued to, when known: the refusal goes in its access log."""


class InsufficientScope(OAuthError):
    code = "insufficient-scope"
    status = 403
    error = "insufficient_scope"
    title_ko = "허가된 범위를 벗어났습니다"
    title_en = "Insufficient scope"

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"this call needs the scope {scope}; the city must license your app for it",
            f"이 호출에는 {scope} 범위가 필요합니다. 시에서 앱에 이 범위를 허가받으세요",
        )
        self.scope = scope


@dataclass(frozen=True, slots=True)
class OperatorClient:
    client_id: str
    name: str
    organization_id: str | None
    """None for the city's own apps, registered by an administrator."""
    organization_name: str | None
    scopes: tuple[str, ...]
    status: ClientStatus
    registered_by: str
    """The username of who registered it."""
    registered_at: datetime
    approved_at: datetime | None
    revoked_at: datetime | None

    @property
    def resource(self) -> Resource:
        return Resource(ResourceKind.OPERATOR_APP, organization_id=self.organization_id)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What a valid access token lets its app do."""

    client_id: str
    organization_id: str | None
    scopes: frozenset[str]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessRecord:
    id: int
    at: datetime
    client_id: str
    organization_id: str | None
    method: str
    path: str
    status: int
    scope: str
    """The scope the call relied on ("" when it needed none beyond a valid token)."""


def _digest(value: str) -> bytes:
    return sha256(value.encode()).digest()


def check_scopes(requested: Iterable[str]) -> tuple[str, ...]:
    """The requested scopes, known and without repeats, in registry order."""
    wanted = set(requested)
    unknown = sorted(wanted - SCOPES.keys())
    if unknown:
        raise InvalidScope(
            f"unknown scope {' '.join(unknown)[:100]}; known scopes: {' '.join(SCOPES)}",
            f"알 수 없는 범위입니다: {' '.join(unknown)[:100]}. 가능한 범위: {' '.join(SCOPES)}",
        )
    if not wanted:
        raise InvalidScope("choose at least one scope", "범위를 하나 이상 고르세요")
    return tuple(name for name in SCOPES if name in wanted)


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not 1 <= len(name) <= NAME_MAX or not name.isprintable():
        raise InvalidInput(
            f"give the app's name in 1 to {NAME_MAX} characters",
            f"앱 이름을 1~{NAME_MAX}자로 입력하세요",
        )
    return name


class Operators:
    def __init__(
        self,
        db: IdentityDB,
        organizations: Organizations,
        clock: Callable[[], datetime],
        token_lifetime: timedelta = TOKEN_LIFETIME,
    ) -> None:
        self.db = db
        self.organizations = organizations
        self.authz = organizations.authz
        self.clock = clock
        self.token_lifetime = token_lifetime
        db.schema(SCHEMA)

    # Licensing

    def register(
        self,
        actor: Account,
        name: str,
        scopes: Iterable[str],
        organization_id: str | None = None,
    ) -> tuple[OperatorClient, str]:
        """A new app for ``organization_id`` (by its owner or manager; waits for the city's
        approval) or, with no organization, for the city (by an administrator; active at once).
        Returns the app and its client secret, which is shown this once and never stored."""
        clean_name = _name(name)
        try:
            licensed = check_scopes(scopes)
        except InvalidScope as exc:
            raise InvalidInput(exc.message_en, exc.message_ko) from None
        client_id = "op-" + secrets.token_hex(10)
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        now = self.clock().isoformat()
        with self.db.transaction() as tx:
            if organization_id is None:
                self.authz.require(actor, Action.OPERATORS_LICENSE, Resource.platform())
                status, approved_by, approved_at = ClientStatus.ACTIVE, actor.id, now
            else:
                self.organizations.get(actor, organization_id, Action.OPERATORS_MANAGE)
                status, approved_by, approved_at = ClientStatus.PENDING, None, None
            tx.execute(
                "INSERT INTO operator_clients (client_id, name, organization_id, secret_digest, "
                "scopes, status, registered_by, registered_at, approved_by, approved_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    client_id,
                    clean_name,
                    organization_id,
                    _digest(secret),
                    " ".join(licensed),
                    status.value,
                    actor.id,
                    now,
                    approved_by,
                    approved_at,
                ),
            )
        return self._client(client_id), secret

    def get(self, actor: Account, client_id: str) -> OperatorClient:
        """An app, for its organization's owners and managers and for administrators."""
        client = self._find(client_id)
        if client is None:
            raise not_found(ResourceKind.OPERATOR_APP)
        self._require_manage(actor, client)
        return client

    def own(self, actor: OperatorActor) -> OperatorClient:
        """The calling app itself."""
        return self._client(actor.client_id)

    def of_organization(self, actor: Account, organization_id: str) -> list[OperatorClient]:
        self.organizations.get(actor, organization_id, Action.OPERATORS_MANAGE)
        return self._clients("c.organization_id = ?", (organization_id,))

    def everyone(self, actor: Account) -> list[OperatorClient]:
        """Every app, waiting ones first: the city administrators' licensing desk."""
        self.authz.require(actor, Action.OPERATORS_LICENSE, Resource.platform())
        clients = self._clients("1 = 1", ())
        order = {ClientStatus.PENDING: 0, ClientStatus.ACTIVE: 1, ClientStatus.REVOKED: 2}
        return sorted(clients, key=lambda c: order[c.status])

    def approve(self, actor: Account, client_id: str) -> OperatorClient:
        """The city licenses a waiting app; only administrators may."""
        with self.db.transaction() as tx:
            client = self._find(client_id)
            if client is None:
                raise not_found(ResourceKind.OPERATOR_APP)
            self.authz.require(actor, Action.OPERATORS_LICENSE, client.resource)
            if client.status is not ClientStatus.PENDING:
                raise Conflict(
                    f"the app is {client.status.value}; only a waiting app can be approved",
                    f"이 앱의 상태는 {client.status.value}입니다. 대기 중인 앱만 승인할 수 "
                    "있습니다",
                )
            tx.execute(
                "UPDATE operator_clients SET status = 'active', approved_by = ?, approved_at = ? "
                "WHERE client_id = ?",
                (actor.id, self.clock().isoformat(), client_id),
            )
        return self._client(client_id)

    def revoke(
        self, actor: Account, client_id: str, organization_id: str | None = None
    ) -> OperatorClient:
        """Stop an app for good: its tokens stop working at once. The city may revoke any app;
        an organization's owners and managers may revoke their own. With ``organization_id``,
        the app must be that organization's (404 otherwise, as for an unknown app)."""
        with self.db.transaction() as tx:
            client = self._find(client_id)
            if client is None or (
                organization_id is not None and client.organization_id != organization_id
            ):
                raise not_found(ResourceKind.OPERATOR_APP)
            self._require_manage(actor, client)
            if client.status is ClientStatus.REVOKED:
                raise Conflict("the app is already revoked", "이미 취소된 앱입니다")
            now = self.clock().isoformat()
            tx.execute(
                "UPDATE operator_clients SET status = 'revoked', revoked_by = ?, revoked_at = ? "
                "WHERE client_id = ?",
                (actor.id, now, client_id),
            )
            tx.execute(
                "UPDATE operator_tokens SET revoked_at = ? WHERE client_id = ? "
                "AND revoked_at IS NULL",
                (now, client_id),
            )
        return self._client(client_id)

    # OAuth 2

    def authenticate_client(self, client_id: str, secret: str) -> OperatorClient:
        """The app whose id and secret these are, whatever its status; every failure looks the
        same and costs the same, whether the id exists or not."""
        row = self.db.one(
            "SELECT secret_digest FROM operator_clients WHERE client_id = ?", (client_id,)
        )
        expected = bytes(row["secret_digest"]) if row else _DECOY_DIGEST
        if not hmac.compare_digest(expected, _digest(secret)) or row is None:
            raise InvalidClient(client_id if row else None)
        return self._client(client_id)

    def issue_token(self, client: OperatorClient, scope: str | None) -> IssuedToken:
        """An access token for an active app: the requested scopes (space-separated, RFC 6749
        section 3.3), all of which it must be licensed for, or all its scopes if none asked."""
        if client.status is not ClientStatus.ACTIVE:
            raise UnauthorizedClient(
                f"the app is {client.status.value}: only apps the city has approved and not "
                "revoked get tokens",
                f"이 앱의 상태는 {client.status.value}입니다. 시가 승인했고 취소되지 않은 앱만 "
                "토큰을 받을 수 있습니다",
            )
        granted = client.scopes if not scope or not scope.strip() else check_scopes(scope.split())
        beyond = sorted(set(granted) - set(client.scopes))
        if beyond:
            raise InvalidScope(
                f"the app is not licensed for {' '.join(beyond)}",
                f"이 앱은 {' '.join(beyond)} 범위를 허가받지 않았습니다",
            )
        token = secrets.token_urlsafe(_SECRET_BYTES)
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute(
                "DELETE FROM operator_tokens WHERE client_id = ? AND expires_at < ?",
                (client.client_id, (now - _KEEP_EXPIRED).isoformat()),
            )
            tx.execute(
                "INSERT INTO operator_tokens (token_digest, client_id, scopes, issued_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?)",
                (
                    _digest(token),
                    client.client_id,
                    " ".join(granted),
                    now.isoformat(),
                    (now + self.token_lifetime).isoformat(),
                ),
            )
        return IssuedToken(token, int(self.token_lifetime.total_seconds()), granted)

    def authenticate_token(self, token: str) -> TokenGrant:
        """What a bearer token grants, if it is known, unexpired, unrevoked and its app still
        active."""
        if not token or len(token) > 200:
            raise InvalidToken("no valid access token was sent", "유효한 액세스 토큰이 없습니다")
        row = self.db.one(
            "SELECT t.*, c.status, c.organization_id FROM operator_tokens t "
            "JOIN operator_clients c ON c.client_id = t.client_id WHERE t.token_digest = ?",
            (_digest(token),),
        )
        if row is None:
            raise InvalidToken(
                "the access token is not one we issued", "발급한 적이 없는 액세스 토큰입니다"
            )
        client_id = row["client_id"]
        if row["revoked_at"] is not None or row["status"] != ClientStatus.ACTIVE:
            raise InvalidToken(
                "the access token was revoked", "취소된 액세스 토큰입니다", client_id
            )
        expires_at = datetime.fromisoformat(row["expires_at"])
        if expires_at <= self.clock():
            raise InvalidToken(
                "the access token has expired; ask the token endpoint for a new one",
                "만료된 액세스 토큰입니다. 토큰 엔드포인트에서 새 토큰을 받으세요",
                client_id,
            )
        return TokenGrant(
            client_id, row["organization_id"], frozenset(row["scopes"].split()), expires_at
        )

    def revoke_token(self, client: OperatorClient, token: str) -> None:
        """RFC 7009: revoke one of the app's own tokens. An unknown token is no error (section
        2.2); another app's token is refused and left alone (section 2.1)."""
        with self.db.transaction() as tx:
            row = tx.execute(
                "SELECT client_id FROM operator_tokens WHERE token_digest = ?", (_digest(token),)
            ).fetchone()
            if row is None:
                return
            if row["client_id"] != client.client_id:
                raise InvalidGrant(
                    "the token was issued to another client", "다른 앱에 발급된 토큰입니다"
                )
            tx.execute(
                "UPDATE operator_tokens SET revoked_at = ? WHERE token_digest = ? "
                "AND revoked_at IS NULL",
                (self.clock().isoformat(), _digest(token)),
            )

    # Access log

    def record_call(self, client_id: str, method: str, path: str, status: int, scope: str) -> None:
        """Write one API call of an app to its access log."""
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO operator_access_log (at, client_id, organization_id, method, path, "
                "status, scope) SELECT ?, client_id, organization_id, ?, ?, ?, ? "
                "FROM operator_clients WHERE client_id = ?",
                (self.clock().isoformat(), method[:10], path[:500], status, scope, client_id),
            )

    def access_log(
        self, actor: Actor, client_id: str, before: int | None = None, limit: int = 50
    ) -> tuple[list[AccessRecord], int | None]:
        """An app's calls, newest first, and the cursor of the next page. An app reads its own;
        its organization's owners and managers and the city's administrators read any."""
        client = self._find(client_id)
        if client is None:
            raise not_found(ResourceKind.OPERATOR_APP)
        if isinstance(actor, Account):
            self.authz.require(actor, Action.ACCESS_LOG_VIEW, client.resource)
        elif actor.client_id != client_id:
            raise not_found(ResourceKind.OPERATOR_APP)
        if not 1 <= limit <= LOG_PAGE_MAX:
            raise InvalidInput(
                f"ask for 1 to {LOG_PAGE_MAX} records at a time",
                f"한 번에 1~{LOG_PAGE_MAX}건을 요청하세요",
            )
        rows = self.db.query(
            "SELECT * FROM operator_access_log WHERE client_id = ? AND id < ? "
            "ORDER BY id DESC LIMIT ?",
            (client_id, before if before is not None else 2**63 - 1, limit + 1),
        )
        records = [_record(row) for row in rows[:limit]]
        return records, (records[-1].id if len(rows) > limit else None)

    # Helpers

    def _require_manage(self, actor: Account, client: OperatorClient) -> None:
        """The city licenses every app; an organization manages its own."""
        if self.authz.decide(actor, Action.OPERATORS_LICENSE, client.resource) is Decision.ALLOW:
            return
        self.authz.require(actor, Action.OPERATORS_MANAGE, client.resource)

    def _find(self, client_id: str) -> OperatorClient | None:
        found = self._clients("c.client_id = ?", (client_id,))
        return found[0] if found else None

    def _client(self, client_id: str) -> OperatorClient:
        found = self._find(client_id)
        if found is None:
            raise not_found(ResourceKind.OPERATOR_APP)
        return found

    def _clients(self, where: str, args: tuple[object, ...]) -> list[OperatorClient]:
        rows = self.db.query(
            "SELECT c.*, o.name AS organization_name, a.username FROM operator_clients c "
            "LEFT JOIN organizations o ON o.id = c.organization_id "
            "JOIN accounts a ON a.id = c.registered_by "
            f"WHERE {where} ORDER BY c.registered_at DESC",
            args,
        )
        return [_operator_client(row) for row in rows]


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _operator_client(row: sqlite3.Row) -> OperatorClient:
    return OperatorClient(
        client_id=row["client_id"],
        name=row["name"],
        organization_id=row["organization_id"],
        organization_name=row["organization_name"],
        scopes=tuple(row["scopes"].split()),
        status=ClientStatus(row["status"]),
        registered_by=row["username"],
        registered_at=datetime.fromisoformat(row["registered_at"]),
        approved_at=_time(row["approved_at"]),
        revoked_at=_time(row["revoked_at"]),
    )


def _record(row: sqlite3.Row) -> AccessRecord:
    return AccessRecord(
        id=row["id"],
        at=datetime.fromisoformat(row["at"]),
        client_id=row["client_id"],
        organization_id=row["organization_id"],
        method=row["method"],
        path=row["path"],
        status=row["status"],
        scope=row["scope"],
    )
