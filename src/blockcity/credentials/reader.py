"""Read-only access to the credentials a node issued, for a verifier that opens the node's data
folder without its keys (``blockcity verify --data``): where each credential's digest is on
the ledger, and the status lists as last published.

It opens ``credentials.sqlite`` read-only, so it works while the server writes it and can never
change it; it needs no master key because it reads only what was already public.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from blockcity.errors import StorageError


class IssuedRecords:
    """The issued-credential records of one node's ``credentials.sqlite``, read-only."""

    def __init__(self, path: Path) -> None:
        try:
            self._db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StorageError(
                f"cannot open {path} for reading: {exc}",
                f"{path}을(를) 읽기용으로 열 수 없습니다: {exc}",
            ) from exc

    @classmethod
    def open_if_present(cls, data_dir: Path) -> IssuedRecords | None:
        """The records of the node at ``data_dir``, or None if it never issued anything."""
        path = data_dir / "credentials.sqlite"
        return cls(path) if path.is_file() else None

    def ledger_index(self, digest: str) -> int | None:
        """The ledger index of the ``credentials.issued`` entry for a VC or SD-JWT digest."""
        for table in ("issued_credentials", "issued_sd_jwts"):
            row = self._one(f"SELECT ledger_index FROM {table} WHERE digest = ?", (digest,))
            if row is not None:
                return int(row[0])
        return None

    def status_list(self, url: str) -> dict[str, Any] | None:
        """The signed status list last published at ``url``, if any (the verifier judges
        whether it is still fresh enough)."""
        row = self._one("SELECT published FROM status_lists WHERE url = ?", (url,))
        if row is None or row[0] is None:
            return None
        published: dict[str, Any] = json.loads(row[0])
        return published

    def _one(self, sql: str, args: tuple[object, ...]) -> tuple[Any, ...] | None:
        try:
            row: tuple[Any, ...] | None = self._db.execute(sql, args).fetchone()
        except sqlite3.OperationalError as exc:
            # A store from before a table existed has none of those records.
            if "no such table" in str(exc):
                return None
            raise StorageError(
                f"cannot read the issued credentials: {exc}",
                f"발급한 자격증명 기록을 읽을 수 없습니다: {exc}",
            ) from exc
        return row

    def close(self) -> None:
        self._db.close()


__all__ = ["IssuedRecords"]
