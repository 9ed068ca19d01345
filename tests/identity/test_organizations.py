"""Organizations, staff roles and invitations, and the relationship rules behind them: who may
invite, change roles and remove whom, that the last owner stays, and that anyone unrelated is
told nothing (404) while staff without the right are told no (403)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.admins import create_first_admin
from blockcity.identity.authz import (
    Action,
    Decision,
    Forbidden,
    OperatorActor,
    Resource,
    ResourceKind,
    decide,
)
from blockcity.identity.model import Role
from blockcity.identity.organizations import (
    INVITATION_LIFETIME,
    Organizations,
    business_number,
)
from tests.identity.orgs_world import PASSWORD, World


@pytest.fixture
def orgs(world: World) -> Organizations:
    return world.seoul_pass.organizations


def _roles(orgs: Organizations, world: World) -> dict[str, Role]:
    return {m.username: m.role for m in orgs.staff(world.owner, world.org.id)}


# Business registration numbers


@pytest.mark.parametrize("text", ["124-81-00998", "1248100998", " 220-81-62517 "])
def test_a_real_business_registration_number_is_accepted_as_ten_digits(text: str) -> None:
    assert business_number(text) == text.strip().replace("-", "")


@pytest.mark.parametrize("text", ["124-81-00997", "124-81-0099", "12481009980", "12a-81-00998", ""])
def test_a_mistyped_business_registration_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        business_number(text)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_any_nine_digits(prefix: str) -> None:
    valid = []
    for digit in "0123456789":
        try:
            business_number(prefix + digit)
            valid.append(digit)
        except InvalidInput:
            pass
    assert len(valid) == 1


# Creating and reading


def test_the_creator_becomes_the_only_owner(world: World, orgs: Organizations) -> None:
    created = orgs.create(world.clerk, "  서울  청년   일자리  ", "public-employer")
    assert created.name == "서울 청년 일자리"
    assert created.business_number is None and created.did is None
    assert [(m.username, m.role) for m in orgs.staff(world.clerk, created.id)] == [
        ("clerk", Role.OWNER)
    ]
    assert (created, Role.OWNER) in orgs.of(world.clerk)


@pytest.mark.parametrize(
    ("name", "kind", "number"),
    [("", "business", None), ("x" * 101, "business", None), ("Shop", "bank", None)],
)
def test_an_organization_with_a_bad_name_or_kind_is_refused_and_nothing_is_stored(
    world: World, orgs: Organizations, name: str, kind: str, number: str | None
) -> None:
    before = world.snapshot()
    with pytest.raises(InvalidInput):
        orgs.create(world.clerk, name, kind, number)
    assert world.snapshot() == before


def test_staff_see_their_organization_and_a_stranger_is_told_it_does_not_exist(
    world: World, orgs: Organizations
) -> None:
    for member in (world.owner, world.manager, world.clerk):
        assert orgs.get(member, world.org.id) == world.org
    with pytest.raises(NotFound) as unrelated:
        orgs.get(world.stranger, world.org.id)
    with pytest.raises(NotFound) as unknown:
        orgs.get(world.stranger, "00000000-0000-0000-0000-000000000000")
    assert unrelated.value.message_en == unknown.value.message_en
    with pytest.raises(NotFound):
        orgs.staff(world.stranger, world.org.id)


def test_an_administrator_has_no_say_over_an_organizations_staff(
    world: World, orgs: Organizations
) -> None:
    with pytest.raises(NotFound):
        orgs.staff(world.admin, world.org.id)
    with pytest.raises(NotFound):
        orgs.invite(world.admin, world.org.id, "stranger", "clerk")


def test_staff_are_listed_by_rank(world: World, orgs: Organizations) -> None:
    assert [m.username for m in orgs.staff(world.clerk, world.org.id)] == [
        "owner",
        "manager",
        "clerk",
    ]


# Invitations


def test_an_invitee_accepts_on_their_own_and_joins_with_the_offered_role(
    world: World, orgs: Organizations
) -> None:
    invitation = orgs.invite(world.manager, world.org.id, "Stranger", "clerk")
    assert invitation.username == "stranger" and invitation.invited_by == "manager"
    assert orgs.invitations_for(world.stranger) == [invitation]
    assert orgs.open_invitations(world.owner, world.org.id) == [invitation]
    joined = orgs.accept(world.stranger, invitation.id)
    assert joined.id == world.org.id
    assert _roles(orgs, world)["stranger"] is Role.CLERK
    assert orgs.invitations_for(world.stranger) == []


def test_a_declined_or_cancelled_invitation_cannot_be_accepted(
    world: World, orgs: Organizations
) -> None:
    declined = orgs.invite(world.owner, world.org.id, "stranger", "clerk")
    orgs.decline(world.stranger, declined.id)
    with pytest.raises(Conflict):
        orgs.accept(world.stranger, declined.id)
    cancelled = orgs.invite(world.owner, world.org.id, "stranger", "clerk")
    orgs.cancel(world.manager, world.org.id, cancelled.id)
    with pytest.raises(Conflict):
        orgs.accept(world.stranger, cancelled.id)
    assert "stranger" not in _roles(orgs, world)


def test_an_expired_invitation_cannot_be_accepted_and_a_new_one_can_be_sent(
    world: World, orgs: Organizations
) -> None:
    invitation = orgs.invite(world.owner, world.org.id, "stranger", "manager")
    world.clock.advance(seconds=INVITATION_LIFETIME.total_seconds())
    assert orgs.invitations_for(world.stranger) == []
    with pytest.raises(Conflict):
        orgs.accept(world.stranger, invitation.id)
    again = orgs.invite(world.owner, world.org.id, "stranger", "manager")
    orgs.accept(world.stranger, again.id)
    assert _roles(orgs, world)["stranger"] is Role.MANAGER


def test_only_the_invitee_can_answer_an_invitation(world: World, orgs: Organizations) -> None:
    invitation = orgs.invite(world.owner, world.org.id, "stranger", "clerk")
    intruder = world.seoul_pass.accounts.create("intruder", PASSWORD, "침입자")
    before = world.snapshot()
    with pytest.raises(NotFound):
        orgs.accept(intruder, invitation.id)
    with pytest.raises(NotFound):
        orgs.decline(intruder, invitation.id)
    # Staff can see the invitation on their page, but it is not theirs to answer.
    with pytest.raises(Forbidden):
        orgs.accept(world.clerk, invitation.id)
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("inviter", "role", "error"),
    [
        ("clerk", "clerk", Forbidden),
        ("manager", "manager", Forbidden),
        ("manager", "owner", Forbidden),
        ("stranger", "clerk", NotFound),
    ],
)
def test_inviting_beyond_ones_role_is_refused_and_nothing_is_stored(
    world: World, orgs: Organizations, inviter: str, role: str, error: type[Exception]
) -> None:
    newcomer = world.seoul_pass.accounts.create("newcomer", PASSWORD, "신입")
    before = world.snapshot()
    with pytest.raises(error):
        orgs.invite(getattr(world, inviter), world.org.id, newcomer.username, role)
    assert world.snapshot() == before


def test_an_owner_may_invite_another_owner(world: World, orgs: Organizations) -> None:
    invitation = orgs.invite(world.owner, world.org.id, "stranger", "owner")
    orgs.accept(world.stranger, invitation.id)
    assert _roles(orgs, world)["stranger"] is Role.OWNER


def test_inviting_staff_twice_or_an_unknown_username_is_refused(
    world: World, orgs: Organizations
) -> None:
    with pytest.raises(Conflict):
        orgs.invite(world.owner, world.org.id, "clerk", "clerk")
    orgs.invite(world.owner, world.org.id, "stranger", "clerk")
    with pytest.raises(Conflict):
        orgs.invite(world.owner, world.org.id, "stranger", "manager")
    with pytest.raises(NotFound):
        orgs.invite(world.owner, world.org.id, "nobody-here", "clerk")
    with pytest.raises(InvalidInput):
        orgs.invite(world.owner, world.org.id, "stranger", "boss")


def test_an_invitation_cancelled_through_another_organization_is_not_found(
    world: World, orgs: Organizations
) -> None:
    invitation = orgs.invite(world.owner, world.org.id, "stranger", "clerk")
    mine = orgs.create(world.manager, "Side business", "business")
    with pytest.raises(NotFound):
        orgs.cancel(world.manager, mine.id, invitation.id)
    assert orgs.invitations_for(world.stranger) == [invitation]


# Roles


def test_an_owner_promotes_a_clerk_and_the_history_is_kept(
    world: World, orgs: Organizations
) -> None:
    world.clock.advance(days=1)
    orgs.change_role(world.owner, world.org.id, world.clerk.id, "manager")
    assert _roles(orgs, world)["clerk"] is Role.MANAGER
    history = world.seoul_pass.db.query(
        "SELECT role, until FROM memberships WHERE account_id = ? ORDER BY id", (world.clerk.id,)
    )
    assert [(row["role"], row["until"] is None) for row in history] == [
        ("clerk", False),
        ("manager", True),
    ]


@pytest.mark.parametrize(
    ("actor", "target", "role"),
    [
        ("clerk", "manager", "clerk"),
        ("clerk", "clerk", "manager"),
        ("manager", "owner", "clerk"),
        ("manager", "clerk", "manager"),
        ("manager", "manager", "owner"),
    ],
)
def test_changing_a_role_beyond_ones_own_is_forbidden_and_nothing_changes(
    world: World, orgs: Organizations, actor: str, target: str, role: str
) -> None:
    before = world.snapshot()
    with pytest.raises(Forbidden):
        orgs.change_role(getattr(world, actor), world.org.id, getattr(world, target).id, role)
    assert world.snapshot() == before


def test_anyone_may_step_down_but_not_up(world: World, orgs: Organizations) -> None:
    orgs.change_role(world.manager, world.org.id, world.manager.id, "clerk")
    assert _roles(orgs, world)["manager"] is Role.CLERK
    with pytest.raises(Forbidden):
        orgs.change_role(world.manager, world.org.id, world.manager.id, "manager")


def test_the_last_owner_can_neither_step_down_nor_leave(world: World, orgs: Organizations) -> None:
    before = world.snapshot()
    with pytest.raises(Conflict):
        orgs.change_role(world.owner, world.org.id, world.owner.id, "manager")
    with pytest.raises(Conflict):
        orgs.remove(world.owner, world.org.id, world.owner.id)
    assert world.snapshot() == before


def test_with_a_second_owner_the_first_may_step_down(world: World, orgs: Organizations) -> None:
    orgs.change_role(world.owner, world.org.id, world.manager.id, "owner")
    orgs.change_role(world.owner, world.org.id, world.owner.id, "manager")
    assert _roles(orgs, world) == {
        "manager": Role.OWNER,
        "owner": Role.MANAGER,
        "clerk": Role.CLERK,
    }


def test_a_staff_member_of_another_organization_is_not_found(
    world: World, orgs: Organizations
) -> None:
    before = world.snapshot()
    with pytest.raises(NotFound):
        orgs.change_role(world.owner, world.org.id, world.stranger.id, "clerk")
    with pytest.raises(NotFound):
        orgs.remove(world.owner, world.org.id, world.stranger.id)
    with pytest.raises(NotFound):
        orgs.remove(world.owner, world.other_org.id, world.stranger.id)
    assert world.snapshot() == before


# Removing and leaving


def test_a_manager_removes_a_clerk_who_then_loses_access(world: World, orgs: Organizations) -> None:
    orgs.remove(world.manager, world.org.id, world.clerk.id)
    assert "clerk" not in _roles(orgs, world)
    with pytest.raises(NotFound):
        orgs.get(world.clerk, world.org.id)


@pytest.mark.parametrize(("actor", "target"), [("manager", "owner"), ("clerk", "manager")])
def test_removing_someone_ranked_at_or_above_is_forbidden(
    world: World, orgs: Organizations, actor: str, target: str
) -> None:
    before = world.snapshot()
    with pytest.raises(Forbidden):
        orgs.remove(getattr(world, actor), world.org.id, getattr(world, target).id)
    assert world.snapshot() == before


def test_a_clerk_may_leave(world: World, orgs: Organizations) -> None:
    orgs.remove(world.clerk, world.org.id, world.clerk.id)
    assert orgs.of(world.clerk) == []


def test_the_did_registry_records_an_organizations_did_web_once(
    world: World, orgs: Organizations
) -> None:
    orgs.set_did(world.org.id, "did:web:bakery.example")
    assert orgs.get(world.owner, world.org.id).did == "did:web:bakery.example"
    with pytest.raises(Conflict):
        orgs.set_did(world.other_org.id, "did:web:bakery.example")
    with pytest.raises(InvalidInput):
        orgs.set_did(world.org.id, "did:key:z6Mk")


# The rules themselves


def test_a_worker_sees_their_own_records_and_their_employers_staff_see_them_too(
    world: World,
) -> None:
    authz = world.seoul_pass.authz
    record = Resource(ResourceKind.RECORD, owner_id=world.stranger.id, organization_id=world.org.id)
    assert authz.decide(world.stranger, Action.RECORDS_VIEW, record) is Decision.ALLOW
    assert authz.decide(world.clerk, Action.RECORDS_VIEW, record) is Decision.ALLOW
    another_worker = world.seoul_pass.accounts.create("worker2", PASSWORD, "노동자")
    assert authz.decide(another_worker, Action.RECORDS_VIEW, record) is Decision.HIDE
    # A clerk of another organization is as unrelated as anyone.
    elsewhere = Resource(ResourceKind.RECORD, organization_id=world.other_org.id)
    assert authz.decide(world.clerk, Action.RECORDS_VIEW, elsewhere) is Decision.HIDE


def test_an_operator_app_acts_only_inside_its_own_organization() -> None:
    app = OperatorActor("op-1", "org-a")
    ours = Resource(ResourceKind.ORGANIZATION, organization_id="org-a")
    theirs = Resource(ResourceKind.ORGANIZATION, organization_id="org-b")
    assert decide(app, Action.ORG_VIEW, ours, None) is Decision.ALLOW
    assert decide(app, Action.STAFF_INVITE, ours, None) is Decision.FORBID
    assert decide(app, Action.ORG_VIEW, theirs, None) is Decision.HIDE
    city_app = OperatorActor("op-2", None)
    assert decide(city_app, Action.ORG_VIEW, theirs, None) is Decision.HIDE


def test_the_administration_is_visible_to_all_but_only_admins_act_on_it(world: World) -> None:
    authz = world.seoul_pass.authz
    platform = Resource.platform()
    assert authz.decide(world.admin, Action.OPERATORS_LICENSE, platform) is Decision.ALLOW
    assert authz.decide(world.owner, Action.OPERATORS_LICENSE, platform) is Decision.FORBID


def test_only_one_first_administrator_can_be_created(world: World) -> None:
    with pytest.raises(Conflict):
        create_first_admin(world.seoul_pass.accounts, "second", PASSWORD, "두 번째")
    assert world.seoul_pass.accounts.by_username("second") is None
