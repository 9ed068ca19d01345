"""The credentials benchmark: issuing (sign + anchor) and fully verifying W3C credentials offline,
side by side with the peers a city would otherwise pick.

``python -m benchmarks.credentials`` runs on one core:

- **issuance**: eddsa-jcs-2022 career certificates signed by a platform-held issuer key, each
  digest anchored on the ledger (checked, appended and durably committed in blocks) and the
  credential stored, through ``Credentials.issue_many``;
- **offline verification**: each credential's bundle checked by a verifier that trusts only the
  ledger's key, the witness's key, the DID and trusted-issuer registries: signature, issuer key
  at signing time, issuer trust, validity, status from the list stapled to the bundle, the
  inclusion proof against the cosigned checkpoint and the witness quorum. Nothing is looked up.
- **peers** (benchmarks/_credentials_peers.py, in their own venv): Blockcerts issuance with
  cert-issuer on its mock chain, Blockcerts v3 verification by its published steps, and DIDKit.

Every rate is the median of several runs; ``--quick`` is a smoke run under 30 s once the peers'
venv exists (``--no-peers`` skips them). benchmarks/README.md records the latest figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.identity import cpu_name, one_core
from blockcity.config import Config
from blockcity.credentials.service import IssueRequest
from blockcity.credentials.verifier import Verifier, VerifierContext
from blockcity.crypto import SigningKey, did_key_from_public
from blockcity.demo import DEMO_ORGANIZATION_DID, seed_demo, seed_demo_dids, seed_demo_issuers
from blockcity.node import Node

VERIFY_TARGET = 2_000
ISSUE_TARGET = 3_000
PEER_RATIO_TARGET = 30


@dataclass(frozen=True, slots=True)
class Settings:
    runs: int
    issue_count: int
    verify_count: int
    peers: bool
    quick: bool


def claims(number: int) -> dict[str, Any]:
    """About 1 KB of canonical credential, like a career certificate with a few jobs' items."""
    return {
        "employer": "마포 카페",
        "employerRegistration": "101-86-00001",
        "position": "바리스타",
        "duties": "음료 제조, 매장 관리, 재고 확인",
        "period": {"start": "2025-03-01", "end": "2025-12-31"},
        "workplace": "서울특별시 마포구 월드컵북로 1",
        "hoursWorked": 812 + number % 100,
        "daysWorked": 203,
        "certificateNumber": f"CC-2026-{number:08d}",
    }


def open_node(folder: Path) -> Node:
    config = Config(data_dir=folder, block_max_entries=1000, block_max_delay_ms=20)
    node = Node.open(config)
    seed_demo(node)
    seed_demo_dids(node)
    seed_demo_issuers(node)
    return node


def issue_run(
    node: Node, holders: Sequence[str], start: int, count: int
) -> tuple[float, list[str]]:
    kid = node.credentials.issuer_kids(DEMO_ORGANIZATION_DID)[-1]
    requests = [
        IssueRequest(kid, "CareerCertificate", holders[i % len(holders)], claims(start + i))
        for i in range(count)
    ]
    began = time.perf_counter()
    issued = []
    for offset in range(0, count, 1000):
        issued += node.credentials.issue_many(requests[offset : offset + 1000])
    seconds = time.perf_counter() - began
    failures = [r for r in issued if isinstance(r, Exception)]
    if failures:
        raise RuntimeError(f"{len(failures)} credentials failed to issue: {failures[0]}")
    return seconds, [r.id for r in issued]  # type: ignore[union-attr]


def offline_verifier(node: Node) -> Verifier:
    """Trusts the ledger and witness keys and the registries; looks nothing up."""
    trust = node.ledger_trust()
    trust.newer = None
    return Verifier(VerifierContext(keys=node.dids, ledger=trust, issuers=node.issuers))


