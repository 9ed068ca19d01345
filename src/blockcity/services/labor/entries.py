"""The ledger entry types of the labour contract service: a concluded contract version and a
declined one. They hold digests, DIDs and a salted commitment only: no names, wages, addresses
or accounts (DESIGN.md §6); the documents and signature records stay in the service's store.

Who signs: the employer organization alone, with the did:web key the platform holds for it
(``Credentials.issuer_signer``). The two people's Seoul Pass signatures are bound into the body
by the digests of their records, so the entry shows that employer and worker both signed the
document it names; a city co-signature would add no check a verifier could make, because the
city already vouches for the employer's key by registering its did:web on the ledger.
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from blockcity.ledger.entries import EntryType, EntryTypes

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_HEX_DIGEST = r"^[0-9a-f]{64}$"
_COMMITMENT = r"^[A-Za-z0-9_-]{43}$"
_DID_WEB = r"^did:web:[A-Za-z0-9._:%-]+$"
_DID_KEY = r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$"


class VersionKind(enum.StrEnum):
    """What a contract version is: the first contract, a change to it, or its ending."""

    CONTRACT = "contract"
    AMENDMENT = "amendment"
    TERMINATION = "termination"


class DeclineReason(enum.StrEnum):
    """Why a worker declined to sign: a closed list, so no free text (and no personal data)
    ever reaches the ledger."""

    TERMS = "terms"
    """The worker does not agree to the terms as written."""
    WRONG_DETAILS = "wrong_details"
    """Something in the contract is wrong (dates, place, duties)."""
    NOT_MINE = "not_mine"
    """The worker never agreed to work for this employer."""
    OTHER_JOB = "other_job"
    """The worker took another job."""
    OTHER = "other"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ContractConcluded(_Strict):
    """Version ``version`` of contract ``contract_id`` was signed by both parties."""

    contract_id: str = Field(pattern=_UUID)
    version: int = Field(ge=1)
    kind: Literal["contract", "amendment", "termination"]
    """A ``VersionKind`` value."""
    document_digest: str = Field(pattern=_HEX_DIGEST)
    """SHA-256 of the contract document's canonical JSON (``documents.contract_digest``)."""
    previous_digest: str | None = Field(default=None, pattern=_HEX_DIGEST)
    """The document digest of the version this one replaces; None for version 1."""
    employer: str = Field(pattern=_DID_WEB, max_length=200)
    worker: str = Field(pattern=_DID_KEY, max_length=200)
    employer_signature: str = Field(pattern=_HEX_DIGEST)
    """SHA-256 of the employer signatory's Seoul Pass signature record (canonical JSON)."""
    worker_signature: str = Field(pattern=_HEX_DIGEST)
    """SHA-256 of the worker's Seoul Pass signature record (canonical JSON)."""
    personal_commitment: str = Field(pattern=_COMMITMENT)
    """Salted commitment to the worker's personal details; the salt stays in the vault."""


class ContractDeclined(_Strict):
    """The worker declined version ``version`` of contract ``contract_id``."""

    contract_id: str = Field(pattern=_UUID)
    version: int = Field(ge=1)
    document_digest: str = Field(pattern=_HEX_DIGEST)
    employer: str = Field(pattern=_DID_WEB, max_length=200)
    worker: str = Field(pattern=_DID_KEY, max_length=200)
    reason: Literal["terms", "wrong_details", "not_mine", "other_job", "other"]
    """A ``DeclineReason`` value."""


CONTRACT_CONCLUDED = EntryType(
    name="labor.contract.concluded",
    version=1,
    body=ContractConcluded,
    description="Both parties signed a labour contract version (a termination is one too).",
    required_signers=lambda body: [body.employer],
)

CONTRACT_DECLINED = EntryType(
    name="labor.contract.declined",
    version=1,
    body=ContractDeclined,
    description="A worker declined to sign a labour contract version.",
    required_signers=lambda body: [body.employer],
)


def register(types: EntryTypes) -> None:
    types.register(CONTRACT_CONCLUDED)
    types.register(CONTRACT_DECLINED)
