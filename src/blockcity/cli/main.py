"""``blockcity`` commands. Each parses its options, calls one thing and prints the result, as
text for people or as JSON with ``--json``; errors are one line and an exit code:
1 when a check failed, 2 for bad input or something not found, 3 when storage is unusable.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from blockcity.config import Config
from blockcity.credentials.checks import Verdict
from blockcity.credentials.verifier import Verifier, VerifierContext
from blockcity.errors import BlockcityError, InvalidInput, StorageError, VerificationFailed
from blockcity.identity.accounts import Accounts
from blockcity.identity.admins import create_first_admin
from blockcity.identity.model import Account
from blockcity.identity.proofing import create_officer
from blockcity.identity.seoulpass import SeoulPass
from blockcity.keystore import load_master_key
from blockcity.ledger.audit import audit
from blockcity.ledger.blocks import BlockHeader
from blockcity.ledger.entries import summarize
from blockcity.node import Node

app = typer.Typer(
    help="blockcity: the city's tamper-evident ledger and its services.",
    no_args_is_help=True,
    add_completion=False,
)
ledger_app = typer.Typer(help="Inspect, prove and audit the ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")

DataOption = typer.Option(
    None, "--data", help="The data folder (default: $BLOCKCITY_DATA or ./blockcity-data)."
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of text.")

T = TypeVar("T")


def _exit_code(error: BlockcityError) -> int:
    if isinstance(error, VerificationFailed):
        return 1
    if isinstance(error, StorageError):
        return 3
    return 2


def _fail(error: BlockcityError) -> typer.Exit:
    typer.echo(f"error: {error.diagnostics()}", err=True)
    return typer.Exit(_exit_code(error))


@contextmanager
def _readonly(data: Path | None) -> Iterator[Node]:
    config = Config.from_env(data)
    try:
        node = Node.open_readonly(config.data_dir)
    except BlockcityError as exc:
        raise _fail(exc) from exc
    try:
        yield node
    except BlockcityError as exc:
        raise _fail(exc) from exc
    finally:
        node.close()


def _emit(as_json: bool, payload: dict[str, Any], text: Callable[[], str]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo(text())


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    data: Path | None = DataOption,
    demo: bool = typer.Option(True, help="Write demo data into an empty ledger."),
) -> None:
    """Run the platform: API at /api/v1, pages at /, the ledger in the data folder."""
    import uvicorn

    from blockcity.app import create_app
    from blockcity.demo import (
        seed_demo,
        seed_demo_credential,
        seed_demo_dids,
        seed_demo_issuers,
    )

    config = Config.from_env(data)
    try:
        node = Node.open(config)
    except BlockcityError as exc:
        raise _fail(exc) from exc
    try:
        if demo:
            written = (
                seed_demo(node)
                + seed_demo_dids(node)
                + seed_demo_issuers(node)
                + seed_demo_credential(node)
            )
            if written:
                typer.echo(f"wrote {written} demo entries into the new ledger")
        typer.echo(f"ledger: {config.data_dir.resolve()}  ({node.ledger.size} entries)")
        typer.echo(f"verifier key: {node.ledger.verifier_key()}")
        typer.echo(f"open http://{host}:{port}/ in a browser")
        uvicorn.run(create_app(node), host=host, port=port, log_level="warning")
    finally:
        node.close()


@ledger_app.command("checkpoint")
def checkpoint(data: Path | None = DataOption, as_json: bool = JsonOption) -> None:
    """Print the latest checkpoint (a C2SP signed note with witness cosignatures)."""
    with _readonly(data) as node:
        note = node.ledger.checkpoint()
        _emit(
            as_json,
            {"checkpoint": note, "verifier_key": node.ledger.verifier_key()},
            lambda: note.rstrip("\n"),
        )


def _block_dict(node: Node, height: int) -> dict[str, Any]:
    stored = node.ledger.block(height)
    header = BlockHeader.decode(stored.header)
    return {
        **header.to_dict(),
        "hash": stored.hash.hex(),
        "entries": stored.tree_size - stored.first_index,
        "checkpoint": stored.checkpoint,
    }


@ledger_app.command("block")
def block(
    height: str = typer.Argument("latest", help="A block height, or 'latest'."),
    data: Path | None = DataOption,
    as_json: bool = JsonOption,
) -> None:
    """Print one block header."""
    with _readonly(data) as node:
        h = _parse_height(node, height)
        info = _block_dict(node, h)
        _emit(
            as_json,
            info,
            lambda: "\n".join(f"{k:11} {v}" for k, v in info.items() if k != "checkpoint"),
        )


def _parse_height(node: Node, text: str) -> int:
    if text == "latest":
        latest = node.ledger.latest_block
        if latest is None:
            raise _fail(StorageError("the ledger has no blocks yet", "원장에 블록이 아직 없습니다"))
        return latest.height
    return _nonnegative(text, "block height")


def _nonnegative(text: str, what: str) -> int:
    if not text.isdigit():
        raise _fail(
            InvalidInput(
                f"{what} must be a whole number of 0 or more, not {text!r}",
                f"{what}은(는) 0 이상의 정수여야 합니다: {text!r}",
            )
        )
    return int(text)


@ledger_app.command("entry")
def entry(
    ref: str = typer.Argument(..., help="An entry index, or an entry id (UUID)."),
    data: Path | None = DataOption,
    as_json: bool = JsonOption,
) -> None:
    """Print one entry, the block that holds it and its inclusion proof."""
    with _readonly(data) as node:
        stored = (
            node.ledger.entry_by_id(ref)
            if "-" in ref
            else node.ledger.entry(_nonnegative(ref, "entry index"))
        )
        holder = node.ledger.block_containing(stored.index)
        proof = node.ledger.inclusion_proof(stored.index, holder.tree_size)
        summary = summarize(stored.data)
        info = {
            "index": stored.index,
            "id": summary.id,
            "type": summary.type,
            "block": holder.height,
            "entry": summary.content if summary.content is not None else stored.data.hex(),
            "inclusion_proof": proof.to_dict(),
        }
        _emit(
            as_json,
            info,
            lambda: (
                f"index {stored.index}  block {holder.height}  type {summary.type or '-'}\n"
                f"{stored.data.decode('utf-8', 'replace')}\n"
                f"leaf hash {proof.leaf_hash.hex()}  proof of {len(proof.path)} hashes "
                f"against tree size {proof.tree_size}"
            ),
        )


@ledger_app.command("proof")
def proof(
    index: int | None = typer.Argument(None, min=0, help="Entry index for an inclusion proof."),
    tree_size: int | None = typer.Option(
        None, "--tree-size", min=0, help="Prove against this size (default: latest)."
    ),
    consistency_from: int | None = typer.Option(
        None, "--from", min=1, help="Give a consistency proof from this older tree size instead."
    ),
    data: Path | None = DataOption,
    as_json: bool = JsonOption,
) -> None:
    """Print an inclusion proof (INDEX) or a consistency proof (--from OLD), RFC 9162."""
    if (index is None) == (consistency_from is None):
        raise _fail(
            InvalidInput(
                "give either an entry INDEX or --from OLD_SIZE",
                "항목 번호(INDEX) 또는 --from 이전 크기 중 하나를 주세요",
            )
        )
    with _readonly(data) as node:
        if index is not None:
            result: Any = node.ledger.inclusion_proof(index, tree_size)
        else:
            assert consistency_from is not None
            result = node.ledger.consistency_proof(consistency_from, tree_size)
        payload = result.to_dict()
        _emit(
            as_json,
            payload,
            lambda: "\n".join(
                f"{k}: {v}" if k != "path" else "path:\n" + "\n".join(f"  {h}" for h in v)
                for k, v in payload.items()
            ),
        )


@ledger_app.command("audit")
def audit_command(
    data: Path | None = DataOption,
    as_json: bool = JsonOption,
    verifier_key: str | None = typer.Option(
        None,
        "--verifier-key",
        help="The log's key from a source you trust (default: the one in the data folder).",
    ),
) -> None:
    """Recompute every hash, signature and link from storage; exit 1 naming the first bad block."""
    with _readonly(data) as node:
        key = verifier_key or node.ledger.verifier_key()
        report = audit(
            node.ledger.store,
            key,
            node.ledger.origin,
            lambda entry: node.validator.check(entry, check_time=False),
        )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    elif report.ok:
        typer.echo(
            f"ok: {report.blocks} blocks, {report.entries} entries, tree size {report.tree_size}, "
            f"root {report.root.hex()}"
        )
    else:
        typer.echo(f"FAILED: first bad block {report.first_bad_block}", err=True)
        for problem in report.problems:
            typer.echo(f"  - {problem.what}", err=True)
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("verifier-key")
def verifier_key_command(data: Path | None = DataOption, as_json: bool = JsonOption) -> None:
    """Print the log's note verifier key (name+hash+base64) on the last line."""
    with _readonly(data) as node:
        key = node.ledger.verifier_key()
        _emit(
            as_json,
            {"origin": node.ledger.origin, "verifier_key": key},
            lambda: f"origin: {node.ledger.origin}\n{key}",
        )


