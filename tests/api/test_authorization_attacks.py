"""Attacks on organizations and operator apps, through HTTP. For every route that takes an ID:
someone unrelated gets 404 (as for an ID that does not exist), staff without the right get 403,
a form without the session's CSRF token gets 403, and none of them changes anything. Operator
tokens: expired, revoked, beyond their scopes, from a waiting or revoked app, with a guessed
secret; each refused with the right status and written to the app's access log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from blockcity.identity.model import Account
from blockcity.identity.operators import TOKEN_LIFETIME, AccessRecord, OperatorClient
from blockcity.identity.organizations import Invitation
from tests.identity.orgs_world import PASSWORD, World, served_world

TOKEN = "/api/v1/oauth/token"


@dataclass
class Targets:
    """Resources of ``world.org`` for the attacks to aim at."""

    newcomer: Account
    invitation: Invitation
    """Sent to ``newcomer``, waiting for an answer."""
    app: OperatorClient
    secret: str
    waiting_app: OperatorClient


@pytest.fixture
def targets(world: World) -> Targets:
    return _aim(world)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, TestClient, Targets]]:
    """One world for the attacks that must change nothing (each checks it did not)."""
    with served_world(tmp_path_factory.mktemp("shared") / "data") as (world, http):
        yield world, http, _aim(world)


def _aim(world: World) -> Targets:
    newcomer = world.seoul_pass.accounts.create("newcomer", PASSWORD, "정신입")
    invitation = world.seoul_pass.organizations.invite(
        world.owner, world.org.id, "newcomer", "clerk"
    )
    app, secret = world.app(["organizations:read", "operators:log:read"])
    waiting, _ = world.seoul_pass.operators.register(
        world.owner, "Waiting app", ["ledger:read"], world.org.id
    )
    return Targets(newcomer, invitation, app, secret, waiting)


# (method, path, form fields, who may legitimately send it)
ROUTES = [
    ("GET", "/orgs/{org}", {}, "owner"),
    ("POST", "/orgs/{org}/invitations", {"username": "stranger", "role": "clerk"}, "owner"),
    ("POST", "/orgs/{org}/invitations/{invitation}/cancel", {}, "owner"),
    ("POST", "/orgs/{org}/staff/{manager}/role", {"role": "clerk"}, "owner"),
    ("POST", "/orgs/{org}/staff/{manager}/remove", {}, "owner"),
    ("POST", "/me/invitations/{invitation}/accept", {}, "newcomer"),
    ("POST", "/me/invitations/{invitation}/decline", {}, "newcomer"),
    ("GET", "/orgs/{org}/operators", {}, "owner"),
    ("POST", "/orgs/{org}/operators", {"name": "Evil app", "scopes": "ledger:read"}, "owner"),
    ("POST", "/orgs/{org}/operators/{app}/revoke", {}, "owner"),
    ("GET", "/operators/{app}/log", {}, "owner"),
    ("POST", "/admin/operators/{waiting_app}/approve", {}, "admin"),
    ("POST", "/admin/operators/{app}/revoke", {}, "admin"),
]
POSTS = [route for route in ROUTES if route[0] == "POST"]


def _path(template: str, world: World, targets: Targets) -> str:
    return template.format(
        org=world.org.id,
        invitation=targets.invitation.id,
        manager=world.manager.id,
        app=targets.app.client_id,
        waiting_app=targets.waiting_app.client_id,
    )


def _send(http: TestClient, method: str, path: str, form: dict[str, str], csrf: str | None) -> int:
    if method == "GET":
        return http.get(path).status_code
    data = {**form, **({"csrf": csrf} if csrf is not None else {})}
    return http.post(path, data=data, follow_redirects=False).status_code


def _send_changing_nothing(
    shared: tuple[World, TestClient, Targets],
    account: Account,
    method: str,
    template: str,
    form: dict[str, str],
) -> int:
    """Sign ``account`` in and send the request; asserts it changed nothing, returns its status."""
    world, http, targets = shared
    csrf = world.sign_in(http, account)
    before = world.snapshot()
    status = _send(http, method, _path(template, world, targets), form, csrf)
    assert world.snapshot() == before
    return status


@pytest.mark.parametrize(("method", "template", "form", "_"), ROUTES)
def test_another_users_organization_ids_answer_404_and_change_nothing(
    shared: tuple[World, TestClient, Targets],
    method: str,
    template: str,
    form: dict[str, str],
    _: str,
) -> None:
    assert _send_changing_nothing(shared, shared[0].stranger, method, template, form) == 404


def test_an_id_that_does_not_exist_answers_the_same_404(
    shared: tuple[World, TestClient, Targets],
) -> None:
    world, http, _ = shared
    world.sign_in(http, world.stranger)
    unknown_id = "00000000-0000-0000-0000-000000000000"
    unrelated = http.get(f"/orgs/{world.org.id}")
    unknown = http.get(f"/orgs/{unknown_id}")
    assert unrelated.status_code == unknown.status_code == 404
    # The pages differ only where they repeat the address (the language switch).
    assert unrelated.text.replace(world.org.id, unknown_id) == unknown.text


@pytest.mark.parametrize(("method", "template", "form", "_"), ROUTES[1:])
def test_a_clerk_trying_a_managers_action_gets_403_and_changes_nothing(
    shared: tuple[World, TestClient, Targets],
    method: str,
    template: str,
    form: dict[str, str],
    _: str,
) -> None:
    assert _send_changing_nothing(shared, shared[0].clerk, method, template, form) == 403


@pytest.mark.parametrize(("method", "template", "form", "who"), POSTS)
def test_every_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    world: World,
    http: TestClient,
    targets: Targets,
    method: str,
    template: str,
    form: dict[str, str],
    who: str,
) -> None:
    actor = targets.newcomer if who == "newcomer" else getattr(world, who)
    csrf = world.sign_in(http, actor)
    path = _path(template, world, targets)
    before = world.snapshot()
    for forged in (None, "", "forged-" + csrf[7:], csrf + "x"):
        assert _send(http, method, path, form, forged) == 403
    http.cookies.clear()
    assert _send(http, method, path, form, csrf) == 403
    assert world.snapshot() == before
    # With the right token and session the same form goes through: the token was the reason.
    fresh = world.sign_in(http, actor)
    assert _send(http, method, path, form, fresh) in (200, 201, 303)
    assert world.snapshot() != before


def test_the_last_owner_demoting_themselves_is_refused_and_nothing_changes(
    world: World, http: TestClient
) -> None:
    csrf = world.sign_in(http, world.owner)
    before = world.snapshot()
    for action, form in (("role", {"role": "manager"}), ("remove", {})):
        response = http.post(
            f"/orgs/{world.org.id}/staff/{world.owner.id}/{action}",
            data={**form, "csrf": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 409
        assert "소유자" in response.text
    assert world.snapshot() == before


def test_a_manager_cannot_promote_a_clerk_to_a_peer_through_a_crafted_form(
    world: World, http: TestClient
) -> None:
    csrf = world.sign_in(http, world.manager)
    before = world.snapshot()
    response = http.post(
        f"/orgs/{world.org.id}/staff/{world.clerk.id}/role",
        data={"role": "owner", "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert world.snapshot() == before


# Operator tokens


def _token(http: TestClient, client_id: str, secret: str, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = http.post(TOKEN, data=form, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _log(world: World, app: OperatorClient) -> list[AccessRecord]:
    records, _ = world.seoul_pass.operators.access_log(world.admin, app.client_id, limit=100)
    return records


def _refused_as_invalid_token(response: object) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="blockcity"')
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.headers["content-type"] == "application/problem+json"


def test_a_token_after_its_expiry_is_refused_and_the_refusal_is_logged(
    world: World, http: TestClient, targets: Targets
) -> None:
    token = _token(http, targets.app.client_id, targets.secret)
    headers = {"Authorization": f"Bearer {token}"}
    world.clock.advance(seconds=TOKEN_LIFETIME.total_seconds() - 1)
    assert http.get("/api/v1/operators/me", headers=headers).status_code == 200
    world.clock.advance(seconds=1)
    _refused_as_invalid_token(http.get("/api/v1/operators/me", headers=headers))
    latest = _log(world, targets.app)[0]
    assert (latest.method, latest.path, latest.status) == ("GET", "/api/v1/operators/me", 401)
    assert latest.organization_id == world.org.id


def test_a_revoked_token_and_a_revoked_apps_token_are_refused(
    world: World, http: TestClient, targets: Targets
) -> None:
    auth = (targets.app.client_id, targets.secret)
    revoked = _token(http, *auth)
    assert http.post("/api/v1/oauth/revoke", data={"token": revoked}, auth=auth).status_code == 200
    _refused_as_invalid_token(
        http.get("/api/v1/operators/me", headers={"Authorization": f"Bearer {revoked}"})
    )
    live = _token(http, *auth)
    world.seoul_pass.operators.revoke(world.admin, targets.app.client_id)
    _refused_as_invalid_token(
        http.get("/api/v1/operators/me", headers={"Authorization": f"Bearer {live}"})
    )
    calls = [r.status for r in _log(world, targets.app) if r.path == "/api/v1/operators/me"]
    assert calls == [401, 401]


def test_a_token_used_beyond_its_scopes_gets_403_insufficient_scope_and_is_logged(
    world: World, http: TestClient, targets: Targets
) -> None:
    token = _token(http, targets.app.client_id, targets.secret, "organizations:read")
    response = http.get(
        "/api/v1/operators/me/access-log", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient-scope"
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="operators:log:read"' in challenge
    latest = _log(world, targets.app)[0]
    assert (latest.status, latest.scope) == (403, "operators:log:read")


def test_an_app_cannot_ask_for_a_scope_it_was_not_licensed_for(
    world: World, http: TestClient, targets: Targets
) -> None:
    before = world.snapshot()
    response = http.post(
        TOKEN,
        data={"grant_type": "client_credentials", "scope": "ledger:write"},
        auth=(targets.app.client_id, targets.secret),
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_scope")
    assert world.snapshot() == before
    assert (_log(world, targets.app)[0].status, _log(world, targets.app)[0].scope) == (
        400,
        "ledger:write",
    )


def test_a_waiting_or_revoked_app_cannot_get_tokens(
    world: World, http: TestClient, targets: Targets
) -> None:
    waiting, waiting_secret = world.seoul_pass.operators.register(
        world.owner, "Also waiting", ["ledger:read"], world.org.id
    )
    world.seoul_pass.operators.revoke(world.admin, targets.app.client_id)
    before = world.snapshot()
    for client_id, secret in (
        (waiting.client_id, waiting_secret),
        (targets.app.client_id, targets.secret),
    ):
        response = http.post(
            TOKEN, data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")
    assert world.snapshot() == before


def test_a_guessed_client_secret_is_refused_as_invalid_client_and_logged(
    world: World, http: TestClient, targets: Targets
) -> None:
    before = world.snapshot()
    response = http.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        auth=(targets.app.client_id, targets.secret[:-2] + "xx"),
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert world.snapshot() == before
    latest = _log(world, targets.app)[0]
    assert (latest.path, latest.status) == (TOKEN, 401)


def test_another_apps_token_cannot_be_revoked(
    world: World, http: TestClient, targets: Targets
) -> None:
    theirs, their_secret = world.app(["organizations:read"], world.other_org.id)
    their_token = _token(http, theirs.client_id, their_secret)
    response = http.post(
        "/api/v1/oauth/revoke",
        data={"token": their_token},
        auth=(targets.app.client_id, targets.secret),
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    me = http.get("/api/v1/operators/me", headers={"Authorization": f"Bearer {their_token}"})
    assert me.status_code == 200


@pytest.mark.parametrize("suffix", ["", "/staff"])
def test_an_app_asking_for_another_organization_gets_404_and_the_attempt_is_logged(
    world: World, http: TestClient, targets: Targets, suffix: str
) -> None:
    headers = {"Authorization": f"Bearer {_token(http, targets.app.client_id, targets.secret)}"}
    other = http.get(f"/api/v1/organizations/{world.other_org.id}{suffix}", headers=headers)
    unknown = http.get(f"/api/v1/organizations/no-such-org{suffix}", headers=headers)
    assert other.status_code == unknown.status_code == 404
    assert other.json()["detail"] == unknown.json()["detail"]
    latest = _log(world, targets.app)[1]
    assert (latest.path, latest.status, latest.scope) == (
        f"/api/v1/organizations/{world.other_org.id}{suffix}",
        404,
        "organizations:read",
    )


def test_a_call_with_no_token_is_challenged_without_an_error_code(http: TestClient) -> None:
    response = http.get("/api/v1/operators/me")
    assert response.status_code == 401
    # RFC 6750 section 3.1: a request with no credentials gets the bare challenge.
    assert response.headers["www-authenticate"] == 'Bearer realm="blockcity"'
