"""Operator apps and credentials: verifying stays open to anyone, and an app's verify calls go
in its access log (scope ``credentials:verify``); an app fetches bundles only of credentials its
own organization issued (scope ``credentials:read``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from tests.api.test_oauth import bearer, token_for
from tests.credentials.holders import CredentialWorld, credential_world

VERIFY = "/api/v1/verify"


@pytest.fixture
def cw(tmp_path: Path) -> Iterator[CredentialWorld]:
    with credential_world(tmp_path / "data") as world:
        yield world


@pytest.fixture
def http(cw: CredentialWorld) -> Iterator[TestClient]:
    with TestClient(create_app(cw.node)) as client:
        yield client


def bundle_body(cw: CredentialWorld) -> bytes:
    return json.dumps(cw.node.credentials.bundle(cw.credential.id)).encode()


def logged(cw: CredentialWorld, client_id: str) -> list[tuple[str, str, int, str]]:
    operators = cw.world.seoul_pass.operators
    records, _ = operators.access_log(cw.world.admin, client_id)
    return [(r.method, r.path, r.status, r.scope) for r in records]


def test_verifying_needs_no_token(http: TestClient, cw: CredentialWorld) -> None:
    answer = http.post(
        VERIFY, content=bundle_body(cw), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 200 and answer.json()["valid"]


def test_an_apps_verify_call_is_in_its_access_log(http: TestClient, cw: CredentialWorld) -> None:
    app = cw.world.app(["credentials:verify"])
    headers = {**bearer(token_for(http, app)), "content-type": "application/json"}
    answer = http.post(VERIFY, content=bundle_body(cw), headers=headers)
    assert answer.status_code == 200 and answer.json()["valid"]
    assert logged(cw, app[0].client_id)[0] == ("POST", VERIFY, 200, "credentials:verify")


def test_a_token_without_the_verify_scope_is_refused_and_logged(
    http: TestClient, cw: CredentialWorld
) -> None:
    app = cw.world.app(["ledger:read"])
    headers = {**bearer(token_for(http, app)), "content-type": "application/json"}
    answer = http.post(VERIFY, content=bundle_body(cw), headers=headers)
    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    assert logged(cw, app[0].client_id)[0] == ("POST", VERIFY, 403, "credentials:verify")


def test_a_bad_token_is_refused_rather_than_treated_as_anonymous(
    http: TestClient, cw: CredentialWorld
) -> None:
    headers = {**bearer("not-a-token"), "content-type": "application/json"}
    assert http.post(VERIFY, content=bundle_body(cw), headers=headers).status_code == 401


def test_the_issuing_organizations_app_fetches_the_bundle(
    http: TestClient, cw: CredentialWorld
) -> None:
    app = cw.world.app(["credentials:read"])
    path = f"/api/v1/credentials/{cw.credential.id}/bundle"
    answer = http.get(path, headers=bearer(token_for(http, app)))
    assert answer.status_code == 200
    assert answer.json()["credential"]["id"] == cw.credential.id
    assert logged(cw, app[0].client_id)[0] == ("GET", path, 200, "credentials:read")


def test_another_organizations_app_gets_not_found(http: TestClient, cw: CredentialWorld) -> None:
    app = cw.world.app(["credentials:read"], cw.world.other_org.id)
    path = f"/api/v1/credentials/{cw.credential.id}/bundle"
    assert http.get(path, headers=bearer(token_for(http, app))).status_code == 404


def test_an_app_without_the_read_scope_is_refused_the_bundle(
    http: TestClient, cw: CredentialWorld
) -> None:
    app = cw.world.app(["credentials:verify"])
    path = f"/api/v1/credentials/{cw.credential.id}/bundle"
    answer = http.get(path, headers=bearer(token_for(http, app)))
    assert answer.status_code == 403
    assert logged(cw, app[0].client_id)[0] == ("GET", path, 403, "credentials:read")
