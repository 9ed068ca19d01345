"""An invitation carries its sender's authority and loses it with them: a removed or demoted
member's open invitations cannot be accepted (found by the security review: a removed co-owner
could otherwise re-enter as owner through an alternate account)."""

from __future__ import annotations

from pathlib import Path

import pytest

from blockcity.crypto.sealing import MasterKey
from blockcity.errors import BlockcityError, Conflict
from blockcity.identity.model import Account, Role
from blockcity.identity.passwords import HashingCost, Passwords
from blockcity.identity.seoulpass import SeoulPass

PASSWORD = "a long pass phrase"


@pytest.fixture
def seoul_pass(tmp_path: Path) -> SeoulPass:
    return SeoulPass(tmp_path, MasterKey(bytes(32)), passwords=Passwords(HashingCost(1, 1024, 1)))


def person(seoul_pass: SeoulPass, username: str) -> Account:
    return seoul_pass.accounts.create(username, PASSWORD, username.title())


def test_a_removed_owners_invitation_cannot_bring_them_back(seoul_pass: SeoulPass) -> None:
    orgs = seoul_pass.organizations
    carol, alice, alt = (person(seoul_pass, n) for n in ("carol", "alice", "alice-alt"))
    org = orgs.create(carol, "Acme", "business")
    orgs.accept(alice, orgs.invite(carol, org.id, "alice", "owner").id)
    pending = orgs.invite(alice, org.id, "alice-alt", "owner")
    orgs.remove(carol, org.id, alice.id)
    with pytest.raises(BlockcityError) as refused:
        orgs.accept(alt, pending.id)
    assert getattr(refused.value, "status", None) in (404, 409)
    assert orgs.role_of(alt.id, org.id) is None
    assert orgs.role_of(carol.id, org.id) is Role.OWNER


def test_a_demoted_managers_invitation_cannot_be_accepted(seoul_pass: SeoulPass) -> None:
    orgs = seoul_pass.organizations
    owner, manager, invitee = (person(seoul_pass, n) for n in ("owner", "manager", "invitee"))
    org = orgs.create(owner, "Cafe", "business")
    orgs.accept(manager, orgs.invite(owner, org.id, "manager", "manager").id)
    pending = orgs.invite(manager, org.id, "invitee", "clerk")
    orgs.change_role(owner, org.id, manager.id, "clerk")
    with pytest.raises(BlockcityError) as refused:
        orgs.accept(invitee, pending.id)
    assert getattr(refused.value, "status", None) in (404, 409)
    assert orgs.role_of(invitee.id, org.id) is None


def test_an_invitation_from_a_member_still_in_office_is_accepted(seoul_pass: SeoulPass) -> None:
    orgs = seoul_pass.organizations
    owner, invitee = person(seoul_pass, "owner"), person(seoul_pass, "invitee")
    org = orgs.create(owner, "Cafe", "business")
    orgs.accept(invitee, orgs.invite(owner, org.id, "invitee", "clerk").id)
    assert orgs.role_of(invitee.id, org.id) is Role.CLERK


def test_the_stale_invitation_check_holds_even_if_an_invitation_stayed_open(
    seoul_pass: SeoulPass,
) -> None:
    """Defence in depth: an invitation left pending (say, by an older version) is refused."""
    orgs = seoul_pass.organizations
    carol, alice, alt = (person(seoul_pass, n) for n in ("carol", "alice", "alice-alt"))
    org = orgs.create(carol, "Acme", "business")
    orgs.accept(alice, orgs.invite(carol, org.id, "alice", "owner").id)
    pending = orgs.invite(alice, org.id, "alice-alt", "owner")
    orgs.remove(carol, org.id, alice.id)
    with seoul_pass.db.transaction() as tx:
        tx.execute("UPDATE invitations SET state = 'pending' WHERE id = ?", (pending.id,))
    with pytest.raises(Conflict, match="no longer valid"):
        orgs.accept(alt, pending.id)
