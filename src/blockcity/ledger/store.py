"""Durable storage for the ledger behind one small interface, with SQLite (WAL) as the default.

Entries are stored as C2SP tlog-tiles entry bundles: 256 entries a row, each prefixed with its
16-bit big-endian length, so a bundle is served to outside verifiers as it is stored and a
million entries are four thousand rows. A block is written in one transaction together with
its entries and the tiles it changed, so a crash at any instant leaves either the whole block
or none of it. ``commit_block`` returns
only after SQLite has synced the write-ahead log (``synchronous=FULL``): that is the moment an
entry counts as acknowledged.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from blockcity.errors import Conflict, InvalidInput, StorageError

SCHEMA_VERSION = 1
BUNDLE_WIDTH = 256
MAX_ENTRY_SIZE = 0xFFFF
"""An entry bundle prefixes each entry with a 16-bit length (C2SP tlog-tiles)."""
_BUNDLE_CACHE = 256


def split_bundle(data: bytes) -> list[bytes]:
    """The entries of a C2SP entry bundle; raises ValueError if the bundle is malformed."""
    entries = []
    offset, end = 0, len(data)
    while offset < end:
        if offset + 2 > end:
            raise ValueError("entry bundle ends inside a length prefix")
        size = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + size > end:
            raise ValueError("entry bundle ends inside an entry")
        entries.append(data[offset : offset + size])
        offset += size
    return entries


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bundles (
    idx INTEGER PRIMARY KEY,
    width INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS entry_ids (
    entry_id TEXT PRIMARY KEY,
    idx INTEGER NOT NULL,
    entry_type TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tiles (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    width INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (
    height INTEGER PRIMARY KEY,
    header BLOB NOT NULL,
    hash BLOB NOT NULL,
    first_index INTEGER NOT NULL,
    tree_size INTEGER NOT NULL,
    checkpoint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_by_size ON blocks(tree_size);
CREATE TABLE IF NOT EXISTS cosignatures (
    height INTEGER NOT NULL,
    witness TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (height, witness)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry to append: its exact bytes and, for signed entries, its id and type."""

    data: bytes
    entry_id: str | None = None
    entry_type: str | None = None


@dataclass(frozen=True, slots=True)
class StoredBlock:
    height: int
    header: bytes
    hash: bytes
    first_index: int
    tree_size: int
    checkpoint: str


@dataclass(frozen=True, slots=True)
class StoredEntry:
    index: int
    data: bytes


TileKey = tuple[int, int]
"""(tile level, tile index)."""

TileValue = tuple[int, bytes]
"""(width, concatenated hash rows)."""


class LedgerStore(Protocol):
    """What the ledger needs from a database. Every method is safe to call from one thread."""

    def latest_block(self) -> StoredBlock | None: ...

    def block(self, height: int) -> StoredBlock | None: ...

    def blocks(self, start: int, limit: int, descending: bool = False) -> list[StoredBlock]: ...

    def block_containing(self, index: int) -> StoredBlock | None: ...

    def block_with_size(self, tree_size: int) -> StoredBlock | None: ...

    def entry(self, index: int) -> StoredEntry | None: ...

    def entry_by_id(self, entry_id: str) -> StoredEntry | None: ...

    def entries(self, start: int, end: int) -> Iterator[StoredEntry]: ...

    def entry_count(self) -> int: ...

    def bundle_rows(self) -> Iterator[tuple[int, int, bytes]]: ...

    def entry_ids(self) -> Iterator[tuple[str, int, str]]: ...

    def tile(self, level: int, index: int) -> TileValue | None: ...

    def all_tiles(self) -> Iterator[tuple[int, int, int, bytes]]: ...

    def commit_block(
        self,
        first_index: int,
        entries: Sequence[NewEntry],
        tiles: Mapping[TileKey, TileValue],
        block: StoredBlock,
    ) -> None: ...

    def add_cosignature(self, height: int, witness: str, line: str) -> None: ...

    def cosignatures(self, height: int) -> list[tuple[str, str]]: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def close(self) -> None: ...


def _split_stored(index: int, data: bytes) -> list[bytes]:
    try:
        return split_bundle(data)
    except ValueError as exc:
        raise _damaged_bundle(index, str(exc)) from exc


def _damaged_bundle(index: int, why: str) -> StorageError:
    return StorageError(
        f"entry bundle {index} is damaged ({why}); run `blockcity ledger audit`",
        f"항목 묶음 {index}가 손상되었습니다({why}). `blockcity ledger audit`을 실행하세요",
    )


