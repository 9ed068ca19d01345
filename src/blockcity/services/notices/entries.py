"""The ledger entry types of the notices service."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from blockcity.ledger.entries import EntryType, EntryTypes


class NoticePublished(BaseModel):
    """A public notice: public text only, never personal data."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    publisher: str = Field(pattern=r"^did:(key|web):[A-Za-z0-9._:%-]+$", max_length=200)
    title_ko: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    summary_ko: str = Field(default="", max_length=2000)
    summary_en: str = Field(default="", max_length=2000)


NOTICE_PUBLISHED = EntryType(
    name="notices.notice.published",
    version=1,
    body=NoticePublished,
    description="A public notice of the city, signed by its publisher.",
    required_signers=lambda body: [body.publisher],
)


def register(types: EntryTypes) -> None:
    types.register(NOTICE_PUBLISHED)
