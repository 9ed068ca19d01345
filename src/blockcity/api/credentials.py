"""``/api/v1/verify``, ``/api/v1/credentials`` and ``/api/v1/issuers``: the one verifier over
HTTP, the signed status lists verifiers fetch, a holder's bundle, the issuer's revocation, and
the trusted-issuer registry.

Verifying needs no account (DESIGN.md section 1): a failed check is a normal 200 answer with
the reasons; only a body that is no credential at all is a 422 problem. An operator app may
verify with its token (scope ``credentials:verify``), and the call goes in its access log. A
credential is shown only to its holder, to the issuing organization's staff, or to that
organization's operator apps (scope ``credentials:read``), and changed only by its owners and
managers; to anyone else it is "not found", so an id reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict

from blockcity.api.oauth import OperatorCall, OperatorRoute, require_scope
from blockcity.api.problems import problem, request_language
from blockcity.api.sessions import session_caller
from blockcity.credentials.checks import Verdict
from blockcity.credentials.service import IssuedCredential
from blockcity.errors import BlockcityError, NotFound, PayloadTooLarge
from blockcity.http.sessions import CSRF_HEADER
from blockcity.http.uploads import read_upload
from blockcity.identity.authz import Forbidden
from blockcity.identity.model import Account, Role
from blockcity.node import Node

STATUS_MAX_AGE = 300
"""Seconds a verifier or a proxy may reuse a status list without asking again: a revocation
shows within five minutes, far inside the list's own one-day validity."""
MAX_TRUST_KEYS = 20
VERIFICATIONS_AT_ONCE = 2
"""Verifications run side by side: one per core. Forty threads (the default pool) sharing one
GIL would finish every queued request late instead of the first ones early."""
_slots: list[anyio.CapacityLimiter] = []


def verification_slots() -> anyio.CapacityLimiter:
    """The limiter the verify endpoint's work queues on, made in the server's event loop."""
    if not _slots:
        _slots.append(anyio.CapacityLimiter(VERIFICATIONS_AT_ONCE))
    return _slots[0]


_VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/plain": {"schema": {"type": "string", "description": "An SD-JWT."}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["revoke", "suspend", "reinstate"]


class UnreadableDocument(BlockcityError):
    code = "unreadable-document"
    status = 422
    title_ko = "문서를 읽을 수 없습니다"
    title_en = "Unreadable document"


def can_read(node: Node, account: Account, issued: IssuedCredential) -> bool:
    """The holder, or anyone on the staff of the organization that issued it."""
    return account.did == issued.holder or _role_at_issuer(node, account, issued) is not None


def _role_at_issuer(node: Node, account: Account, issued: IssuedCredential) -> Role | None:
    for organization, role in node.seoul_pass.organizations.of(account):
        if organization.did == issued.issuer:
            return role
    return None


def optional_operator(
    scope: str,
) -> Callable[[Request], Coroutine[Any, Any, OperatorCall | None]]:
    """A dependency for endpoints open to everyone that operator apps may also call: no
    ``Authorization`` header is an anonymous call (None); a header must carry a valid token
    with ``scope``, and then the call is the app's, logged by ``OperatorRoute``."""
    required = require_scope(scope)

    # Async so that an anonymous call, the common one, answers on the event loop: a sync
    # dependency costs every request a trip through the thread pool. Only a token, which is
    # looked up in the database, goes to a worker thread.
    async def dependency(request: Request) -> OperatorCall | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        sent = (
            HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
            if scheme.lower() == "bearer" and token.strip()
            else None
        )
        return await anyio.to_thread.run_sync(required, request, sent)

    return dependency


