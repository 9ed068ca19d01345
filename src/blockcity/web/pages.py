"""The server-rendered pages: home, the ledger explorer, blocks and entries, in Korean or English.

Pages only read the ledger and render. Inclusion proofs and checkpoint signatures are checked
here on the server against the log's key, and the page says plainly whether they verified.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from blockcity.errors import BlockcityError, InvalidInput, NotFound
from blockcity.ledger import merkle
from blockcity.ledger.blocks import BlockHeader
from blockcity.ledger.checkpoint import open_checkpoint, verify_cosignatures
from blockcity.ledger.entries import summarize
from blockcity.ledger.log import Ledger
from blockcity.ledger.store import StoredBlock, StoredEntry
from blockcity.node import Node
from blockcity.web.rendering import (
    HERE,
    HtmlErrorRoute,
    localized_error,
    parse_number,
    redirect,
    render,
)

BLOCKS_PER_PAGE = 20
ENTRIES_PER_PAGE = 50

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_BLOCK_REF = re.compile(r"(?:b|block|블록)\s*#?\s*([0-9]+)")
_NUMBER_REF = re.compile(r"#?\s*([0-9]+)")


@dataclass(frozen=True, slots=True)
class _BlockView:
    height: int
    prev: str
    first_index: int
    tree_size: int
    root: str
    time: str
    hash: str

    @property
    def entries(self) -> int:
        return self.tree_size - self.first_index

    @classmethod
    def of(cls, stored: StoredBlock) -> _BlockView:
        header = BlockHeader.decode(stored.header)
        return cls(
            height=header.height,
            prev=header.prev.hex(),
            first_index=header.first_index,
            tree_size=header.tree_size,
            root=header.root.hex(),
            time=header.time,
            hash=stored.hash.hex(),
        )


@dataclass(frozen=True, slots=True)
class _CheckpointView:
    size: int
    root: str
    height: int
    time: str
    cosignatures: int
    signed: bool


@dataclass(frozen=True, slots=True)
class _EntryView:
    index: int
    type: str | None
    id: str | None
    at: str | None
    signers: list[str]
    leaf_hash: str
    pretty: str

    @classmethod
    def of(cls, stored: StoredEntry) -> _EntryView:
        summary = summarize(stored.data)
        return cls(
            index=stored.index,
            type=summary.type,
            id=summary.id,
            at=summary.at,
            signers=list(summary.kids),
            leaf_hash=merkle.leaf_hash(stored.data).hex(),
            pretty=(
                json.dumps(summary.content, indent=2, ensure_ascii=False)
                if summary.content is not None
                else stored.data.hex()
            ),
        )


@dataclass(frozen=True, slots=True)
class _ProofView:
    label: str
    tree_size: int
    root: str
    path: list[str]
    verified: bool
    reason: str | None
    api_url: str


def _signed_root(ledger: Ledger, note: str, tree_size: int) -> bytes | None:
    """The root in ``note`` if the log's key signed it for this log and tree size, else None."""
    try:
        checkpoint, _ = open_checkpoint(note, [ledger.verifier_key()])
    except BlockcityError:
        return None
    if checkpoint.origin != ledger.origin or checkpoint.size != tree_size:
        return None
    return checkpoint.root


def _cosignature_count(ledger: Ledger, note: str) -> int:
    """How many trusted witnesses validly cosigned ``note``."""
    witness_key = ledger.store.get_meta("witness_verifier_key")
    if not witness_key:
        return 0
    try:
        checkpoint, _ = open_checkpoint(note, [ledger.verifier_key()])
        return len(verify_cosignatures(note, checkpoint, [witness_key]))
    except BlockcityError:
        return 0


def _latest_checkpoint(ledger: Ledger) -> _CheckpointView | None:
    latest = ledger.latest_block
    if latest is None:
        return None
    stored = ledger.block(latest.height)
    block = _BlockView.of(stored)
    note = ledger.published_note(stored)
    signed_root = _signed_root(ledger, note, block.tree_size)
    return _CheckpointView(
        size=block.tree_size,
        root=block.root,
        height=block.height,
        time=block.time,
        cosignatures=_cosignature_count(ledger, note),
        signed=signed_root is not None and signed_root.hex() == block.root,
    )


def _proof(
    ledger: Ledger, leaf: bytes, index: int, stored: StoredBlock, label: str, base: str
) -> _ProofView:
    """Check the inclusion of ``leaf`` (hashed here from the entry's bytes) against the root the
    log signed in ``stored``'s checkpoint, not against a root computed from our own tiles."""
    block = _BlockView.of(stored)
    proof = ledger.inclusion_proof(index, block.tree_size)
    signed_root = _signed_root(ledger, stored.checkpoint, block.tree_size)
    reason: str | None
    if signed_root is None:
        verified, reason = False, "proof.reason.checkpoint"
        root = proof.root
    else:
        root = signed_root
        verified = merkle.verify_inclusion(leaf, index, block.tree_size, proof.path, signed_root)
        reason = None if verified else "proof.reason.path"
    return _ProofView(
        label=label,
        tree_size=block.tree_size,
        root=root.hex(),
        path=[h.hex() for h in proof.path],
        verified=verified,
        reason=reason,
        api_url=f"{base}/api/v1/ledger/proofs/inclusion?index={index}&tree_size={block.tree_size}",
    )


