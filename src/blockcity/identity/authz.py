"""Relationship-based authorization: the one place that answers "may this account (or operator
app) do this action on this resource", from how they are related to it.

A person may act on their own records; staff may act on their organization's resources as far
as their role allows; a platform administrator may do the city's own administrative actions;
an operator app may act only inside the organization that registered it. Anything else is
hidden: an unknown resource and somebody else's resource answer the same 404, so an ID in a URL
never reveals whether it exists. A resource the actor is related to but may not act on answers
403. The role rules are data (``ROLE_RULES``, ``GRANTABLE``), not conditions spread through code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from blockcity.errors import BlockcityError, NotFound
from blockcity.identity.model import Account, AccountKind, Role


class Action(enum.StrEnum):
    ORG_VIEW = "org.view"
    """See an organization and who works there."""
    RECORDS_VIEW = "records.view"
    """See records: one's own, or one's organization's (contracts, certificates, points)."""
    STAFF_INVITE = "org.staff.invite"
    STAFF_REMOVE = "org.staff.remove"
    STAFF_CHANGE_ROLE = "org.staff.change-role"
    OPERATORS_MANAGE = "org.operators.manage"
    """Register the organization's operator apps, see them and revoke them."""
    ACCESS_LOG_VIEW = "operators.access-log.view"
    """Read the access log of an operator app."""
    OPERATORS_LICENSE = "admin.operators.license"
    """Approve or revoke any operator app: the city licenses operators."""
    INVITATION_ANSWER = "invitation.answer"
    """Accept or decline an invitation addressed to oneself."""


class Decision(enum.Enum):
    ALLOW = "allow"
    FORBID = "forbid"
    """The actor may see the resource but not do this: 403."""
    HIDE = "hide"
    """The actor has no relationship to the resource: answer as if it did not exist, 404."""


ROLE_RULES: Final[Mapping[Role, frozenset[Action]]] = MappingProxyType(
    {
        Role.CLERK: frozenset({Action.ORG_VIEW, Action.RECORDS_VIEW}),
        Role.MANAGER: frozenset(
            {
                Action.ORG_VIEW,
                Action.RECORDS_VIEW,
                Action.STAFF_INVITE,
                Action.STAFF_REMOVE,
                Action.STAFF_CHANGE_ROLE,
                Action.OPERATORS_MANAGE,
                Action.ACCESS_LOG_VIEW,
            }
        ),
        Role.OWNER: frozenset(
            {
                Action.ORG_VIEW,
                Action.RECORDS_VIEW,
                Action.STAFF_INVITE,
                Action.STAFF_REMOVE,
                Action.STAFF_CHANGE_ROLE,
                Action.OPERATORS_MANAGE,
                Action.ACCESS_LOG_VIEW,
            }
        ),
    }
)
"""What staff may do on their own organization's resources, by role."""

RANK: Final[Mapping[Role, int]] = MappingProxyType({Role.CLERK: 1, Role.MANAGER: 2, Role.OWNER: 3})

GRANTABLE: Final[Mapping[Role, frozenset[Role]]] = MappingProxyType(
    {
        Role.OWNER: frozenset(Role),
        Role.MANAGER: frozenset({Role.CLERK}),
        Role.CLERK: frozenset(),
    }
)
"""Which roles each role may give (by invitation or change): a manager cannot make a peer, so
nobody can raise anyone, themselves included, to their own rank or above except an owner."""

SELF_RULES: Final = frozenset({Action.RECORDS_VIEW, Action.INVITATION_ANSWER})
"""What anyone may do on what is their own."""

ADMIN_RULES: Final = frozenset({Action.OPERATORS_LICENSE, Action.ACCESS_LOG_VIEW})
"""What a platform administrator may do anywhere; staff matters stay with the organization."""

OPERATOR_RULES: Final = frozenset({Action.ORG_VIEW, Action.RECORDS_VIEW})
"""What an operator app may do inside its own organization, once its scope allows the service."""


