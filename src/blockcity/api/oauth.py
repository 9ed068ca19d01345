"""``/api/v1/oauth``: the token endpoint for operator apps (RFC 6749 section 4.4, client
credentials) and token revocation (RFC 7009); and what every operator-only endpoint uses: the
``require_scope`` dependency and ``OperatorRoute``, which writes each call to the access log.

An operator endpoint is declared on a router with ``route_class=OperatorRoute`` and takes
``call: OperatorCall = Depends(require_scope("labor:check"))``. A missing, expired or
revoked token answers 401 and a token without the scope 403, with the RFC 6750 section 3
``WWW-Authenticate`` challenge and a problem+json body; the token and revocation endpoints answer
errors in OAuth's own JSON form (RFC 6749 section 5.2), which OAuth client libraries expect.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request, Response, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from blockcity.api.problems import problem, request_language
from blockcity.errors import BlockcityError
from blockcity.identity.authz import OperatorActor
from blockcity.identity.operators import (
    SCOPES,
    InsufficientScope,
    InvalidClient,
    InvalidRequest,
    InvalidToken,
    OAuthError,
    OperatorClient,
    Operators,
    TokenGrant,
    UnsupportedGrantType,
)
from blockcity.node import Node

REALM = "blockcity"
MAX_FORM_BYTES = 4096
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {"type": "string", "description": "Space-separated scopes."},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                    "required": ["grant_type"],
                }
            }
        },
    }
}
_REVOKE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "token": {"type": "string"},
                        "token_type_hint": {"type": "string", "enum": ["access_token"]},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                    "required": ["token"],
                }
            }
        },
    }
}

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="operatorToken",
    description="An operator app's access token from POST /api/v1/oauth/token.",
)


@dataclass(frozen=True, slots=True)
class OperatorCall:
    """An operator app's call: who it is (from its token) and the scope the call relies on."""

    grant: TokenGrant
    scope: str

    @property
    def client_id(self) -> str:
        return self.grant.client_id

    @property
    def actor(self) -> OperatorActor:
        return OperatorActor(self.grant.client_id, self.grant.organization_id)


@dataclass(frozen=True, slots=True)
class _Attribution:
    """Set on ``request.state.operator_call`` once the calling app is known, even if refused."""

    client_id: str
    scope: str


def operators_of(request: Request) -> Operators:
    node: Node = request.app.state.node
    return node.seoul_pass.operators


