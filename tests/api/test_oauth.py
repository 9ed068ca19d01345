"""The OAuth 2 endpoints over HTTP as an operator app's client library sees them: the client
credentials grant (RFC 6749 section 4.4) with both ways of client authentication, its errors in
section 5.2 form, token revocation (RFC 7009), and the operator-only endpoints."""

from __future__ import annotations

from base64 import b64encode
from typing import Annotated
from urllib.parse import quote_plus

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from blockcity.api.oauth import OperatorCall, require_operator, require_scope
from blockcity.identity.operators import OperatorClient
from tests.identity.orgs_world import World

TOKEN = "/api/v1/oauth/token"
REVOKE = "/api/v1/oauth/revoke"
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture
def app(world: World) -> tuple[OperatorClient, str]:
    return world.app(["organizations:read", "operators:log:read", "ledger:read"])


def basic(client_id: str, secret: str) -> dict[str, str]:
    # RFC 6749 section 2.3.1: each part is form-urlencoded before base64.
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + b64encode(pair).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(http: TestClient, app: tuple[OperatorClient, str], scope: str | None = None) -> str:
    data = {**GRANT, **({"scope": scope} if scope else {})}
    response = http.post(TOKEN, data=data, headers=basic(app[0].client_id, app[1]))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_an_approved_app_gets_a_bearer_token_with_http_basic(
    http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    response = http.post(TOKEN, data=GRANT, headers=basic(app[0].client_id, app[1]))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["scope"] == "ledger:read organizations:read operators:log:read"


def test_an_app_may_authenticate_in_the_form_and_ask_for_fewer_scopes(
    http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    form = {**GRANT, "client_id": app[0].client_id, "client_secret": app[1], "scope": "ledger:read"}
    response = http.post(TOKEN, data=form)
    assert response.status_code == 200
    assert response.json()["scope"] == "ledger:read"


@pytest.mark.parametrize(
    ("form", "headers", "status", "error"),
    [
        ({**GRANT}, {}, 401, "invalid_client"),
        (
            {**GRANT, "client_id": "op-00000000000000000000", "client_secret": "x"},
            {},
            401,
            "invalid_client",
        ),
        ({**GRANT}, {"Authorization": "Basic !!!"}, 401, "invalid_client"),
        ({**GRANT}, {"Authorization": "Bearer abc"}, 401, "invalid_client"),
        ({"grant_type": "password"}, None, 400, "unsupported_grant_type"),
        ({}, None, 400, "invalid_request"),
        ({**GRANT, "scope": "ledger:write"}, None, 400, "invalid_scope"),
        ({**GRANT, "scope": "root"}, None, 400, "invalid_scope"),
        ({**GRANT, "scope": '관리자"\\'}, None, 400, "invalid_scope"),
    ],
)
def test_token_errors_follow_rfc_6749(
    http: TestClient,
    app: tuple[OperatorClient, str],
    form: dict[str, str],
    headers: dict[str, str] | None,
    status: int,
    error: str,
) -> None:
    sent = basic(app[0].client_id, app[1]) if headers is None else headers
    response = http.post(TOKEN, data=form, headers=sent)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    # RFC 6749 section 5.2: printable ASCII without '"' or '\\', even when quoting the request.
    assert all(" " <= c <= "~" and c not in '"\\' for c in body["error_description"])
    assert response.headers["cache-control"] == "no-store"
    if error == "invalid_client":
        assert response.headers["www-authenticate"].startswith("Basic ")


def test_both_ways_of_client_authentication_at_once_are_refused(
    http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    form = {**GRANT, "client_secret": app[1]}
    response = http.post(TOKEN, data=form, headers=basic(app[0].client_id, app[1]))
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_a_repeated_parameter_or_a_json_body_is_an_invalid_request(
    http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    auth = basic(app[0].client_id, app[1])
    repeated = http.post(
        TOKEN,
        content="grant_type=client_credentials&scope=ledger:read&scope=ledger:read",
        headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    as_json = http.post(TOKEN, json=GRANT, headers=auth)
    too_big = http.post(TOKEN, data={**GRANT, "scope": "x" * 5000}, headers=auth)
    for response in (repeated, as_json, too_big):
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_operators_me_describes_the_calling_app(
    world: World, http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    response = http.get("/api/v1/operators/me", headers=bearer(token_for(http, app, "ledger:read")))
    assert response.status_code == 200
    body = response.json()
    assert body["client_id"] == app[0].client_id and body["status"] == "active"
    assert body["organization"] == {"id": world.org.id, "name": world.org.name}
    assert body["token"]["scopes"] == ["ledger:read"]
    assert body["licensed_scopes"] == ["ledger:read", "organizations:read", "operators:log:read"]


def test_an_app_reads_its_own_organization_and_staff_roles_without_names(
    world: World, http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    headers = bearer(token_for(http, app))
    org = http.get(f"/api/v1/organizations/{world.org.id}", headers=headers)
    assert org.status_code == 200
    assert org.json()["business_number"] == "1248100998"
    staff = http.get(f"/api/v1/organizations/{world.org.id}/staff", headers=headers).json()
    assert [item["role"] for item in staff["items"]] == ["owner", "manager", "clerk"]
    assert world.owner.did in {item["did"] for item in staff["items"]}
    assert all(set(item) == {"did", "role", "since"} for item in staff["items"])


def test_an_app_pages_through_its_own_access_log(
    http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    headers = bearer(token_for(http, app))
    for _ in range(3):
        http.get("/api/v1/operators/me", headers=headers)
    first = http.get("/api/v1/operators/me/access-log?limit=2", headers=headers).json()
    assert [(r["method"], r["path"], r["status"]) for r in first["items"]] == [
        ("GET", "/api/v1/operators/me", 200),
        ("GET", "/api/v1/operators/me", 200),
    ]
    rest = http.get(
        f"/api/v1/operators/me/access-log?limit=2&cursor={first['next_cursor']}", headers=headers
    ).json()
    assert [r["path"] for r in rest["items"]] == ["/api/v1/operators/me", TOKEN]
    assert rest["items"][1]["scope"] == "ledger:read organizations:read operators:log:read"
    assert rest["next_cursor"] is None


def test_a_revoked_token_stops_working_and_revoking_twice_or_an_unknown_token_is_fine(
    http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    token = token_for(http, app)
    auth = basic(app[0].client_id, app[1])
    assert http.get("/api/v1/operators/me", headers=bearer(token)).status_code == 200
    for sent in (token, token, "never-issued"):
        response = http.post(REVOKE, data={"token": sent}, headers=auth)
        assert response.status_code == 200 and response.content == b""
    refused = http.get("/api/v1/operators/me", headers=bearer(token))
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]


def test_revocation_needs_the_apps_own_credentials_and_a_token(
    world: World, http: TestClient, app: tuple[OperatorClient, str]
) -> None:
    token = token_for(http, app)
    wrong = http.post(REVOKE, data={"token": token}, headers=basic(app[0].client_id, "nope"))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    missing = http.post(REVOKE, data={}, headers=basic(app[0].client_id, app[1]))
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    assert http.get("/api/v1/operators/me", headers=bearer(token)).status_code == 200


def test_the_openapi_document_describes_the_token_endpoint_and_bearer_scheme(
    http: TestClient,
) -> None:
    spec = http.get("/api/v1/openapi.json").json()
    token_body = spec["paths"][TOKEN]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in token_body
    assert spec["components"]["securitySchemes"]["operatorToken"]["scheme"] == "bearer"
    assert "/api/v1/operators/me/access-log" in spec["paths"]


def test_a_route_taking_operator_tokens_without_the_logging_route_fails_loudly() -> None:
    unlogged = FastAPI()

    @unlogged.get("/unlogged")
    def handler(call: Annotated[OperatorCall, Depends(require_operator)]) -> str:
        return call.client_id

    with TestClient(unlogged) as http, pytest.raises(TypeError, match="not an OperatorRoute"):
        http.get("/unlogged", headers=bearer("any"))
    with pytest.raises(ValueError, match="scope registry"):
        require_scope("ledger:everything")