def _not_found(credential_id: str) -> NotFound:
    return NotFound(
        f"no credential {credential_id[:80]} of yours", f"자격증명 {credential_id[:80]}이 없습니다"
    )


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["credentials"])
    # Endpoints operator apps may call: each of their calls goes in the app's access log.
    logged = APIRouter(route_class=OperatorRoute)

    def readable(account: Account, credential_id: str) -> IssuedCredential:
        try:
            issued = node.credentials.get(credential_id)
        except NotFound:
            raise _not_found(credential_id) from None
        if not can_read(node, account, issued):
            raise _not_found(credential_id)
        return issued

    @logged.post(
        "/verify",
        summary="Verify a credential: VC/VP JSON, a bundle, an SD-JWT or a PDF (no account)",
        description=(
            "Send the file as the body (application/json, application/pdf, text/plain for an "
            "SD-JWT) or as the `file` field of a multipart form; up to 20 MB. Answers 200 with "
            "every check whether the credential is valid or not; 422 when the body is no "
            "credential at all; 413 above the size limit. `trust_key` (repeatable) trusts an "
            "issuer DID outside the registry; `nonce` and `audience` are what you asked a "
            "holder to bind a presentation to. No account is needed; an operator app may send "
            "its bearer token (scope `credentials:verify`) to have the call in its access log."
        ),
        openapi_extra=_VERIFY_BODY,
    )
    async def verify(
        request: Request,
        nonce: str | None = Query(None, max_length=200),
        audience: str | None = Query(None, max_length=500),
        trust_key: list[str] = Query([], max_length=MAX_TRUST_KEYS),
        _operator: OperatorCall | None = Depends(optional_operator("credentials:verify")),
    ) -> JSONResponse:
        lang = request_language(request)
        verifier = node.verifier(trusted_issuers=frozenset(k[:300] for k in trust_key))
        data = await read_upload(request, verifier.context.max_bytes)
        if len(data) > verifier.context.max_bytes:
            raise PayloadTooLarge(
                f"the verifier reads files up to {verifier.context.max_bytes // 1048576} MB",
                f"검증기는 {verifier.context.max_bytes // 1048576}MB까지의 파일만 읽습니다",
            )
        verdict: Verdict = await anyio.to_thread.run_sync(
            partial(verifier.verify, data, nonce=nonce, audience=audience),
            limiter=verification_slots(),
        )
        if verdict.unreadable:
            reason = verdict.checks[0]
            error = UnreadableDocument(reason.reason_en, reason.reason_ko)
            return problem(
                request,
                error.status,
                error.code,
                error.title(lang),
                error.message(lang),
                checks=verdict.to_dict(lang)["checks"],
            )
        return JSONResponse(verdict.to_dict(lang))

    @api.get(
        "/credentials/status/{group}/{purpose}",
        summary="A signed Bitstring Status List credential (revocation or suspension)",
        description=f"Public. Cacheable for {STATUS_MAX_AGE} seconds.",
    )
    def status_list(group: str, purpose: str) -> JSONResponse:
        if purpose not in ("revocation", "suspension") or len(group) > 64:
            raise NotFound("no such status list", "그런 상태 목록이 없습니다", group=group[:64])
        signed = node.credentials.status_list(node.credentials.status_list_url(group, purpose))
        return JSONResponse(
            signed,
            media_type="application/vc+ld+json",
            headers={"Cache-Control": f"public, max-age={STATUS_MAX_AGE}"},
        )

    def issued_by_app(call: OperatorCall, credential_id: str) -> IssuedCredential:
        """A credential the app's own organization issued; apps of the city itself, which
        belong to no organization, and anyone else's credentials are not found."""
        try:
            issued = node.credentials.get(credential_id)
        except NotFound:
            raise _not_found(credential_id) from None
        organization_id = call.grant.organization_id
        if organization_id is None:
            raise _not_found(credential_id)
        organization = node.seoul_pass.organizations.get(call.actor, organization_id)
        if organization.did != issued.issuer:
            raise _not_found(credential_id)
        return issued

    @logged.get(
        "/credentials/{credential_id}/bundle",
        summary="A credential with its ledger anchor and status lists, for offline checks",
        description="For the holder, or the issuing organization's staff (session cookie), or "
        "the issuing organization's operator apps (bearer token with scope `credentials:read`); "
        "404 for anyone else.",
    )
    def bundle(
        request: Request,
        credential_id: str,
        operator: OperatorCall | None = Depends(optional_operator("credentials:read")),
    ) -> JSONResponse:
        if operator is not None:
            issued = issued_by_app(operator, credential_id[:200])
        else:
            issued = readable(
                session_caller(request, node.seoul_pass, csrf=False).account, credential_id
            )
        return JSONResponse(
            node.credentials.bundle(issued.id), headers={"Cache-Control": "no-store"}
        )

    @api.post(
        "/credentials/{credential_id}/status",
        summary="Revoke, suspend or reinstate a credential (the issuer's owners and managers)",
        description=f"Session cookie and the `{CSRF_HEADER}` header. Revoking is for good. "
        "Staff who may not change it get 403; anyone else 404.",
    )
    def set_status(request: Request, credential_id: str, body: StatusChange) -> dict[str, Any]:
        account = session_caller(request, node.seoul_pass, csrf=True).account
        issued = readable(account, credential_id)
        role = _role_at_issuer(node, account, issued)
        if role not in (Role.OWNER, Role.MANAGER):
            # The holder and clerks see the credential but may not change it.
            raise Forbidden(
                "only the issuing organization's owners and managers change a credential's status",
                "발급 기관의 소유자와 관리자만 자격증명 상태를 바꿀 수 있습니다",
            )
        changed = node.credentials.set_status(issued.id, body.action, issuer=issued.issuer)
        return {"id": changed.id, "state": changed.state}

    @api.get("/issuers", summary="The trusted-issuer registry: who may issue which credential")
    def issuers() -> dict[str, Any]:
        return {"items": [grant.to_dict() for grant in node.issuers.authorizations()]}

    api.include_router(logged)
    return api
