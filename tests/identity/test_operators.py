"""Operator apps as OAuth 2 clients: registration and the city's licence, secrets kept only as
digests, tokens limited to licensed scopes that expire and can be revoked, and the access log
with who may read it."""

from __future__ import annotations

import hmac
from hashlib import sha256

import pytest

from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.authz import Forbidden, OperatorActor
from blockcity.identity.operators import (
    SCOPES,
    TOKEN_LIFETIME,
    ClientStatus,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    InvalidToken,
    Operators,
    UnauthorizedClient,
    check_scopes,
)
from tests.identity.orgs_world import World


@pytest.fixture
def operators(world: World) -> Operators:
    return world.seoul_pass.operators


# Registration and licensing


def test_a_manager_registers_an_app_that_waits_for_the_city(
    world: World, operators: Operators
) -> None:
    client, secret = operators.register(
        world.manager,
        " Payroll  app ",
        ["ledger:write", "ledger:read", "ledger:read"],
        world.org.id,
    )
    assert client.name == "Payroll app"
    assert client.status is ClientStatus.PENDING
    assert client.scopes == ("ledger:read", "ledger:write")
    assert client.organization_id == world.org.id and client.registered_by == "manager"
    assert len(secret) >= 43
    assert operators.of_organization(world.owner, world.org.id) == [client]


def test_only_the_secrets_digest_is_stored(world: World, operators: Operators) -> None:
    client, secret = operators.register(world.owner, "App", ["ledger:read"], world.org.id)
    (row,) = world.seoul_pass.db.query(
        "SELECT * FROM operator_clients WHERE client_id = ?", (client.client_id,)
    )
    assert bytes(row["secret_digest"]) == sha256(secret.encode()).digest()
    assert secret not in [str(v) for v in tuple(row)]


@pytest.mark.parametrize(("who", "error"), [("clerk", Forbidden), ("stranger", NotFound)])
def test_registering_for_an_organization_takes_its_owner_or_manager(
    world: World, operators: Operators, who: str, error: type[Exception]
) -> None:
    before = world.snapshot()
    with pytest.raises(error):
        operators.register(getattr(world, who), "App", ["ledger:read"], world.org.id)
    assert world.snapshot() == before


def test_a_city_app_is_registered_by_an_administrator_and_active_at_once(
    world: World, operators: Operators
) -> None:
    client, _ = operators.register(world.admin, "City portal", ["ledger:write"])
    assert client.status is ClientStatus.ACTIVE and client.organization_id is None
    with pytest.raises(Forbidden):
        operators.register(world.owner, "Not the city", ["ledger:write"])


@pytest.mark.parametrize("scopes", [[], ["ledger:delete"], ["ledger:read", "admin"]])
def test_unknown_or_missing_scopes_are_refused(
    world: World, operators: Operators, scopes: list[str]
) -> None:
    with pytest.raises(InvalidInput):
        operators.register(world.owner, "App", scopes, world.org.id)


def test_the_scope_registry_names_each_service_first() -> None:
    assert "labor:check" in SCOPES
    for name, scope in SCOPES.items():
        assert scope.name == name and ":" in name and scope.en and scope.ko
    assert check_scopes(["ledger:write", "ledger:read"]) == ("ledger:read", "ledger:write")


def test_only_an_administrator_approves_and_only_once(world: World, operators: Operators) -> None:
    client, _ = operators.register(world.owner, "App", ["ledger:read"], world.org.id)
    before = world.snapshot()
    with pytest.raises(Forbidden):
        operators.approve(world.owner, client.client_id)
    with pytest.raises(NotFound):
        operators.approve(world.stranger, client.client_id)
    assert world.snapshot() == before
    assert operators.approve(world.admin, client.client_id).status is ClientStatus.ACTIVE
    with pytest.raises(Conflict):
        operators.approve(world.admin, client.client_id)


def test_the_organization_or_the_city_revokes_an_app_and_its_tokens_stop(
    world: World, operators: Operators
) -> None:
    for revoker in (world.manager, world.admin):
        client, secret = world.app(["ledger:read"])
        issued = operators.issue_token(
            operators.authenticate_client(client.client_id, secret), None
        )
        assert operators.revoke(revoker, client.client_id).status is ClientStatus.REVOKED
        with pytest.raises(InvalidToken):
            operators.authenticate_token(issued.access_token)
        with pytest.raises(Conflict):
            operators.revoke(revoker, client.client_id)


def test_an_app_revoked_through_another_organization_is_not_found(
    world: World, operators: Operators
) -> None:
    client, _ = world.app(["ledger:read"])
    mine = world.seoul_pass.organizations.create(world.manager, "Side business", "business")
    with pytest.raises(NotFound):
        operators.revoke(world.manager, client.client_id, mine.id)
    with pytest.raises(Forbidden):
        operators.revoke(world.clerk, client.client_id)
    with pytest.raises(NotFound):
        operators.revoke(world.stranger, client.client_id)
    assert operators.get(world.owner, client.client_id).status is ClientStatus.ACTIVE


# Client authentication and tokens


