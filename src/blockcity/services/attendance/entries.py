"""The ledger entry type of the attendance service: one sealed batch of records per entry,
carrying only the batch's Merkle root and its time range, never a record or a person."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from blockcity.ledger.entries import EntryType, EntryTypes

_DID = r"^did:(key|web):[A-Za-z0-9._:%-]+$"
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


class BatchSealed(BaseModel):
    """A batch of an organization's attendance records: records ``first_seq`` to
    ``first_seq + count - 1`` of its sequence, made between ``first_at`` and ``last_at``,
    whose RFC 9162 Merkle root is ``root`` (hex)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    organization: Annotated[str, Field(pattern=_DID, max_length=200)]
    first_seq: Annotated[int, Field(ge=1)]
    count: Annotated[int, Field(ge=1)]
    first_at: Annotated[str, Field(pattern=_TIME)]
    last_at: Annotated[str, Field(pattern=_TIME)]
    root: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


BATCH_SEALED = EntryType(
    name="attendance.batch.sealed",
    version=1,
    body=BatchSealed,
    description="A batch of attendance records sealed by its Merkle root, signed by the employer.",
    required_signers=lambda body: [body.organization],
)


def register(types: EntryTypes) -> None:
    types.register(BATCH_SEALED)
