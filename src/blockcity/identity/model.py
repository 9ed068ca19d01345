"""Who is who in Seoul Pass: accounts of people, organizations and their staff roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class AccountKind(enum.StrEnum):
    CITIZEN = "citizen"
    """A person: worker, job seeker, voter, donor, mileage holder."""
    ADMIN = "admin"
    """A platform administrator of the city."""
    OFFICER = "officer"
    """A registration officer who confirms people's real identity."""


class Role(enum.StrEnum):
    """A person's role in an organization; each includes the powers of those below it."""

    OWNER = "owner"
    MANAGER = "manager"
    CLERK = "clerk"


class OrganizationKind(enum.StrEnum):
    PUBLIC_EMPLOYER = "public-employer"
    BUSINESS = "business"
    AGENCY = "agency"
    MERCHANT = "merchant"
    CHARITY = "charity"


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    username: str
    display_name: str
    kind: AccountKind
    did: str
    """The person's did:key; its key is held in custody, sealed under the master key."""
    created_at: datetime
    proofed_at: datetime | None
    """When a registration officer confirmed the person's real identity, if ever."""

    @property
    def kid(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"
