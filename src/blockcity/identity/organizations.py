"""Organizations and their staff: employers, agencies, merchants and charities, the people who
work for them with a role (owner > manager > clerk), and the invitations that bring people in.

Every change is authorized here, inside the same transaction that makes it, through
``authz.Authorizer``: a page or endpoint cannot forget a check by calling the wrong function.
Memberships keep their history (``since``, ``until``): a role change ends one membership and
starts the next, so who could act for the organization at a given time stays answerable. An
organization always keeps at least one owner.
"""

from __future__ import annotations

import enum
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from blockcity.errors import Conflict, InvalidInput, NotFound
from blockcity.identity.accounts import Accounts
from blockcity.identity.authz import (
    GRANTABLE,
    RANK,
    Action,
    Actor,
    Authorizer,
    Resource,
    ResourceKind,
    forbidden,
    may_manage,
    not_found,
)
from blockcity.identity.db import IdentityDB
from blockcity.identity.model import Account, OrganizationKind, Role

INVITATION_LIFETIME: Final = timedelta(days=14)
NAME_MAX = 100

# 사업자등록번호 (National Tax Service): the tenth digit checks the first nine, weighted by
# these, plus the tens digit of the ninth digit times 5.
_BUSINESS_NUMBER_WEIGHTS: Final = (1, 3, 7, 1, 3, 7, 1, 3, 5)

SCHEMA = """
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    business_number TEXT,
    did TEXT UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts(id)
);
CREATE TABLE IF NOT EXISTS memberships (
    id INTEGER PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    granted_by TEXT REFERENCES accounts(id)
);
CREATE UNIQUE INDEX IF NOT EXISTS memberships_current
    ON memberships(organization_id, account_id) WHERE until IS NULL;
CREATE INDEX IF NOT EXISTS memberships_by_account ON memberships(account_id) WHERE until IS NULL;
CREATE TABLE IF NOT EXISTS invitations (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    state TEXT NOT NULL,
    answered_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS invitations_open
    ON invitations(organization_id, account_id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS invitations_by_account ON invitations(account_id, state);
"""


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    kind: OrganizationKind
    business_number: str | None
    """Ten digits, checksum valid; as claimed by its creator, not yet checked with the NTS."""
    did: str | None
    """The organization's did:web, once registered on the ledger."""
    created_at: datetime

    @property
    def business_number_display(self) -> str | None:
        """The number as printed on a 사업자등록증: 123-45-67890."""
        n = self.business_number
        return f"{n[:3]}-{n[3:5]}-{n[5:]}" if n else None


@dataclass(frozen=True, slots=True)
class StaffMember:
    account_id: str
    username: str
    display_name: str
    did: str
    role: Role
    since: datetime


@dataclass(frozen=True, slots=True)
class Invitation:
    id: str
    organization_id: str
    organization_name: str
    account_id: str
    username: str
    role: Role
    invited_by: str
    """The username of who sent it."""
    created_at: datetime
    expires_at: datetime
    state: InvitationState


def business_number(text: str) -> str:
    """A 사업자등록번호 as its ten digits, refusing typos the check digit catches."""
    digits = text.strip().replace("-", "").replace(" ", "")
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise InvalidInput(
            "a business registration number has 10 digits, like 123-45-67890",
            "사업자등록번호는 123-45-67890처럼 10자리 숫자입니다",
        )
    values = [int(d) for d in digits]
    total = sum(w * v for w, v in zip(_BUSINESS_NUMBER_WEIGHTS, values, strict=False))
    total += values[8] * 5 // 10
    if (10 - total % 10) % 10 != values[9]:
        raise InvalidInput(
            f"{text.strip()[:20]} is not a valid business registration number (its check digit "
            "does not match); copy it again from the registration certificate",
            f"{text.strip()[:20]}은(는) 올바른 사업자등록번호가 아닙니다 (검증 숫자가 맞지 "
            "않습니다). 사업자등록증에서 다시 확인하세요",
        )
    return digits


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not 1 <= len(name) <= NAME_MAX or not name.isprintable():
        raise InvalidInput(
            f"give the organization's name in 1 to {NAME_MAX} characters",
            f"기관 이름을 1~{NAME_MAX}자로 입력하세요",
        )
    return name


