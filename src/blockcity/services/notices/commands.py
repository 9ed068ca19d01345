"""Commands of the notices service: each builds, signs and submits one ledger entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from blockcity.crypto import SigningKey
from blockcity.ledger.entries import sign_entry
from blockcity.ledger.log import Receipt
from blockcity.services.notices.entries import NOTICE_PUBLISHED, NoticePublished

Submit = Callable[[bytes], Receipt]


def publish_notice(
    submit: Submit,
    publisher_kid: str,
    key: SigningKey,
    notice: NoticePublished,
    *,
    at: datetime | None = None,
) -> Receipt:
    """Sign ``notice`` with the publisher's key and wait until it is on the ledger."""
    entry = sign_entry(
        NOTICE_PUBLISHED.name,
        notice.model_dump(),
        [(publisher_kid, key)],
        version=NOTICE_PUBLISHED.version,
        at=at,
    )
    return submit(entry)