_VERDICT_HEADERS = {
    ("ko", True): "유효 (VALID): 모든 확인을 통과했습니다",
    ("ko", False): "무효 (INVALID): 통과하지 못한 확인이 있습니다",
    ("en", True): "VALID: every check passed",
    ("en", False): "INVALID: at least one check failed",
}
_UNREADABLE_HEADERS = {"ko": "읽을 수 없음 (UNREADABLE)", "en": "UNREADABLE"}


def _read_input(file: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough for the verifier to say a file is too large without
    reading all of a huge one."""
    try:
        if file == "-":
            return sys.stdin.buffer.read(limit + 1)
        with Path(file).open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {file}: {exc.strerror or exc}",
            f"{file}을(를) 읽을 수 없습니다: {exc.strerror or exc}",
        ) from exc


_STANDALONE_NOTICE = {
    "en": "note: no ledger in {folder}; checking without the platform's ledger and registries "
    "(did:key issuers resolve offline; name other issuers with --trust-key, or the platform's "
    "data folder with --data)",
    "ko": "참고: {folder}에 원장이 없어 플랫폼의 원장과 등록부 없이 확인합니다 (did:key 발급자는 "
    "오프라인으로 확인되며, 다른 발급자는 --trust-key로, 플랫폼 데이터 폴더는 --data로 지정하세요)",
}


def _verdict_text(verdict: Verdict, lang: str) -> str:
    if verdict.unreadable:
        lines = [_UNREADABLE_HEADERS[lang]]
    else:
        lines = [_VERDICT_HEADERS[(lang, verdict.valid)]]
    summary = verdict.summary
    if summary.get("issuer"):
        label = "발급자" if lang == "ko" else "issuer"
        name = f" ({summary['issuer_name']})" if summary.get("issuer_name") else ""
        lines.append(f"  {label}: {summary['issuer']}{name}")
    if summary.get("types"):
        label = "유형" if lang == "ko" else "type"
        lines.append(f"  {label}: {', '.join(str(t) for t in summary['types'])}")
    for check in verdict.checks:
        mark = "✔" if check.ok else "✘"
        lines.append(f"{mark} {check.name}: {check.reason(lang)}")
    return "\n".join(lines)


@app.command()
def verify(
    file: str = typer.Argument(
        ..., help="A VC/VP (JSON), a credential bundle, an SD-JWT, or a PDF; - for stdin."
    ),
    lang: str = typer.Option("ko", "--lang", help="Language of the reasons: ko or en."),
    as_json: bool = JsonOption,
    trust_key: list[str] = typer.Option(
        [],
        "--trust-key",
        help="Also trust this issuer DID, in the registry or not (repeatable).",
    ),
    nonce: str | None = typer.Option(
        None, "--nonce", help="The challenge you gave the holder (presentations)."
    ),
    audience: str | None = typer.Option(
        None, "--audience", help="Your own identifier the holder presented to (presentations)."
    ),
    data: Path | None = DataOption,
) -> None:
    """Verify a credential and print every check; exit 0 valid, 1 a check failed, 2 unreadable."""
    if lang not in ("ko", "en"):
        raise _fail(
            InvalidInput(
                f"--lang is ko or en, not {lang!r}", f"--lang은 ko 또는 en이어야 합니다: {lang!r}"
            )
        )
    config = Config.from_env(data)
    trusted = frozenset(trust_key)
    try:
        node: Node | None = Node.open_readonly(config.data_dir)
    except BlockcityError as exc:
        if data is not None or "BLOCKCITY_DATA" in os.environ:
            # A folder the user named and that holds no ledger is a mistake to point out,
            # not a reason to verify against less than they asked for.
            typer.echo(f"error: {exc.diagnostics()}", err=True)
            raise typer.Exit(2) from exc
        # Verifying on a machine that runs no node (another city, an interop test): did:key
        # issuers resolve offline and --trust-key names whom to trust; the checks that need
        # the platform's ledger and registries fail and say so.
        typer.echo(_STANDALONE_NOTICE[lang].format(folder=config.data_dir), err=True)
        node = None
    try:
        verifier = (
            node.verifier(trusted_issuers=trusted)
            if node is not None
            else Verifier(VerifierContext(trusted_issuers=trusted))
        )
        try:
            raw = _read_input(file, verifier.context.max_bytes)
        except BlockcityError as exc:
            raise _fail(exc) from exc
        verdict = verifier.verify(raw, nonce=nonce, audience=audience)
    finally:
        if node is not None:
            node.close()
    _emit(as_json, verdict.to_dict(lang), lambda: _verdict_text(verdict, lang))
    if verdict.unreadable:
        raise typer.Exit(2)
    if not verdict.valid:
        raise typer.Exit(1)


accounts_app = typer.Typer(
    help="Create the accounts that cannot sign themselves up: administrators and officers.",
    no_args_is_help=True,
)
app.add_typer(accounts_app, name="accounts")


def _create_account(
    data: Path | None,
    username: str,
    name: str,
    create: Callable[[Accounts, str, str, str], Account],
) -> Account:
    """Open only Seoul Pass's database (safe while the server runs) and create one account."""
    config = Config.from_env(data)
    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        master = load_master_key(
            config.master_key, config.master_key_file, config.data_dir / "keys" / "master.key"
        )
        seoul_pass = SeoulPass(config.data_dir, master)
        try:
            return create(seoul_pass.accounts, username, password, name)
        finally:
            seoul_pass.close()
    except BlockcityError as exc:
        raise _fail(exc) from exc


@accounts_app.command("create-admin")
def create_admin(
    username: str = typer.Argument(..., help="The administrator's username."),
    name: str = typer.Option(..., "--name", help="The name shown on pages."),
    data: Path | None = DataOption,
) -> None:
    """Create the platform's first administrator (refused once one exists)."""
    account = _create_account(data, username, name, create_first_admin)
    typer.echo(f"administrator {account.username} created: {account.did}")


@accounts_app.command("create-officer")
def create_officer_command(
    username: str = typer.Argument(..., help="The officer's username."),
    name: str = typer.Option(..., "--name", help="The name shown on pages."),
    data: Path | None = DataOption,
) -> None:
    """Create a registration officer, who confirms people's identity at /officer/proof."""
    account = _create_account(data, username, name, create_officer)
    typer.echo(f"officer {account.username} created: {account.did}")


def main() -> None:
    try:
        app()
    except BlockcityError as exc:
        typer.echo(f"error: {exc.diagnostics()}", err=True)
        sys.exit(_exit_code(exc))
