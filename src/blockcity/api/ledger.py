"""``/api/v1/ledger``: checkpoints, blocks, entries, proofs and C2SP tiles; submission of
signed entries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from blockcity.errors import InvalidInput, NotFound, PayloadTooLarge
from blockcity.ledger import merkle
from blockcity.ledger.blocks import BlockHeader
from blockcity.ledger.entries import MAX_ENTRY_BYTES, summarize
from blockcity.ledger.store import StoredBlock, StoredEntry
from blockcity.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, parse_tile_path
from blockcity.node import Node

MAX_PAGE = 100
MAX_INT = 2**63 - 1
"""Heights, indexes and sizes fit a signed 64-bit integer (C2SP tlog-checkpoint)."""


def block_view(stored: StoredBlock) -> dict[str, Any]:
    header = BlockHeader.decode(stored.header)
    return {
        **header.to_dict(),
        "hash": stored.hash.hex(),
        "entries": stored.tree_size - stored.first_index,
        "checkpoint": stored.checkpoint,
    }


def entry_view(stored: StoredEntry) -> dict[str, Any]:
    summary = summarize(stored.data)
    return {
        "index": stored.index,
        "id": summary.id,
        "type": summary.type,
        "leaf_hash": merkle.leaf_hash(stored.data).hex(),
        "entry": summary.content,
        "entry_hex": None if summary.content is not None else stored.data.hex(),
    }


def router(node: Node) -> APIRouter:
    api = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
    ledger = node.ledger

    @api.get(
        "/checkpoint",
        response_class=PlainTextResponse,
        summary="The latest checkpoint: a C2SP tlog-checkpoint signed note with cosignatures",
    )
    def checkpoint() -> PlainTextResponse:
        return PlainTextResponse(ledger.checkpoint(), headers={"Cache-Control": "no-cache"})

    @api.get("/verifier-key", summary="The log's note verifier key and origin")
    def verifier_key() -> dict[str, Any]:
        return {
            "origin": ledger.origin,
            "verifier_key": ledger.verifier_key(),
            "witness_keys": [v for v in [node.ledger.store.get_meta("witness_verifier_key")] if v],
        }

    @api.get("/blocks", summary="Blocks, newest first, with cursor pagination")
    def blocks(
        cursor: int | None = Query(
            None, ge=0, le=MAX_INT, description="Height to start from (inclusive)."
        ),
        limit: int = Query(20, ge=1, le=MAX_PAGE),
    ) -> dict[str, Any]:
        latest = ledger.latest_block
        start = latest.height if cursor is None and latest else (cursor or 0)
        rows = ledger.blocks(start, limit + 1, descending=True) if latest else []
        items = [block_view(b) for b in rows[:limit]]
        next_cursor = rows[limit].height if len(rows) > limit else None
        return {"items": items, "next_cursor": next_cursor}

    @api.get("/blocks/{height}", summary="One block")
    def block(height: int = Path(ge=0, le=MAX_INT)) -> dict[str, Any]:
        return block_view(ledger.block(height))

    @api.get("/blocks/{height}/entries", summary="The entries sealed in one block")
    def block_entries(
        height: int = Path(ge=0, le=MAX_INT),
        cursor: int | None = Query(
            None, ge=0, le=MAX_INT, description="Entry index to start from."
        ),
        limit: int = Query(20, ge=1, le=MAX_PAGE),
    ) -> dict[str, Any]:
        stored = ledger.block(height)
        start = max(cursor or stored.first_index, stored.first_index)
        end = min(start + limit, stored.tree_size)
        items = [entry_view(e) for e in ledger.store.entries(start, end)]
        return {"items": items, "next_cursor": end if end < stored.tree_size else None}

    @api.get("/entries/{index}", summary="One entry by index, with its block")
    def entry(index: int = Path(ge=0, le=MAX_INT)) -> dict[str, Any]:
        stored = ledger.entry(index)
        return {**entry_view(stored), "block": ledger.block_containing(index).height}

    @api.get("/entries/by-id/{entry_id}", summary="One signed entry by its id")
    def entry_by_id(entry_id: str) -> dict[str, Any]:
        stored = ledger.entry_by_id(entry_id)
        return {**entry_view(stored), "block": ledger.block_containing(stored.index).height}

    @api.post(
        "/entries",
        status_code=201,
        summary="Submit a signed entry (its RFC 8785 canonical JSON bytes)",
        description=(
            f"Returns once the entry's block is durably committed. At most {MAX_ENTRY_BYTES} "
            "bytes. Resubmitting the same bytes returns the same receipt; reusing an id for "
            "different bytes is a conflict."
        ),
    )
    async def submit(request: Request) -> dict[str, Any]:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_ENTRY_BYTES:
            raise _too_large(int(declared))
        data = bytearray()
        async for chunk in request.stream():
            data.extend(chunk)
            if len(data) > MAX_ENTRY_BYTES:
                raise _too_large(len(data))
        receipt = await run_in_threadpool(node.submit, bytes(data))
        return receipt.to_dict()

    @api.get("/proofs/inclusion", summary="RFC 9162 inclusion proof of an entry")
    def inclusion(
        index: int = Query(..., ge=0, le=MAX_INT),
        tree_size: int | None = Query(
            None, ge=1, le=MAX_INT, description="Default: the latest size."
        ),
    ) -> dict[str, Any]:
        return ledger.inclusion_proof(index, tree_size).to_dict()

    @api.get("/proofs/consistency", summary="RFC 9162 consistency proof between two sizes")
    def consistency(
        old_size: int = Query(..., ge=1, le=MAX_INT, alias="from"),
        new_size: int | None = Query(
            None, ge=1, le=MAX_INT, alias="to", description="Default: latest."
        ),
    ) -> dict[str, Any]:
        return ledger.consistency_proof(old_size, new_size).to_dict()

    @api.get(
        "/tile/{path:path}",
        summary="C2SP tlog-tiles: hash tiles and entry bundles, for outside verifiers",
        response_class=Response,
    )
    def tile(path: str) -> Response:
        try:
            level, index, width = parse_tile_path("tile/" + path)
        except ValueError as exc:
            raise InvalidInput(str(exc), f"타일 경로가 올바르지 않습니다: {exc}") from exc
        size = ledger.size
        if level is None:
            return _entry_bundle(node, index, width, size)
        available = (size >> (TILE_HEIGHT * level)) - index * TILE_WIDTH
        if available < width:
            raise NotFound(
                f"tile {path} is not in the tree of size {size} yet",
                f"타일 {path}는 아직 크기 {size}인 트리에 없습니다",
            )
        stored = ledger.tree.tile(level, index)
        assert stored is not None
        return Response(
            stored[1][: width * merkle.HASH_SIZE],
            media_type="application/octet-stream",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    return api


def _entry_bundle(node: Node, index: int, width: int, size: int) -> Response:
    first = index * TILE_WIDTH
    if first + width > size:
        raise NotFound(
            f"entry bundle {index} of width {width} is not in the tree of size {size} yet",
            f"항목 묶음 {index}(너비 {width})는 아직 크기 {size}인 트리에 없습니다",
        )
    bundle = bytearray()
    for stored in node.ledger.store.entries(first, first + width):
        bundle += len(stored.data).to_bytes(2, "big") + stored.data
    return Response(
        bytes(bundle),
        media_type="application/octet-stream",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def _too_large(size: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the entry is {size} bytes; the ledger takes at most {MAX_ENTRY_BYTES}",
        f"항목이 {size}바이트입니다. 원장은 최대 {MAX_ENTRY_BYTES}바이트까지 받습니다",
    )