def _kind(value: str) -> OrganizationKind:
    try:
        return OrganizationKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in OrganizationKind)
        raise InvalidInput(
            f"the kind of organization must be one of {kinds}",
            f"기관 종류는 {kinds} 중 하나여야 합니다",
        ) from None


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(
            f"the role must be one of {roles}", f"역할은 {roles} 중 하나여야 합니다"
        ) from None


def _last_owner() -> Conflict:
    return Conflict(
        "an organization needs at least one owner: make someone else an owner first",
        "기관에는 소유자가 한 명 이상 있어야 합니다. 먼저 다른 사람을 소유자로 지정하세요",
    )


def _org_resource(organization_id: str) -> Resource:
    return Resource(ResourceKind.ORGANIZATION, organization_id=organization_id)


class Organizations:
    def __init__(self, db: IdentityDB, accounts: Accounts, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.accounts = accounts
        self.clock = clock
        self.authz = Authorizer(self.role_of)
        db.schema(SCHEMA)

    # Reading

    def find(self, organization_id: str) -> Organization | None:
        """The organization, with no authorization: for other identity modules only."""
        row = self.db.one("SELECT * FROM organizations WHERE id = ?", (organization_id,))
        return _organization(row) if row else None

    def get(
        self, actor: Actor, organization_id: str, action: Action = Action.ORG_VIEW
    ) -> Organization:
        """The organization if ``actor`` may do ``action`` on it (404 if not related)."""
        found = self.find(organization_id)
        if found is None:
            raise not_found(ResourceKind.ORGANIZATION)
        self.authz.require(actor, action, _org_resource(organization_id))
        return found

    def role_of(self, account_id: str, organization_id: str) -> Role | None:
        row = self.db.one(
            "SELECT role FROM memberships WHERE account_id = ? AND organization_id = ? "
            "AND until IS NULL",
            (account_id, organization_id),
        )
        return Role(row["role"]) if row else None

    def of(self, actor: Account) -> list[tuple[Organization, Role]]:
        """The organizations ``actor`` works for now, with their role in each."""
        rows = self.db.query(
            "SELECT o.*, m.role FROM memberships m JOIN organizations o "
            "ON o.id = m.organization_id WHERE m.account_id = ? AND m.until IS NULL "
            "ORDER BY o.name",
            (actor.id,),
        )
        return [(_organization(row), Role(row["role"])) for row in rows]

    def staff(self, actor: Actor, organization_id: str) -> list[StaffMember]:
        self.get(actor, organization_id)
        rows = self.db.query(
            "SELECT a.id, a.username, a.display_name, a.did, m.role, m.since "
            "FROM memberships m JOIN accounts a ON a.id = m.account_id "
            "WHERE m.organization_id = ? AND m.until IS NULL ORDER BY a.username",
            (organization_id,),
        )
        staff = [_staff(row) for row in rows]
        return sorted(staff, key=lambda s: -RANK[s.role])

    # Changing

    def create(
        self,
        actor: Account,
        name: str,
        kind: str,
        business_number_text: str | None = None,
    ) -> Organization:
        """A new organization with ``actor`` as its first owner."""
        organization_id = str(uuid.uuid4())
        clean_name = _name(name)
        clean_kind = _kind(kind)
        number = business_number(business_number_text) if business_number_text else None
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO organizations (id, name, kind, business_number, created_at, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (organization_id, clean_name, clean_kind.value, number, now.isoformat(), actor.id),
            )
            tx.execute(
                "INSERT INTO memberships (organization_id, account_id, role, since, granted_by) "
                "VALUES (?, ?, ?, ?, ?)",
                (organization_id, actor.id, Role.OWNER.value, now.isoformat(), actor.id),
            )
        return Organization(organization_id, clean_name, clean_kind, number, None, now)

    def set_did(self, organization_id: str, did: str) -> None:
        """Record the organization's did:web once the DID registry has registered it."""
        if not did.startswith("did:web:"):
            raise InvalidInput(
                "an organization's DID is a did:web", "기관의 DID는 did:web이어야 합니다"
            )
        with self.db.transaction() as tx:
            taken = tx.execute(
                "SELECT 1 FROM organizations WHERE did = ? AND id != ?", (did, organization_id)
            ).fetchone()
            if taken:
                raise Conflict(
                    f"{did} already belongs to another organization",
                    f"{did}는 이미 다른 기관의 DID입니다",
                )
            changed = tx.execute(
                "UPDATE organizations SET did = ? WHERE id = ?", (did, organization_id)
            ).rowcount
            if not changed:
                raise not_found(ResourceKind.ORGANIZATION)

    def invite(self, actor: Account, organization_id: str, username: str, role: str) -> Invitation:
        """Invite the account named ``username`` to join with ``role``; they accept on their
        own page. Managers may invite clerks; owners any role."""
        wanted = _role(role)
        invitee = self.accounts.by_username(username)
        now = self.clock()
        invitation_id = str(uuid.uuid4())
        with self.db.transaction() as tx:
            self.get(actor, organization_id, Action.STAFF_INVITE)
            actor_role = self.role_of(actor.id, organization_id)
            if actor_role is None or wanted not in GRANTABLE[actor_role]:
                raise forbidden(Action.STAFF_INVITE)
            if invitee is None:
                raise NotFound(
                    f"nobody has the username {username.strip()[:40]!r}; check it with them",
                    f"아이디 {username.strip()[:40]!r}인 사람이 없습니다. 본인에게 확인하세요",
                )
            if self.role_of(invitee.id, organization_id) is not None:
                raise Conflict(
                    f"{invitee.username} already works for this organization",
                    f"{invitee.username}님은 이미 이 기관의 직원입니다",
                )
            _expire(tx, now)
            if tx.execute(
                "SELECT 1 FROM invitations WHERE organization_id = ? AND account_id = ? "
                "AND state = 'pending'",
                (organization_id, invitee.id),
            ).fetchone():
                raise Conflict(
                    f"{invitee.username} already has an open invitation; cancel it first to "
                    "change the role",
                    f"{invitee.username}님에게 이미 보낸 초대가 있습니다. 역할을 바꾸려면 먼저 "
                    "초대를 취소하세요",
                )
            tx.execute(
                "INSERT INTO invitations (id, organization_id, account_id, role, invited_by, "
                "created_at, expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
                (
                    invitation_id,
                    organization_id,
                    invitee.id,
                    wanted.value,
                    actor.id,
                    now.isoformat(),
                    (now + INVITATION_LIFETIME).isoformat(),
                ),
            )
        return self._invitation(invitation_id)

    def open_invitations(self, actor: Account, organization_id: str) -> list[Invitation]:
        """The organization's invitations still waiting for an answer (for who may invite)."""
        self.get(actor, organization_id, Action.STAFF_INVITE)
        return self._invitations(
            "i.organization_id = ? AND i.state = 'pending' AND i.expires_at > ?",
            (organization_id, self.clock().isoformat()),
        )

    def invitations_for(self, actor: Account) -> list[Invitation]:
        """The invitations waiting for ``actor``'s answer."""
        return self._invitations(
            "i.account_id = ? AND i.state = 'pending' AND i.expires_at > ?",
            (actor.id, self.clock().isoformat()),
        )

    def accept(self, actor: Account, invitation_id: str) -> Organization:
        with self.db.transaction() as tx:
            invitation = self._answerable(actor, invitation_id)
            now = self.clock().isoformat()
            if self.role_of(actor.id, invitation.organization_id) is not None:
                raise Conflict(
                    "you already work for this organization", "이미 이 기관의 직원입니다"
                )
            (inviter,) = tx.execute(
                "SELECT invited_by FROM invitations WHERE id = ?", (invitation_id,)
            ).fetchone()
            inviter_role = self.role_of(inviter, invitation.organization_id)
            if inviter_role is None or invitation.role not in GRANTABLE[inviter_role]:
                # The invitation carries its sender's authority: once the sender has left or
                # lost the right to grant this role, accepting would grant what nobody may.
                raise _stale_invitation()
            tx.execute(
                "INSERT INTO memberships (organization_id, account_id, role, since, granted_by) "
                "SELECT organization_id, account_id, role, ?, invited_by FROM invitations "
                "WHERE id = ?",
                (now, invitation_id),
            )
            _answer(tx, invitation_id, InvitationState.ACCEPTED, now)
        return self.get(actor, invitation.organization_id)

    def decline(self, actor: Account, invitation_id: str) -> None:
        with self.db.transaction() as tx:
            self._answerable(actor, invitation_id)
            _answer(tx, invitation_id, InvitationState.DECLINED, self.clock().isoformat())

    def cancel(self, actor: Account, organization_id: str, invitation_id: str) -> None:
        with self.db.transaction() as tx:
            self.get(actor, organization_id, Action.STAFF_INVITE)
            invitation = self._find_invitation(invitation_id)
            if invitation is None or invitation.organization_id != organization_id:
                raise not_found(ResourceKind.INVITATION)
            _require_pending(invitation, self.clock())
            _answer(tx, invitation_id, InvitationState.CANCELLED, self.clock().isoformat())

    def change_role(self, actor: Account, organization_id: str, account_id: str, role: str) -> None:
        """Give a colleague another role, or lower one's own. A manager manages clerks; an
        owner manages everyone; the last owner stays an owner."""
        wanted = _role(role)
        with self.db.transaction() as tx:
            self.get(actor, organization_id)
            actor_role, current = self._roles(actor, organization_id, account_id)
            if wanted is current:
                return
            if account_id == actor.id:
                # Lowering oneself only takes power away, so every member may do it.
                if RANK[wanted] > RANK[current]:
                    raise forbidden(Action.STAFF_CHANGE_ROLE)
            else:
                self.authz.require(actor, Action.STAFF_CHANGE_ROLE, _org_resource(organization_id))
                if not may_manage(actor_role, current) or wanted not in GRANTABLE[actor_role]:
                    raise forbidden(Action.STAFF_CHANGE_ROLE)
            if current is Role.OWNER and _owners(tx, organization_id) == 1:
                raise _last_owner()
            now = self.clock().isoformat()
            _end_membership(tx, organization_id, account_id, now)
            tx.execute(
                "INSERT INTO memberships (organization_id, account_id, role, since, granted_by) "
                "VALUES (?, ?, ?, ?, ?)",
                (organization_id, account_id, wanted.value, now, actor.id),
            )

    def remove(self, actor: Account, organization_id: str, account_id: str) -> None:
        """End a colleague's membership, or leave (``account_id`` is the actor's own)."""
        with self.db.transaction() as tx:
            self.get(actor, organization_id)
            actor_role, current = self._roles(actor, organization_id, account_id)
            if account_id != actor.id:
                self.authz.require(actor, Action.STAFF_REMOVE, _org_resource(organization_id))
                if not may_manage(actor_role, current):
                    raise forbidden(Action.STAFF_REMOVE)
            if current is Role.OWNER and _owners(tx, organization_id) == 1:
                raise _last_owner()
            _end_membership(tx, organization_id, account_id, self.clock().isoformat())

    # Helpers

    def _roles(self, actor: Account, organization_id: str, account_id: str) -> tuple[Role, Role]:
        """The actor's role and the target's, or 404 if the target is not staff here."""
        actor_role = self.role_of(actor.id, organization_id)
        current = self.role_of(account_id, organization_id)
        if actor_role is None:
            raise not_found(ResourceKind.ORGANIZATION)
        if current is None:
            raise not_found(ResourceKind.STAFF_MEMBER)
        return actor_role, current

    def _answerable(self, actor: Account, invitation_id: str) -> Invitation:
        invitation = self._find_invitation(invitation_id)
        if invitation is None:
            raise not_found(ResourceKind.INVITATION)
        self.authz.require(
            actor,
            Action.INVITATION_ANSWER,
            Resource(
                ResourceKind.INVITATION,
                owner_id=invitation.account_id,
                organization_id=invitation.organization_id,
            ),
        )
        _require_pending(invitation, self.clock())
        return invitation

    def _find_invitation(self, invitation_id: str) -> Invitation | None:
        found = self._invitations("i.id = ?", (invitation_id,))
        return found[0] if found else None

    def _invitation(self, invitation_id: str) -> Invitation:
        found = self._find_invitation(invitation_id)
        if found is None:
            raise not_found(ResourceKind.INVITATION)
        return found

    def _invitations(self, where: str, args: tuple[object, ...]) -> list[Invitation]:
        rows = self.db.query(
            "SELECT i.*, o.name AS organization_name, a.username, b.username AS inviter "
            "FROM invitations i JOIN organizations o ON o.id = i.organization_id "
            "JOIN accounts a ON a.id = i.account_id JOIN accounts b ON b.id = i.invited_by "
            f"WHERE {where} ORDER BY i.created_at DESC",
            args,
        )
        return [_invitation(row) for row in rows]


def _require_pending(invitation: Invitation, now: datetime) -> None:
    if invitation.state is not InvitationState.PENDING or invitation.expires_at <= now:
        raise Conflict(
            "this invitation was already answered, cancelled or has expired; ask for a new one",
            "이미 응답했거나 취소되었거나 만료된 초대입니다. 새 초대를 요청하세요",
        )


def _expire(tx: sqlite3.Connection, now: datetime) -> None:
    tx.execute(
        "UPDATE invitations SET state = 'expired' WHERE state = 'pending' AND expires_at <= ?",
        (now.isoformat(),),
    )


def _answer(tx: sqlite3.Connection, invitation_id: str, state: InvitationState, at: str) -> None:
    tx.execute(
        "UPDATE invitations SET state = ?, answered_at = ? WHERE id = ?",
        (state.value, at, invitation_id),
    )


def _owners(tx: sqlite3.Connection, organization_id: str) -> int:
    (count,) = tx.execute(
        "SELECT count(*) FROM memberships WHERE organization_id = ? AND role = 'owner' "
        "AND until IS NULL",
        (organization_id,),
    ).fetchone()
    return int(count)


def _end_membership(tx: sqlite3.Connection, organization_id: str, account_id: str, at: str) -> None:
    """End a membership, and with it every invitation its holder sent that is still open."""
    tx.execute(
        "UPDATE memberships SET until = ? WHERE organization_id = ? AND account_id = ? "
        "AND until IS NULL",
        (at, organization_id, account_id),
    )
    tx.execute(
        "UPDATE invitations SET state = ? WHERE organization_id = ? AND invited_by = ? "
        "AND state = ?",
        (
            InvitationState.CANCELLED.value,
            organization_id,
            account_id,
            InvitationState.PENDING.value,
        ),
    )


def _stale_invitation() -> Conflict:
    return Conflict(
        "this invitation is no longer valid: whoever sent it can no longer grant that role. "
        "Ask the organization for a new invitation",
        "보낸 사람이 더 이상 그 역할을 줄 수 없어 이 초대는 무효입니다. 기관에 새 초대를 "
        "요청하세요",
    )


def _organization(row: sqlite3.Row) -> Organization:
    return Organization(
        id=row["id"],
        name=row["name"],
        kind=OrganizationKind(row["kind"]),
        business_number=row["business_number"],
        did=row["did"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def _staff(row: sqlite3.Row) -> StaffMember:
    return StaffMember(
        account_id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        did=row["did"],
        role=Role(row["role"]),
        since=datetime.fromisoformat(row["since"]),
    )


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation(
        id=row["id"],
        organization_id=row["organization_id"],
        organization_name=row["organization_name"],
        account_id=row["account_id"],
        username=row["username"],
        role=Role(row["role"]),
        invited_by=row["inviter"],
        created_at=datetime.fromisoformat(row["created_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
        state=InvitationState(row["state"]),
    )