def run(settings: Settings) -> dict[str, Any]:
    pinned = one_core()
    holders = [did_key_from_public(SigningKey.generate().public) for _ in range(200)]
    with tempfile.TemporaryDirectory(prefix="blockcity-bench-credentials-") as folder:
        node = open_node(Path(folder) / "data")
        try:
            issue_seconds: list[float] = []
            ids: list[str] = []
            for number in range(settings.runs):
                seconds, ids = issue_run(
                    node, holders, number * settings.issue_count, settings.issue_count
                )
                issue_seconds.append(seconds)
            bundles = [
                json.dumps(node.credentials.bundle(i), ensure_ascii=False).encode()
                for i in ids[: settings.verify_count]
            ]
            sizes = sorted(len(json.dumps(node.credentials.get(i).document)) for i in ids[:50])
            verify_seconds: list[float] = []
            for _ in range(settings.runs):
                verifier = offline_verifier(node)
                began = time.perf_counter()
                verdicts = [verifier.verify(bundle) for bundle in bundles]
                verify_seconds.append(time.perf_counter() - began)
                bad = [v for v in verdicts if not v.valid]
                if bad:
                    raise RuntimeError(f"a genuine credential failed: {bad[0].failures}")
            tampered = json.loads(bundles[0])
            tampered["credential"]["credentialSubject"]["hoursWorked"] += 1
            if offline_verifier(node).verify(json.dumps(tampered).encode()).valid:
                raise RuntimeError("a tampered credential verified")
        finally:
            node.close()
    issue_rate = settings.issue_count / statistics.median(issue_seconds)
    verify_rate = len(bundles) / statistics.median(verify_seconds)
    result: dict[str, Any] = {
        "machine": {"cpu": cpu_name(), "python": sys.version.split()[0], "pinned": pinned},
        "runs": settings.runs,
        "credential_bytes_median": sizes[len(sizes) // 2],
        "issuance": {
            "count": settings.issue_count,
            "per_s": issue_rate,
            "per_run_per_s": [settings.issue_count / s for s in issue_seconds],
            "target_per_s": ISSUE_TARGET,
        },
        "verification": {
            "count": len(bundles),
            "per_s": verify_rate,
            "per_run_per_s": [len(bundles) / s for s in verify_seconds],
            "target_per_s": VERIFY_TARGET,
        },
    }
    if settings.peers:
        from benchmarks._credentials_peers import run_peers

        peers = run_peers(1_000 if not settings.quick else 100, quick=settings.quick)
        result["peers"] = peers
        result["ratios"] = ratios(issue_rate, verify_rate, peers)
    return result


def ratios(issue_rate: float, verify_rate: float, peers: dict[str, Any]) -> dict[str, Any]:
    """Our rate over each peer's, measured in this same run."""
    found: dict[str, Any] = {}
    for name, ours in (
        ("blockcerts_issuance", issue_rate),
        ("blockcerts_verification", verify_rate),
        ("blockcerts_verification_shipped_base58", verify_rate),
        ("w3c_verification", verify_rate),
    ):
        figure = peers.get(name)
        rate = _peer_rate(figure)
        found[name] = ours / rate if rate else figure
    return found


def _peer_rate(figure: object) -> float | None:
    """A peer's rate per second: Blockcerts reports ``per_s``, DIDKit ``verify_per_s``."""
    if not isinstance(figure, dict):
        return None
    rate = figure.get("per_s") or figure.get("verify_per_s")
    return float(rate) if rate else None


def report(result: dict[str, Any]) -> str:
    issuance, verification = result["issuance"], result["verification"]
    lines = [
        f"machine: {result['machine']['cpu']}, Python {result['machine']['python']}, "
        f"{result['machine']['pinned']}",
        f"credential: {result['credential_bytes_median']} bytes of JSON (median); "
        f"{result['runs']} runs, medians",
        f"issuance (sign + anchor + store): {issuance['per_s']:,.0f}/s "
        f"(runs: {', '.join(f'{r:,.0f}' for r in issuance['per_run_per_s'])}; "
        f"target >= {ISSUE_TARGET:,})",
        f"offline verification (every check): {verification['per_s']:,.0f}/s "
        f"(runs: {', '.join(f'{r:,.0f}' for r in verification['per_run_per_s'])}; "
        f"target >= {VERIFY_TARGET:,})",
    ]
    peers = result.get("peers")
    if peers:
        for name, label in (
            ("blockcerts_issuance", "Blockcerts issuance (cert-issuer, mock chain)"),
            ("blockcerts_verification", "Blockcerts v3 verification (published steps)"),
            (
                "blockcerts_verification_shipped_base58",
                "  the same with its shipped base58 decoder",
            ),
            ("w3c_verification", "DIDKit verification"),
        ):
            figure = peers.get(name)
            if isinstance(figure, dict):
                ratio = result["ratios"][name]
                lines.append(
                    f"{label}: {figure['per_s']:,.0f}/s ({figure['ms_per_certificate']:.2f} ms "
                    f"each) -> ours {ratio:.1f}x (target {PEER_RATIO_TARGET}x)"
                    if "ms_per_certificate" in figure
                    else f"{label}: {_peer_rate(figure) or 0:,.0f}/s -> ours {ratio:.1f}x"
                )
            else:
                lines.append(f"{label}: {figure}")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> tuple[Settings, bool]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.credentials", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run under 30 s")
    parser.add_argument("--no-peers", action="store_true", help="skip Blockcerts and DIDKit")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        settings = Settings(
            runs=2, issue_count=2_000, verify_count=1_000, peers=not args.no_peers, quick=True
        )
    else:
        settings = Settings(
            runs=3, issue_count=10_000, verify_count=5_000, peers=not args.no_peers, quick=False
        )
    return settings, args.json


def main(argv: Sequence[str] | None = None) -> None:
    settings, as_json = parse(argv)
    result = run(settings)
    print(json.dumps(result, indent=2, ensure_ascii=False) if as_json else report(result))


if __name__ == "__main__":
    main()