def router(node: Node) -> APIRouter:
    """The web pages of ``node``: ``/``, ``/ledger``, blocks, entries, search and static files."""
    pages = APIRouter(include_in_schema=False, route_class=HtmlErrorRoute)
    ledger = node.ledger
    static_files = {p.name: p for p in (HERE / "static").iterdir() if p.is_file()}

    @pages.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html", section="home", checkpoint=_latest_checkpoint(ledger))

    @pages.get("/ledger", response_class=HTMLResponse)
    def explorer(request: Request, cursor: str | None = None) -> HTMLResponse:
        start = None if cursor is None else parse_number(cursor, "what.cursor")
        latest = ledger.latest_block
        rows: list[StoredBlock] = []
        if latest is not None:
            top = latest.height if start is None else min(start, latest.height)
            rows = ledger.blocks(top, BLOCKS_PER_PAGE + 1, descending=True)
        older = rows[BLOCKS_PER_PAGE].height if len(rows) > BLOCKS_PER_PAGE else None
        not_newest = start is not None and latest is not None and start < latest.height
        return render(
            request,
            "explorer.html",
            section="ledger",
            size=ledger.size,
            blocks=[_BlockView.of(b) for b in rows[:BLOCKS_PER_PAGE]],
            older_url=None if older is None else f"/ledger?cursor={older}",
            newest_url="/ledger" if not_newest else None,
        )

    @pages.get("/ledger/search")
    def search(q: str = "", kind: str = "entry") -> Response:
        text = q.strip().lower()
        if not text:
            raise localized_error(InvalidInput, "error.search.empty")
        if kind not in ("entry", "block"):
            raise localized_error(InvalidInput, "error.search.kind")
        if _UUID.fullmatch(text):
            return redirect(f"/ledger/entries/{ledger.entry_by_id(text).index}")
        if found := _BLOCK_REF.fullmatch(text):
            return redirect(f"/ledger/blocks/{parse_number(found[1], 'what.block_height')}")
        if found := _NUMBER_REF.fullmatch(text):
            if kind == "block":
                return redirect(f"/ledger/blocks/{parse_number(found[1], 'what.block_height')}")
            return redirect(f"/ledger/entries/{parse_number(found[1], 'what.entry_index')}")
        raise localized_error(InvalidInput, "error.search.format", query=q.strip()[:80])

    @pages.get("/ledger/blocks/{height}", response_class=HTMLResponse)
    def block(request: Request, height: str, cursor: str | None = None) -> HTMLResponse:
        stored = ledger.block(parse_number(height, "what.block_height"))
        view = _BlockView.of(stored)
        start = view.first_index if cursor is None else parse_number(cursor, "what.cursor")
        start = min(max(start, view.first_index), view.tree_size)
        end = min(start + ENTRIES_PER_PAGE, view.tree_size)
        note = ledger.published_note(stored)
        signed_root = _signed_root(ledger, note, view.tree_size)
        latest = ledger.latest_block
        return render(
            request,
            "block.html",
            section="ledger",
            block=view,
            entries=[_EntryView.of(e) for e in ledger.store.entries(start, end)],
            more_url=f"/ledger/blocks/{view.height}?cursor={end}" if end < view.tree_size else None,
            has_next=latest is not None and view.height < latest.height,
            note=note,
            signed=signed_root is not None and signed_root.hex() == view.root,
        )

    @pages.get("/ledger/entries/{index}", response_class=HTMLResponse)
    def entry(request: Request, index: str) -> HTMLResponse:
        number = parse_number(index, "what.entry_index")
        stored = ledger.entry(number)
        entry = _EntryView.of(stored)
        holder = ledger.block_containing(number)
        top = ledger.latest_block
        latest = holder if top is None or top.height == holder.height else ledger.block(top.height)
        base = str(request.base_url).rstrip("/")
        leaf = bytes.fromhex(entry.leaf_hash)
        if latest.height == holder.height:
            proofs = [_proof(ledger, leaf, number, holder, "proof.against_both", base)]
        else:
            proofs = [
                _proof(ledger, leaf, number, holder, "proof.against_block", base),
                _proof(ledger, leaf, number, latest, "proof.against_latest", base),
            ]
        return render(
            request,
            "entry.html",
            section="ledger",
            entry=entry,
            block=_BlockView.of(holder),
            proofs=proofs,
            verifier_key=ledger.verifier_key(),
            urls={
                "checkpoint": f"{base}/api/v1/ledger/checkpoint",
                "block": f"{base}/api/v1/ledger/blocks/{holder.height}",
                "entry": f"{base}/api/v1/ledger/entries/{number}",
            },
        )

    @pages.get("/static/{name}")
    def static(name: str) -> FileResponse:
        path = static_files.get(name)
        if path is None:
            raise localized_error(NotFound, "error.static", name=name[:80])
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    return pages
