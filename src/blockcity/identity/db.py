"""Seoul Pass's own state (accounts, credentials, sessions, clients) in one SQLite file.

Each identity module declares the tables it owns with ``IdentityDB.schema``; writes go through
``transaction`` so that a change either happens whole or not at all, and are synced before
they count (``synchronous=FULL``), like the ledger's.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from blockcity.errors import StorageError


class IdentityDB:
    def __init__(
        self,
        path: Path,
        *,
        page_size: int | None = None,
        cache_kib: int | None = None,
        secure_delete: bool = False,
    ) -> None:
        """Open (or create) the database at ``path``.

        ``page_size`` applies only when the file is created: a store of documents of a few KB
        wastes half of every 4 KB page, because two such rows do not fit in one. ``cache_kib``
        sizes this connection's page cache (SQLite's default is 2 MB). With ``secure_delete``,
        deleted and overwritten bytes are zeroed rather than left in free space, for stores
        that must forget personal data (see ``purge_wal`` for the log's copy).
        """
        self.path = path
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            if page_size is not None:
                self._db.execute(f"PRAGMA page_size = {int(page_size)}")
            if cache_kib is not None:
                self._db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
            if secure_delete:
                self._db.execute("PRAGMA secure_delete = ON")
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(
                f"cannot open the identity database {path}: {exc}",
                f"신원 데이터베이스 {path}를 열 수 없습니다: {exc}",
            ) from exc

    def schema(self, sql: str) -> None:
        with self._lock:
            try:
                self._db.executescript(sql)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic, durable change; rolled back if anything inside raises."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise self._error(exc) from exc

    def query(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    def one(self, sql: str, args: Sequence[object] = ()) -> sqlite3.Row | None:
        rows = self.query(sql, args)
        return rows[0] if rows else None

    def purge_wal(self) -> None:
        """Copy every committed page into the database and empty the write-ahead log, which
        still holds pages as they were before an erasure or a blanking."""
        busy = self.one("PRAGMA wal_checkpoint(TRUNCATE)")
        if busy is None or busy[0] != 0:
            raise StorageError(
                f"the database {self.path} is busy; what was just erased stays in its "
                "write-ahead log until the next checkpoint. Retry",
                f"데이터베이스 {self.path}가 사용 중이라 방금 지운 내용이 미리 쓰기 로그에 "
                "남아 있습니다. 다시 시도하세요",
            )

    def _error(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(
            f"the identity database {self.path} failed: {exc}",
            f"신원 데이터베이스 {self.path} 오류: {exc}",
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()
