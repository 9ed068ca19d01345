"""The ledger entry types of wage statements: issued, acknowledged by the worker, objected to,
and the objection answered. Digests and DIDs only: no amounts, no names, no objection text
(DESIGN.md §6). Each is signed by the employer organization's platform-held key; the worker's
Seoul Pass signature is bound in by the digest of its record, as labour contracts do.
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from blockcity.ledger.entries import EntryType, EntryTypes

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_HEX = r"^[0-9a-f]{64}$"
_DID_WEB = r"^did:web:[A-Za-z0-9._:%-]+$"
_DID_KEY = r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$"


class ObjectionCategory(enum.StrEnum):
    """Why a worker objects: a closed list, so the ledger entry carries no free text."""

    HOURS = "hours"
    """The hours counted are wrong (attendance)."""
    WAGE_RATE = "wage_rate"
    """The wage or a premium rate is wrong."""
    MISSING_ITEM = "missing_item"
    """An allowance or premium is missing."""
    DEDUCTION = "deduction"
    """A deduction is wrong."""
    OTHER = "other"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StatementIssued(_Strict):
    statement_id: str = Field(pattern=_UUID)
    contract_id: str = Field(pattern=_UUID)
    statement_digest: str = Field(pattern=_HEX)
    """SHA-256 of the statement document's canonical JSON."""
    employer: str = Field(pattern=_DID_WEB, max_length=200)
    worker: str = Field(pattern=_DID_KEY, max_length=200)


class StatementAcknowledged(_Strict):
    statement_id: str = Field(pattern=_UUID)
    statement_digest: str = Field(pattern=_HEX)
    employer: str = Field(pattern=_DID_WEB, max_length=200)
    worker: str = Field(pattern=_DID_KEY, max_length=200)
    worker_signature: str = Field(pattern=_HEX)
    """SHA-256 of the worker's Seoul Pass signature record over the statement digest."""


class StatementObjected(_Strict):
    statement_id: str = Field(pattern=_UUID)
    objection_id: str = Field(pattern=_UUID)
    statement_digest: str = Field(pattern=_HEX)
    employer: str = Field(pattern=_DID_WEB, max_length=200)
    worker: str = Field(pattern=_DID_KEY, max_length=200)
    category: Literal["hours", "wage_rate", "missing_item", "deduction", "other"]
    objection_digest: str = Field(pattern=_HEX)
    """SHA-256 of the objection's text, kept off the ledger."""


class ObjectionAnswered(_Strict):
    statement_id: str = Field(pattern=_UUID)
    objection_id: str = Field(pattern=_UUID)
    employer: str = Field(pattern=_DID_WEB, max_length=200)
    answer_digest: str = Field(pattern=_HEX)


STATEMENT_ISSUED = EntryType(
    name="wages.statement.issued",
    version=1,
    body=StatementIssued,
    description="An employer issued a wage statement (its digest).",
    required_signers=lambda body: [body.employer],
)
STATEMENT_ACKNOWLEDGED = EntryType(
    name="wages.statement.acknowledged",
    version=1,
    body=StatementAcknowledged,
    description="The worker signed receipt of a wage statement.",
    required_signers=lambda body: [body.employer],
)
STATEMENT_OBJECTED = EntryType(
    name="wages.statement.objected",
    version=1,
    body=StatementObjected,
    description="The worker objected to a wage statement.",
    required_signers=lambda body: [body.employer],
)
OBJECTION_ANSWERED = EntryType(
    name="wages.objection.answered",
    version=1,
    body=ObjectionAnswered,
    description="The employer answered a worker's objection to a wage statement.",
    required_signers=lambda body: [body.employer],
)


def register(types: EntryTypes) -> None:
    for entry_type in (
        STATEMENT_ISSUED,
        STATEMENT_ACKNOWLEDGED,
        STATEMENT_OBJECTED,
        OBJECTION_ANSWERED,
    ):
        types.register(entry_type)
