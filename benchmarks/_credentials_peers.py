"""The peers of the credentials benchmark: what a city would otherwise pick, measured in one run.

Blockcerts (cert-issuer 3.13 on its offline mock chain, and verification by the published
Blockcerts v3 steps) and DIDKit (W3C credential signing and verification) live in their own venv,
``.bench-venv-credentials`` at the repository root, created here with pip on first use and never
a project dependency. Each peer runs as a subprocess with that venv's python, pinned to one CPU,
and prints JSON; ``run_peers`` gathers it. ``python -m benchmarks._credentials_peers --quick``
prints the figures alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER_VENV = ROOT / ".bench-venv-credentials"
RECORD = PEER_VENV / "peers.json"
"""What the set-up installed (name -> version) or why not (name -> "unavailable: ...")."""

BLOCKCERTS_SCRIPT = Path(__file__).with_name("_blockcerts_peer.py")
VC_SCRIPT = Path(__file__).with_name("_vc_verify_peer.py")

BLOCKCERTS_REQUIREMENTS = (
    # cert-issuer 3.13 pins glob2==0.6, whose iglob raises re.error "global flags not at the
    # start of the expression" on Python 3.11; 0.7 fixes that with the same API.
    # So cert-issuer goes in with --no-deps, after its declared requirements with glob2 0.7, and
    # without tox, a test runner it declares but never imports.
    "glob2==0.7",
    "cert-core>=3.0.0",
    "cert-schema>=3.10.0",
    "blockcerts-merkletools>=1.0.4",
    "configargparse==0.13.0",
    "mock==2.0.0",
    "requests>=2.18.4",
    "pycoin==0.92.20241201",
    "pyld==2.0.3",
    "safe-pysha3>=1.0.2",
    "python-bitcoinlib>=0.10.1",
    "jsonschema>=4.0.0",
    "lds-merkle-proof-2019>=0.1.0",
    "connexion==3.2.0",
    "setuptools>=75.8.0",
)
BLOCKCERTS_ISSUER = "cert-issuer==3.13"
BLOCKCERTS_IMPORTS = "import cert_issuer.issue_certificates, cert_schema, lds_merkle_proof_2019"
BLOCKCERTS_DISTRIBUTIONS = (
    "cert-issuer",
    "cert-schema",
    "cert-core",
    "lds-merkle-proof-2019",
    "blockcerts-merkletools",
    "PyLD",
    "glob2",
)

W3C_VERIFIERS = ("didkit", "pyvckit")
"""W3C credential verifiers to try, best first; the first that installs and runs offline is
measured, and the set-up records why each other one is not."""
NOT_OFFLINE = {
    "pyvckit": "not offline: pyvckit 0.0.21 fetches every JSON-LD context over HTTP when it "
    "signs or verifies (pyvckit/sign.py create_loader, no cache), and pyvckit.verify imports "
    "pyroaring, which it does not declare; checked by hand on 2026-11-25",
}

QUICK_RUNS, FULL_RUNS = 1, 3
QUICK_VERIFY, FULL_VERIFY = 100, 1_000
"""Certificates verified per run: verification costs milliseconds each, so a sample suffices."""


def _pip(python: Path, *arguments: str) -> str | None:
    """Run pip in the peer venv; None on success, else the last line pip wrote."""
    command = [str(python), "-m", "pip", "install", "--quiet", "--retries", "1", "--timeout", "20"]
    done = subprocess.run([*command, *arguments], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return None
    lines = [ln for ln in done.stderr.splitlines() if not ln.startswith("WARNING:")]
    return (lines or ["no message"])[-1].strip()


def _versions(python: Path, imports: str, distributions: tuple[str, ...]) -> dict[str, str] | str:
    """The installed versions, once ``imports`` succeeds in the venv; else why it failed."""
    code = (
        f"{imports}\nimport json, importlib.metadata as m\n"
        f"print(json.dumps({{d: m.version(d) for d in {list(distributions)!r}}}))"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        return (done.stderr.strip().splitlines() or ["no message"])[-1]
    found: dict[str, str] = json.loads(done.stdout)
    return found


def _install_blockcerts(python: Path) -> dict[str, str] | str:
    failed = _pip(python, *BLOCKCERTS_REQUIREMENTS) or _pip(python, "--no-deps", BLOCKCERTS_ISSUER)
    if failed:
        return f"unavailable: pip failed: {failed}"
    found = _versions(python, BLOCKCERTS_IMPORTS, BLOCKCERTS_DISTRIBUTIONS)
    return found if isinstance(found, dict) else f"unavailable: installed but {found}"


def _install_w3c(python: Path) -> dict[str, str]:
    """Try each W3C verifier in turn until one installs and imports; the reasons for the rest."""
    outcome: dict[str, str] = {}
    for name in W3C_VERIFIERS:
        if name in NOT_OFFLINE:
            outcome[name] = f"unavailable: {NOT_OFFLINE[name]}"
            continue
        if any(not found.startswith("unavailable") for found in outcome.values()):
            continue
        failed = _pip(python, name)
        found = _versions(python, f"import {name}", (name,)) if failed is None else failed
        if isinstance(found, dict):
            outcome[name] = found[name]
        else:
            outcome[name] = f"unavailable: {found}"
    return outcome


def ensure_peer_venv() -> Path:
    """The python of ``.bench-venv-credentials``, set up with the peers on first use.

    The set-up is recorded in ``peers.json`` inside the venv (versions, or why a peer is
    unavailable, and how long it took); delete the folder to set the peers up again. Raises
    RuntimeError when the venv itself cannot be made.
    """
    python = PEER_VENV / "bin" / "python"
    if RECORD.exists() and python.exists():
        return python
    print(f"Setting up the credential peers in {PEER_VENV} with pip ...", file=sys.stderr)
    began = time.perf_counter()
    if not python.exists():
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(PEER_VENV)],
            capture_output=True,
            text=True,
            check=False,
        )
        if made.returncode:
            raise RuntimeError(f"could not make {PEER_VENV}: {made.stderr.strip()}")
    record = {
        "blockcerts": _install_blockcerts(python),
        "w3c": _install_w3c(python),
        "python": sys.version.split()[0],
        "setup_seconds": round(time.perf_counter() - began, 1),
    }
    RECORD.write_text(json.dumps(record, indent=2) + "\n")
    print(f"Peers set up in {record['setup_seconds']} s", file=sys.stderr)
    return python


def peer_record() -> dict[str, Any]:
    """What ``ensure_peer_venv`` installed, as recorded in ``peers.json``."""
    found: dict[str, Any] = json.loads(RECORD.read_text())
    return found


def _run(python: Path, script: Path, options: dict[str, object]) -> dict[str, Any] | str:
    """The JSON a peer script printed, or ``unavailable: reason`` when it failed."""
    command = [str(python), str(script), *(str(x) for kv in options.items() for x in kv)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"unavailable: {script.name} failed: {last}"
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found


def run_peers(count: int, quick: bool) -> dict[str, Any]:
    """The peers' figures, each labelled with its tool and version, or ``unavailable: reason``.

    ``count`` certificates are issued per Blockcerts batch and signed and verified by DIDKit in
    each run; Blockcerts verification takes the first ``min(count, 100 or 1,000)`` issued. Every
    rate is the median of 1 run (``quick``) or 3. The peers are pinned to the lowest CPU this
    process may use, so each rate is a one-core rate.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    runs = QUICK_RUNS if quick else FULL_RUNS
    cpu = min(os.sched_getaffinity(0))
    result: dict[str, Any] = {"runs": runs, "count": count, "cpu": cpu}
    try:
        python = ensure_peer_venv()
    except RuntimeError as error:
        reason = f"unavailable: {error}"
        return result | {
            "blockcerts_issuance": reason,
            "blockcerts_verification": reason,
            "w3c_verification": reason,
        }
    record = peer_record()
    result["installed"] = record

    if isinstance(record["blockcerts"], dict):
        with tempfile.TemporaryDirectory(prefix="blockcity-bench-blockcerts-") as workdir:
            options: dict[str, object] = {
                "--workdir": workdir,
                "--count": count,
                "--runs": runs,
                "--verify-count": min(count, QUICK_VERIFY if quick else FULL_VERIFY),
                "--cpu": cpu,
            }
            blockcerts = _run(python, BLOCKCERTS_SCRIPT, options)
        for part in ("issuance", "verification", "verification_shipped_base58"):
            figures = blockcerts if isinstance(blockcerts, str) else blockcerts[part]
            result[f"blockcerts_{part}"] = figures
    else:
        result["blockcerts_issuance"] = result["blockcerts_verification"] = record["blockcerts"]

    # DIDKit is the one W3C verifier that runs offline (NOT_OFFLINE says why the others do not).
    if not record["w3c"].get("didkit", "unavailable").startswith("unavailable"):
        result["w3c_verification"] = _run(
            python, VC_SCRIPT, {"--count": count, "--runs": runs, "--cpu": cpu}
        )
    else:
        reasons = "; ".join(f"{name}: {found}" for name, found in record["w3c"].items())
        result["w3c_verification"] = f"unavailable: no offline W3C verifier installed ({reasons})"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks._credentials_peers",
        description="The credential peers alone: Blockcerts (cert-issuer 3.13) and DIDKit.",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run of 100")
    parser.add_argument("--count", type=int, help="certificates per batch (100 quick, 1,000)")
    args = parser.parse_args()
    count = args.count or (100 if args.quick else 1_000)
    print(json.dumps(run_peers(count, quick=bool(args.quick)), indent=2))


if __name__ == "__main__":
    main()