class OperatorRoute(APIRoute):
    """A route operator apps call: each call, answered or refused, goes in the access log of
    the app it is attributed to; bearer token errors carry their ``WWW-Authenticate``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            status = 500
            try:
                response = await handler(request)
                status = response.status_code
                return response
            except OAuthError as exc:
                status = exc.status
                return _bearer_challenge(request, exc)
            except BlockcityError as exc:
                status = exc.status
                raise
            except RequestValidationError:
                status = 400
                raise
            except StarletteHTTPException as exc:
                status = exc.status_code
                raise
            finally:
                call = getattr(request.state, "operator_call", None)
                if isinstance(call, OperatorCall | _Attribution):
                    await run_in_threadpool(
                        operators_of(request).record_call,
                        call.client_id,
                        request.method,
                        request.url.path,
                        status,
                        call.scope,
                    )

        return handle


def _bearer_challenge(request: Request, exc: OAuthError) -> JSONResponse:
    lang = request_language(request)
    response = problem(request, exc.status, exc.code, exc.title(lang), exc.message(lang))
    # RFC 6750 section 3.1: no error code when the request carried no token at all.
    challenge = f'Bearer realm="{REALM}"'
    if isinstance(exc, InsufficientScope):
        challenge += f', error="insufficient_scope", scope="{exc.scope}"'
    elif not isinstance(exc, _TokenMissing):
        challenge += f', error="{exc.error}", error_description="{_description(exc)}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


class _TokenMissing(InvalidToken):
    def __init__(self) -> None:
        super().__init__(
            "send an access token: Authorization: Bearer <token> (get one from "
            "POST /api/v1/oauth/token)",
            "액세스 토큰을 보내세요: Authorization: Bearer <토큰> (POST /api/v1/oauth/token에서 "
            "받으세요)",
        )


def require_scope(
    scope: str | None,
) -> Callable[[Request, HTTPAuthorizationCredentials | None], OperatorCall]:
    """A dependency admitting only operator apps whose token grants ``scope`` (or, with None,
    any valid token). Use it on routes of ``OperatorRoute``, so every call is logged."""
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"{scope!r} is not in the scope registry (identity.operators.SCOPES)")

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(_bearer),
    ) -> OperatorCall:
        if not isinstance(request.scope.get("route"), OperatorRoute):
            raise TypeError(
                f"{request.url.path} takes operator tokens but is not an OperatorRoute, so its "
                "calls would not be logged"
            )
        if credentials is None:
            raise _TokenMissing()
        try:
            grant = operators_of(request).authenticate_token(credentials.credentials)
        except InvalidToken as exc:
            if exc.client_id is not None:
                request.state.operator_call = _Attribution(exc.client_id, scope or "")
            raise
        call = OperatorCall(grant, scope or "")
        request.state.operator_call = call
        if scope is not None and scope not in grant.scopes:
            raise InsufficientScope(scope)
        return call

    return dependency


require_operator = require_scope(None)
"""Any operator app with a valid token, whatever its scopes."""


async def _read_form(request: Request) -> dict[str, str]:
    """The urlencoded body; RFC 6749 section 3.2 forbids repeating a parameter."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise InvalidRequest(
            "send the parameters as application/x-www-form-urlencoded",
            "매개변수를 application/x-www-form-urlencoded 형식으로 보내세요",
        )
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise InvalidRequest(
                f"the request body is over {MAX_FORM_BYTES} bytes",
                f"요청 본문이 {MAX_FORM_BYTES}바이트를 넘습니다",
            )
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest(
            "the request body is not a valid form", "요청 본문이 올바른 양식이 아닙니다"
        ) from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise InvalidRequest(
                f"the parameter {key[:40]} is given more than once",
                f"매개변수 {key[:40]}이(가) 여러 번 들어 있습니다",
            )
        form[key] = value
    return form


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret, from HTTP Basic or from the form but not both (RFC 6749
    section 2.3.1)."""
    header = request.headers.get("authorization")
    if header is None:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if client_id is None or secret is None:
            raise InvalidClient()
        return client_id, secret
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise InvalidClient()
    if "client_secret" in form:
        raise InvalidRequest(
            "authenticate with HTTP Basic or with client_secret in the form, not both",
            "HTTP Basic과 양식의 client_secret 중 한 가지 방법으로만 인증하세요",
        )
    try:
        decoded = b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient() from None
    raw_id, colon, raw_secret = decoded.partition(":")
    if not colon:
        raise InvalidClient()
    # Basic credentials are form-urlencoded before base64 (RFC 6749 section 2.3.1).
    client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    if form.get("client_id", client_id) != client_id:
        raise InvalidRequest(
            "client_id in the form differs from the HTTP Basic one",
            "양식의 client_id가 HTTP Basic의 것과 다릅니다",
        )
    return client_id, secret


async def _authenticated(request: Request) -> tuple[dict[str, str], OperatorClient]:
    """The form and the operator app that authenticated it (Basic or form credentials)."""
    form = await _read_form(request)
    return form, await run_in_threadpool(_authenticate, request, form)


def _authenticate(request: Request, form: dict[str, str]) -> OperatorClient:
    client_id, secret = _credentials(request, form)
    try:
        client = operators_of(request).authenticate_client(client_id, secret)
    except InvalidClient as exc:
        if exc.client_id is not None:
            request.state.operator_call = _Attribution(exc.client_id, "")
        raise
    request.state.operator_call = _Attribution(client.client_id, "")
    return client


def _description(exc: OAuthError) -> str:
    """The English message within the characters RFC 6749 section 5.2 allows in an
    error_description (printable ASCII but '"' and '\\'): it may quote what the client sent."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in exc.message_en)


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(_NO_STORE)
    if isinstance(exc, InvalidClient):
        headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return JSONResponse(
        {"error": exc.error, "error_description": _description(exc)},
        status_code=exc.status,
        headers=headers,
    )


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/oauth", tags=["oauth"], route_class=OperatorRoute)
    operators = node.seoul_pass.operators

    @api.post(
        "/token",
        summary="An access token for an operator app (OAuth 2 client credentials grant)",
        description=(
            "RFC 6749 section 4.4. Authenticate with HTTP Basic (client_id:client_secret) or "
            "with client_id and client_secret in the form. `scope` is optional (default: every "
            "scope the app is licensed for). Tokens expire after `expires_in` seconds. Errors "
            "follow RFC 6749 section 5.2."
        ),
        openapi_extra=_FORM_BODY,
        response_class=JSONResponse,
    )
    async def token(request: Request) -> JSONResponse:
        try:
            form, client = await _authenticated(request)
            request.state.operator_call = _Attribution(
                client.client_id, form.get("scope", "")[:200]
            )
            if "grant_type" not in form:
                raise InvalidRequest(
                    "send grant_type=client_credentials",
                    "grant_type=client_credentials를 보내세요",
                )
            if form["grant_type"] != "client_credentials":
                raise UnsupportedGrantType(
                    "only grant_type=client_credentials is supported",
                    "grant_type=client_credentials만 지원합니다",
                )
            issued = await run_in_threadpool(operators.issue_token, client, form.get("scope"))
        except OAuthError as exc:
            return _oauth_error(exc)
        request.state.operator_call = _Attribution(client.client_id, " ".join(issued.scopes))
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": " ".join(issued.scopes),
            },
            headers=_NO_STORE,
        )

    @api.post(
        "/revoke",
        summary="Revoke one of the app's access tokens (RFC 7009)",
        description=(
            "Authenticate as for the token endpoint. Answers 200 whether or not the token was "
            "still valid; a token issued to another app is refused with invalid_grant."
        ),
        openapi_extra=_REVOKE_BODY,
        response_class=Response,
    )
    async def revoke(request: Request) -> Response:
        try:
            form, client = await _authenticated(request)
            if "token" not in form:
                raise InvalidRequest("give the token to revoke", "취소할 토큰을 주세요")
            await run_in_threadpool(operators.revoke_token, client, form["token"])
        except OAuthError as exc:
            return _oauth_error(exc)
        return Response(status_code=200, headers=_NO_STORE)

    return api