class ResourceKind(enum.StrEnum):
    ORGANIZATION = "organization"
    STAFF_MEMBER = "staff-member"
    INVITATION = "invitation"
    OPERATOR_APP = "operator-app"
    RECORD = "record"
    PLATFORM = "platform"


_NAMES: Final[Mapping[ResourceKind, tuple[str, str]]] = MappingProxyType(
    {
        ResourceKind.ORGANIZATION: ("organization", "기관이"),
        ResourceKind.STAFF_MEMBER: ("staff member", "직원이"),
        ResourceKind.INVITATION: ("invitation", "초대가"),
        ResourceKind.OPERATOR_APP: ("operator app", "운영 앱이"),
        ResourceKind.RECORD: ("record", "기록이"),
        ResourceKind.PLATFORM: ("page", "페이지가"),
    }
)


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is on, described by its relationships."""

    kind: ResourceKind
    owner_id: str | None = None
    """The account whose own record this is, if it is a person's."""
    organization_id: str | None = None
    """The organization the resource belongs to, if any."""

    @classmethod
    def platform(cls) -> Resource:
        """The city's administration itself: everybody knows it exists; admins act on it."""
        return cls(ResourceKind.PLATFORM)


@dataclass(frozen=True, slots=True)
class OperatorActor:
    """A licensed operator app calling the API with a token."""

    client_id: str
    organization_id: str | None


Actor = Account | OperatorActor


class Forbidden(BlockcityError):
    code = "forbidden"
    status = 403
    title_ko = "권한이 없습니다"
    title_en = "Not allowed"


def decide(actor: Actor, action: Action, resource: Resource, role: Role | None) -> Decision:
    """The rule itself, pure: ``role`` is the actor's current role in the resource's
    organization (None if not staff there)."""
    if isinstance(actor, OperatorActor):
        ours = resource.organization_id is not None and (
            resource.organization_id == actor.organization_id
        )
        if not ours:
            return Decision.HIDE
        return Decision.ALLOW if action in OPERATOR_RULES else Decision.FORBID
    own = resource.owner_id is not None and resource.owner_id == actor.id
    admin = actor.kind is AccountKind.ADMIN
    if (
        (own and action in SELF_RULES)
        or (role is not None and action in ROLE_RULES[role])
        or (admin and action in ADMIN_RULES)
    ):
        return Decision.ALLOW
    if own or role is not None or resource.kind is ResourceKind.PLATFORM:
        return Decision.FORBID
    return Decision.HIDE


def may_manage(actor_role: Role, target_role: Role) -> bool:
    """Whether staff of ``actor_role`` may change or remove a colleague of ``target_role``:
    only someone ranked above them, or an owner (owners answer for each other)."""
    return actor_role is Role.OWNER or RANK[actor_role] > RANK[target_role]


def not_found(kind: ResourceKind) -> NotFound:
    """The one answer for both "does not exist" and "not yours"."""
    en, ko = _NAMES[kind]
    return NotFound(
        f"there is no such {en}, or it is not yours to see", f"그런 {ko} 없거나 볼 수 없습니다"
    )


def forbidden(action: Action) -> Forbidden:
    return Forbidden(
        f"your role does not allow this ({action.value}); ask an owner or manager of the "
        "organization, or a city administrator",
        f"이 작업({action.value})을 할 권한이 없습니다. 기관의 소유자나 관리자, 또는 시 관리자에게 "
        "요청하세요",
        action=action.value,
    )


class Authorizer:
    """``decide`` with the actor's role looked up, raising the matching error."""

    def __init__(self, role_of: Callable[[str, str], Role | None]) -> None:
        self._role_of = role_of

    def decide(self, actor: Actor, action: Action, resource: Resource) -> Decision:
        role = None
        if isinstance(actor, Account) and resource.organization_id is not None:
            role = self._role_of(actor.id, resource.organization_id)
        return decide(actor, action, resource, role)

    def require(self, actor: Actor, action: Action, resource: Resource) -> None:
        decision = self.decide(actor, action, resource)
        if decision is Decision.HIDE:
            raise not_found(resource.kind)
        if decision is Decision.FORBID:
            raise forbidden(action)