def test_a_wrong_secret_and_an_unknown_client_fail_alike_and_both_compare_digests(
    world: World, operators: Operators, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, secret = world.app(["ledger:read"])
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("blockcity.identity.operators.hmac.compare_digest", spy)
    assert operators.authenticate_client(client.client_id, secret).client_id == client.client_id
    with pytest.raises(InvalidClient) as wrong:
        operators.authenticate_client(client.client_id, secret[:-1] + "x")
    with pytest.raises(InvalidClient) as unknown:
        operators.authenticate_client("op-00000000000000000000", secret)
    assert len(compared) == 3
    assert str(wrong.value) == str(unknown.value)
    assert wrong.value.client_id == client.client_id and unknown.value.client_id is None


def test_a_token_grants_the_asked_scopes_within_the_licence(
    world: World, operators: Operators
) -> None:
    client, _ = world.app(["ledger:read", "ledger:write"])
    everything = operators.issue_token(client, None)
    assert everything.scopes == ("ledger:read", "ledger:write")
    assert everything.expires_in == int(TOKEN_LIFETIME.total_seconds())
    narrow = operators.issue_token(client, "ledger:read")
    grant = operators.authenticate_token(narrow.access_token)
    assert grant.scopes == {"ledger:read"} and grant.client_id == client.client_id
    assert grant.organization_id == world.org.id
    with pytest.raises(InvalidScope):
        operators.issue_token(client, "ledger:read organizations:read")
    with pytest.raises(InvalidScope):
        operators.issue_token(client, "ledger:everything")


def test_a_waiting_or_revoked_app_gets_no_token(world: World, operators: Operators) -> None:
    waiting, _ = operators.register(world.owner, "App", ["ledger:read"], world.org.id)
    with pytest.raises(UnauthorizedClient):
        operators.issue_token(waiting, None)
    active, _ = world.app(["ledger:read"])
    revoked = operators.revoke(world.admin, active.client_id)
    before = world.snapshot()
    with pytest.raises(UnauthorizedClient):
        operators.issue_token(revoked, None)
    assert world.snapshot() == before


def test_a_token_stops_working_when_it_expires(world: World, operators: Operators) -> None:
    client, _ = world.app(["ledger:read"])
    issued = operators.issue_token(client, None)
    world.clock.advance(seconds=TOKEN_LIFETIME.total_seconds() - 1)
    operators.authenticate_token(issued.access_token)
    world.clock.advance(seconds=1)
    with pytest.raises(InvalidToken) as expired:
        operators.authenticate_token(issued.access_token)
    assert expired.value.client_id == client.client_id


@pytest.mark.parametrize("token", ["", "x" * 500, "not-a-token-we-issued"])
def test_an_unknown_token_is_invalid_and_attributed_to_nobody(
    operators: Operators, token: str
) -> None:
    with pytest.raises(InvalidToken) as refused:
        operators.authenticate_token(token)
    assert refused.value.client_id is None


def test_an_app_revokes_its_own_token_but_not_another_apps(
    world: World, operators: Operators
) -> None:
    mine, _ = world.app(["ledger:read"])
    theirs, _ = world.app(["ledger:read"], world.other_org.id)
    my_token = operators.issue_token(mine, None).access_token
    their_token = operators.issue_token(theirs, None).access_token
    with pytest.raises(InvalidGrant):
        operators.revoke_token(mine, their_token)
    operators.authenticate_token(their_token)
    operators.revoke_token(mine, "never-issued")
    operators.revoke_token(mine, my_token)
    with pytest.raises(InvalidToken):
        operators.authenticate_token(my_token)


def test_tokens_expired_long_ago_are_cleared_when_a_new_one_is_issued(
    world: World, operators: Operators
) -> None:
    client, _ = world.app(["ledger:read"])
    old = operators.issue_token(client, None).access_token
    world.clock.advance(days=2)
    operators.issue_token(client, None)
    (count,) = world.seoul_pass.db.one(
        "SELECT count(*) FROM operator_tokens WHERE client_id = ?", (client.client_id,)
    )
    assert count == 1
    with pytest.raises(InvalidToken) as refused:
        operators.authenticate_token(old)
    assert refused.value.client_id is None


# The access log


def test_the_access_log_pages_newest_first(world: World, operators: Operators) -> None:
    client, _ = world.app(["ledger:read"])
    for i in range(5):
        world.clock.advance(seconds=1)
        operators.record_call(client.client_id, "GET", f"/api/v1/x/{i}", 200 + i, "ledger:read")
    first, cursor = operators.access_log(world.owner, client.client_id, limit=3)
    assert [r.path for r in first] == ["/api/v1/x/4", "/api/v1/x/3", "/api/v1/x/2"]
    assert first[0].organization_id == world.org.id and first[0].status == 204
    rest, end = operators.access_log(world.owner, client.client_id, cursor, limit=3)
    assert [r.path for r in rest] == ["/api/v1/x/1", "/api/v1/x/0"] and end is None
    with pytest.raises(InvalidInput):
        operators.access_log(world.owner, client.client_id, limit=0)


def test_the_access_log_is_read_by_the_app_its_managers_and_the_city_only(
    world: World, operators: Operators
) -> None:
    client, _ = world.app(["ledger:read"])
    other, _ = world.app(["ledger:read"], world.other_org.id)
    operators.record_call(client.client_id, "GET", "/api/v1/operators/me", 200, "")
    for reader in (world.owner, world.manager, world.admin, OperatorActor(client.client_id, None)):
        records, _ = operators.access_log(reader, client.client_id)
        assert len(records) == 1
    with pytest.raises(Forbidden):
        operators.access_log(world.clerk, client.client_id)
    with pytest.raises(NotFound):
        operators.access_log(world.stranger, client.client_id)
    with pytest.raises(NotFound):
        operators.access_log(OperatorActor(other.client_id, world.other_org.id), client.client_id)
