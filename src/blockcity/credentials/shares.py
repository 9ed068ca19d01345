"""Holders' share links: a person lets whoever holds a link see one of their credentials, for
a time they choose, until they revoke it; either the whole credential or only the claims they
chose (then the link shows a selective-disclosure presentation of its SD-JWT VC).

The link's token is random and kept only as its SHA-256 (like web sessions), so a copy of the
database cannot be turned into working links. Whoever opens a link sees the credential's
verification; only the holder who made a share may list or revoke it.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any, Final

from blockcity.credentials.sdjwt import ClaimPath
from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.identity.db import IdentityDB
from blockcity.ledger.blocks import format_time

SHARE_LIFETIMES: Final = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
}
"""The lifetimes a holder may choose: short, so a forgotten link stops working by itself."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS credential_shares (
    id TEXT PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    holder TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    disclosed TEXT
);
CREATE INDEX IF NOT EXISTS shares_by_holder ON credential_shares(holder, created_at);
"""


class ShareClosed(BlockcityError):
    """The link was revoked by its holder or has expired: it works no more."""

    code = "share-closed"
    status = 410
    title_ko = "공유가 끝났습니다"
    title_en = "Share closed"


@dataclass(frozen=True, slots=True)
class Share:
    id: str
    holder: str
    """The holder's DID."""
    credential_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    disclosed: tuple[ClaimPath, ...] | None = None
    """The claims shown (a selective-disclosure share), or None for the whole credential."""

    def open_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def _digest(token: str) -> bytes:
    return sha256(token.encode()).digest()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _share(row: Any) -> Share:
    return Share(
        row["id"],
        row["holder"],
        row["credential_id"],
        _time(row["created_at"]),
        _time(row["expires_at"]),
        _time(row["revoked_at"]) if row["revoked_at"] else None,
        tuple(tuple(path) for path in json.loads(row["disclosed"]))
        if row["disclosed"] is not None
        else None,
    )


class Shares:
    """Share links, kept in ``db`` (the credentials service's database)."""

    def __init__(
        self, db: IdentityDB, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.db = db
        self.clock = clock
        db.schema(SCHEMA)
        columns = {row["name"] for row in db.query("PRAGMA table_info(credential_shares)")}
        if "disclosed" not in columns:
            # Databases made before selective-disclosure shares: every old share is whole.
            with db.transaction() as tx:
                tx.execute("ALTER TABLE credential_shares ADD COLUMN disclosed TEXT")

    def create(
        self,
        holder: str,
        credential_id: str,
        lifetime: str,
        disclosed: Sequence[ClaimPath] | None = None,
    ) -> tuple[str, Share]:
        """A new link for ``credential_id``; the caller has checked that ``holder`` holds it
        and, for a selective-disclosure share, that each path in ``disclosed`` is one of its
        claims. Returns the token (shown once, in the link) and the share."""
        if disclosed is not None and not disclosed:
            raise InvalidInput(
                "choose at least one claim to show", "보여 줄 항목을 하나 이상 고르세요"
            )
        span = SHARE_LIFETIMES.get(lifetime)
        if span is None:
            raise InvalidInput(
                f"a share lasts {', '.join(SHARE_LIFETIMES)}, not {lifetime[:20]!r}",
                f"공유 기간은 {', '.join(SHARE_LIFETIMES)} 중 하나여야 합니다 "
                f"(받은 값: {lifetime[:20]!r})",
            )
        token = secrets.token_urlsafe(32)
        now = self.clock().replace(microsecond=0)
        chosen = tuple(dict.fromkeys(tuple(p) for p in disclosed)) if disclosed else None
        share = Share(str(uuid.uuid4()), holder, credential_id, now, now + span, None, chosen)
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO credential_shares (id, token_hash, holder, credential_id, "
                "created_at, expires_at, disclosed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    share.id,
                    _digest(token),
                    holder,
                    credential_id,
                    format_time(share.created_at),
                    format_time(share.expires_at),
                    json.dumps(chosen, ensure_ascii=False) if chosen is not None else None,
                ),
            )
        return token, share

    def open(self, token: str) -> Share:
        """The share a link's token names, if it still works; a closed one says why."""
        row = self.db.one("SELECT * FROM credential_shares WHERE token_hash = ?", (_digest(token),))
        if row is None:
            raise NotFound(
                "this share link does not exist; ask the holder for a new one",
                "이 공유 링크가 없습니다. 소지자에게 새 링크를 요청하세요",
            )
        share = _share(row)
        if share.revoked_at is not None:
            raise ShareClosed(
                "the holder revoked this share link",
                "소지자가 이 공유 링크를 취소했습니다",
            )
        if self.clock() >= share.expires_at:
            raise ShareClosed(
                f"this share link expired at {format_time(share.expires_at)}",
                f"이 공유 링크는 {format_time(share.expires_at)}에 만료되었습니다",
            )
        return share

    def of_holder(self, holder: str) -> list[Share]:
        rows = self.db.query(
            "SELECT * FROM credential_shares WHERE holder = ? ORDER BY created_at DESC, id",
            (holder,),
        )
        return [_share(row) for row in rows]

    def revoke(self, holder: str, share_id: str) -> Share:
        """Stop a link at once. Someone else's share is "not found", never "forbidden"."""
        with self.db.transaction() as tx:
            changed = tx.execute(
                "UPDATE credential_shares SET revoked_at = COALESCE(revoked_at, ?) "
                "WHERE id = ? AND holder = ?",
                (format_time(self.clock()), share_id, holder),
            ).rowcount
        if not changed:
            raise NotFound("no such share of yours", "그런 공유 링크가 없습니다")
        row = self.db.one("SELECT * FROM credential_shares WHERE id = ?", (share_id,))
        assert row is not None
        return _share(row)


__all__ = ["SHARE_LIFETIMES", "Share", "ShareClosed", "Shares"]