def _storage_error(path: Path, exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return StorageError(
            f"the ledger database {path} is locked by another process; stop it or wait and retry",
            f"원장 데이터베이스 {path}를 다른 프로세스가 잠그고 있습니다. 그 프로세스를 멈추거나 "
            "잠시 후 다시 시도하세요",
        )
    if "full" in text:
        return StorageError(
            f"the disk holding {path} is full; nothing was written. Free space and retry",
            f"{path}가 있는 디스크가 가득 찼습니다. 아무것도 기록되지 않았습니다. 공간을 확보하고 "
            "다시 시도하세요",
        )
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return StorageError(
            f"{path} is not a readable ledger database ({text}); restore it from a backup "
            "or point --data at the right folder",
            f"{path}는 읽을 수 있는 원장 데이터베이스가 아닙니다({text}). 백업에서 복원하거나 "
            "--data로 올바른 폴더를 지정하세요",
        )
    return StorageError(
        f"the ledger database {path} failed: {text}",
        f"원장 데이터베이스 {path} 오류: {text}",
    )


class SQLiteStore:
    """The embedded store: one SQLite file in WAL mode, synced on every block commit.

    A writable store takes an exclusive lock file beside the database so that two servers can
    never append to the same ledger; read-only stores (the CLI while a server runs) do not.
    """

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._lock_file: IO[str] | None = None
        self._bundles: dict[int, tuple[int, bytes]] = {}
        self._tail: tuple[int, int, bytes] | None = None
        if readonly and not path.exists():
            raise StorageError(
                f"no ledger at {path}; start the platform once with `blockcity serve` "
                "or pass --data with the right folder",
                f"{path}에 원장이 없습니다. `blockcity serve`로 한 번 시작하거나 --data로 올바른 "
                "폴더를 지정하세요",
            )
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = self._take_writer_lock(path)
        try:
            if readonly:
                self._db = sqlite3.connect(
                    f"file:{path}?mode=ro", uri=True, check_same_thread=False
                )
            else:
                self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 5000")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                # FULL syncs the WAL on every commit: an acknowledged block survives power loss.
                self._db.execute("PRAGMA synchronous = FULL")
                self._db.executescript(_SCHEMA)
                self._check_schema_version()
            else:
                self._db.execute("SELECT count(*) FROM blocks").fetchone()
        except sqlite3.Error as exc:
            self._release_lock()
            raise _storage_error(path, exc) from exc

    @staticmethod
    def _take_writer_lock(path: Path) -> IO[str]:
        lock_path = path.with_name(path.name + ".lock")
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StorageError(
                f"another blockcity process is already writing to {path}; "
                "stop it first or use a different --data folder",
                f"다른 blockcity 프로세스가 이미 {path}에 쓰고 있습니다. 먼저 멈추거나 다른 "
                "--data 폴더를 사용하세요",
            ) from exc
        return handle

    def _release_lock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _check_schema_version(self) -> None:
        found = self.get_meta("schema_version")
        if found is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        elif found != str(SCHEMA_VERSION):
            raise StorageError(
                f"{self.path} has ledger schema version {found}; this blockcity reads "
                f"version {SCHEMA_VERSION}",
                f"{self.path}의 원장 스키마 버전은 {found}이고 이 blockcity는 {SCHEMA_VERSION} "
                "버전을 읽습니다",
            )

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    @staticmethod
    def _block(row: tuple[object, ...]) -> StoredBlock:
        height, header, hash_, first, size, checkpoint = row
        assert isinstance(height, int) and isinstance(first, int) and isinstance(size, int)
        assert isinstance(header, bytes) and isinstance(hash_, bytes)
        assert isinstance(checkpoint, str)
        return StoredBlock(height, header, hash_, first, size, checkpoint)

    _BLOCK_COLUMNS = "height, header, hash, first_index, tree_size, checkpoint"

    def latest_block(self) -> StoredBlock | None:
        rows = self._query(f"SELECT {self._BLOCK_COLUMNS} FROM blocks ORDER BY height DESC LIMIT 1")
        return self._block(rows[0]) if rows else None

    def block(self, height: int) -> StoredBlock | None:
        rows = self._query(f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE height = ?", (height,))
        return self._block(rows[0]) if rows else None

    def blocks(self, start: int, limit: int, descending: bool = False) -> list[StoredBlock]:
        if descending:
            sql = f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE height <= ? "
            sql += "ORDER BY height DESC LIMIT ?"
        else:
            sql = f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE height >= ? "
            sql += "ORDER BY height LIMIT ?"
        return [self._block(r) for r in self._query(sql, (start, limit))]

    def block_containing(self, index: int) -> StoredBlock | None:
        rows = self._query(
            f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE tree_size > ? "
            "ORDER BY tree_size LIMIT 1",
            (index,),
        )
        return self._block(rows[0]) if rows else None

    def block_with_size(self, tree_size: int) -> StoredBlock | None:
        rows = self._query(
            f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE tree_size = ?", (tree_size,)
        )
        return self._block(rows[0]) if rows else None

    def _bundle(self, index: int) -> tuple[int, bytes] | None:
        found = self._bundles.get(index)
        if found is not None:
            return found
        rows = self._query("SELECT width, data FROM bundles WHERE idx = ?", (index,))
        if not rows:
            return None
        width, data = rows[0]
        assert isinstance(width, int) and isinstance(data, bytes)
        if width == BUNDLE_WIDTH:
            if len(self._bundles) >= _BUNDLE_CACHE:
                self._bundles.pop(next(iter(self._bundles)))
            self._bundles[index] = (width, data)
        return width, data

    def entry(self, index: int) -> StoredEntry | None:
        bundle_index, position = divmod(index, BUNDLE_WIDTH)
        bundle = self._bundle(bundle_index)
        if bundle is None or position >= bundle[0]:
            return None
        entries = _split_stored(bundle_index, bundle[1])
        if position >= len(entries):
            raise _damaged_bundle(bundle_index, "it holds fewer entries than its width")
        return StoredEntry(index, entries[position])

    def entry_by_id(self, entry_id: str) -> StoredEntry | None:
        rows = self._query("SELECT idx FROM entry_ids WHERE entry_id = ?", (entry_id,))
        if not rows:
            return None
        index = rows[0][0]
        assert isinstance(index, int)
        return self.entry(index)

    def entries(self, start: int, end: int) -> Iterator[StoredEntry]:
        if start >= end:
            return
        first, last = start // BUNDLE_WIDTH, (end - 1) // BUNDLE_WIDTH
        page = 64
        for low in range(first, last + 1, page):
            rows = self._query(
                "SELECT idx, data FROM bundles WHERE idx >= ? AND idx <= ? ORDER BY idx",
                (low, min(low + page - 1, last)),
            )
            for bundle_index, data in rows:
                assert isinstance(bundle_index, int) and isinstance(data, bytes)
                base = bundle_index * BUNDLE_WIDTH
                for position, entry in enumerate(_split_stored(bundle_index, data)):
                    if start <= base + position < end:
                        yield StoredEntry(base + position, entry)

    def entry_count(self) -> int:
        rows = self._query("SELECT idx, width FROM bundles ORDER BY idx DESC LIMIT 1")
        if not rows:
            return 0
        index, width = rows[0]
        assert isinstance(index, int) and isinstance(width, int)
        return index * BUNDLE_WIDTH + width

    def bundle_rows(self) -> Iterator[tuple[int, int, bytes]]:
        for row in self._query("SELECT idx, width, data FROM bundles ORDER BY idx"):
            index, width, data = row
            assert isinstance(index, int) and isinstance(width, int)
            assert isinstance(data, bytes)
            yield index, width, data

    def entry_ids(self) -> Iterator[tuple[str, int, str]]:
        for entry_id, index, entry_type in self._query(
            "SELECT entry_id, idx, entry_type FROM entry_ids ORDER BY idx"
        ):
            assert isinstance(entry_id, str) and isinstance(index, int)
            assert isinstance(entry_type, str)
            yield entry_id, index, entry_type

    def tile(self, level: int, index: int) -> TileValue | None:
        rows = self._query(
            "SELECT width, hashes FROM tiles WHERE level = ? AND idx = ?", (level, index)
        )
        if not rows:
            return None
        width, hashes = rows[0]
        assert isinstance(width, int) and isinstance(hashes, bytes)
        return width, hashes

    def all_tiles(self) -> Iterator[tuple[int, int, int, bytes]]:
        for row in self._query("SELECT level, idx, width, hashes FROM tiles ORDER BY level, idx"):
            level, index, width, hashes = row
            assert isinstance(level, int) and isinstance(index, int)
            assert isinstance(width, int) and isinstance(hashes, bytes)
            yield level, index, width, hashes

    def commit_block(
        self,
        first_index: int,
        entries: Sequence[NewEntry],
        tiles: Mapping[TileKey, TileValue],
        block: StoredBlock,
    ) -> None:
        if self.readonly:
            raise StorageError("the store was opened read-only", "읽기 전용으로 열린 저장소입니다")
        bundles = self._new_bundles(first_index, entries)
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO bundles (idx, width, data) VALUES (?, ?, ?)",
                    ((index, width, bytes(data)) for index, (width, data) in bundles.items()),
                )
                db.executemany(
                    "INSERT INTO entry_ids (entry_id, idx, entry_type) VALUES (?, ?, ?)",
                    (
                        (e.entry_id, first_index + i, e.entry_type or "")
                        for i, e in enumerate(entries)
                        if e.entry_id is not None
                    ),
                )
                db.executemany(
                    "INSERT OR REPLACE INTO tiles (level, idx, width, hashes) VALUES (?, ?, ?, ?)",
                    ((lv, ix, w, h) for (lv, ix), (w, h) in tiles.items()),
                )
                db.execute(
                    f"INSERT INTO blocks ({self._BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        block.height,
                        block.header,
                        block.hash,
                        block.first_index,
                        block.tree_size,
                        block.checkpoint,
                    ),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError as exc:
            if "entry_ids" in str(exc):
                raise Conflict(
                    "an entry with the same id is already on the ledger",
                    "같은 id의 항목이 이미 원장에 있습니다",
                ) from exc
            raise _storage_error(self.path, exc) from exc
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc
        for index, (width, _) in bundles.items():
            if width == BUNDLE_WIDTH:
                self._bundles.pop(index, None)
        last = max(bundles)
        self._tail = (last, bundles[last][0], bytes(bundles[last][1]))

    def _new_bundles(
        self, first_index: int, entries: Sequence[NewEntry]
    ) -> dict[int, tuple[int, bytearray]]:
        """The bundles that appending ``entries`` at ``first_index`` writes or rewrites."""
        index, position = divmod(first_index, BUNDLE_WIDTH)
        if position:
            tail = self._tail if self._tail and self._tail[0] == index else None
            if tail is None:
                stored = self._bundle(index)
                if stored is None or stored[0] != position:
                    raise StorageError(
                        f"entry bundle {index} does not end at entry {first_index}; "
                        "run `blockcity ledger audit`",
                        f"항목 묶음 {index}가 항목 {first_index}에서 끝나지 않습니다. "
                        "`blockcity ledger audit`을 실행하세요",
                    )
                tail = (index, stored[0], stored[1])
            current = bytearray(tail[2])
        else:
            current = bytearray()
        bundles: dict[int, tuple[int, bytearray]] = {}
        for entry in entries:
            size = len(entry.data)
            if size > MAX_ENTRY_SIZE:
                raise InvalidInput(
                    f"an entry of {size} bytes exceeds the {MAX_ENTRY_SIZE}-byte limit",
                    f"{size}바이트 항목은 한도 {MAX_ENTRY_SIZE}바이트를 넘습니다",
                )
            current += size.to_bytes(2, "big")
            current += entry.data
            position += 1
            if position == BUNDLE_WIDTH:
                bundles[index] = (BUNDLE_WIDTH, current)
                index, position, current = index + 1, 0, bytearray()
        if position:
            bundles[index] = (position, current)
        return bundles

    def add_cosignature(self, height: int, witness: str, line: str) -> None:
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO cosignatures (height, witness, line) VALUES (?, ?, ?)",
                (height, witness, line),
            )
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    def cosignatures(self, height: int) -> list[tuple[str, str]]:
        rows = self._query(
            "SELECT witness, line FROM cosignatures WHERE height = ? ORDER BY witness", (height,)
        )
        return [(str(w), str(line)) for w, line in rows]

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        try:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    def close(self) -> None:
        self._db.close()
        self._release_lock()


def open_sqlite(data_dir: Path, *, readonly: bool = False) -> SQLiteStore:
    """Open (or, when writable, create) the ledger database inside ``data_dir``."""
    if not readonly:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the data folder {data_dir}: {exc.strerror}",
                f"데이터 폴더 {data_dir}를 만들 수 없습니다: {exc.strerror}",
            ) from exc
        if not os.access(data_dir, os.W_OK):
            raise StorageError(
                f"the data folder {data_dir} is not writable",
                f"데이터 폴더 {data_dir}에 쓸 수 없습니다",
            )
    return SQLiteStore(data_dir / "ledger.sqlite3", readonly=readonly)


__all__ = [
    "LedgerStore",
    "NewEntry",
    "SQLiteStore",
    "StoredBlock",
    "StoredEntry",
    "open_sqlite",
]
