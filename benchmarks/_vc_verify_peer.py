"""The W3C credential side of the credentials benchmark: DIDKit signing and verification.

Run by ``benchmarks._credentials_peers`` with the python of the peer venv
(``.bench-venv-credentials``), never the project's. DIDKit (SpruceID's Rust library, the
``didkit`` wheel) signs a set of sample credentials with an Ed25519 did:key, then verifies them
one after another, and this prints one JSON object. DIDKit resolves did:key and its JSON-LD
contexts from data compiled into it, so nothing here touches the network. Only the standard
library is imported at module level, so the project's side can import ``sample_credential``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from importlib.metadata import version
from typing import Any

PROOF_TYPE = "Ed25519Signature2020"
"""The newest Ed25519 suite DIDKit 0.3 signs: URDNA2015 + SHA-256 + Ed25519. It knows neither
VC Data Model 2.0 nor DataIntegrityProof (eddsa-rdfc-2022, eddsa-jcs-2022)."""

CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    # VC 1.1 defines no term for the claims; an inline context maps them without a fetch.
    {"@vocab": "https://city.example.org/vocab#"},
]
VERIFY_OPTIONS = json.dumps({"proofPurpose": "assertionMethod"})


def sample_credential(number: int, issuer: str) -> dict[str, Any]:
    """An unsigned credential with the same claims as the Blockcerts sample, in VC 1.1 terms."""
    return {
        "@context": list(CONTEXTS),
        "id": f"urn:uuid:{uuid.UUID(int=number)}",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2026-03-01T00:00:00Z",
        "expirationDate": "2031-03-01T00:00:00Z",
        "credentialSubject": {
            "id": f"did:example:holder-{number:08d}",
            "name": f"Holder {number}",
            "email": f"holder{number}@example.org",
            "description": "Forklift operation, practical: 40 hours, passed with 87 of 100 points.",
        },
    }


async def measure(count: int, runs: int) -> dict[str, Any]:
    import didkit

    key = didkit.generate_ed25519_key()
    issuer = didkit.key_to_did("key", key)
    options = json.dumps(
        {
            "proofPurpose": "assertionMethod",
            "verificationMethod": await didkit.key_to_verification_method("key", key),
            "type": PROOF_TYPE,
        }
    )
    unsigned = [json.dumps(sample_credential(n, issuer)) for n in range(count)]

    sign_seconds: list[float] = []
    signed: list[str] = []
    for _ in range(runs):
        began = time.perf_counter()
        signed = [await didkit.issue_credential(text, options, key) for text in unsigned]
        sign_seconds.append(time.perf_counter() - began)

    verify_seconds: list[float] = []
    for _ in range(runs):
        began = time.perf_counter()
        results = [json.loads(await didkit.verify_credential(c, VERIFY_OPTIONS)) for c in signed]
        verify_seconds.append(time.perf_counter() - began)
        failed = [r["errors"] for r in results if r["errors"] or "proof" not in r["checks"]]
        if failed:
            raise RuntimeError(f"DIDKit refused its own credentials: {failed[:3]}")

    changed = json.loads(signed[0])
    changed["credentialSubject"]["description"] += " (amended)"
    refused = json.loads(await didkit.verify_credential(json.dumps(changed), VERIFY_OPTIONS))
    if not refused["errors"]:
        raise RuntimeError("DIDKit accepted a tampered credential")

    sign_median = statistics.median(sign_seconds)
    verify_median = statistics.median(verify_seconds)
    return {
        "tool": f"DIDKit {version('didkit')}",
        "proof": f"{PROOF_TYPE}, did:key Ed25519, VC Data Model 1.1",
        "credentials": count,
        "runs": runs,
        "verify_ms_per_credential": verify_median / count * 1e3,
        "verify_per_s": count / verify_median,
        "verify_per_run_per_s": [count / s for s in verify_seconds],
        "sign_ms_per_credential": sign_median / count * 1e3,
        "sign_per_s": count / sign_median,
        "checks": "proof (URDNA2015 canonical form, Ed25519 signature, did:key resolution, "
        "proof purpose); no status list, no anchor",
        "tampered_refused": refused["errors"][0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, required=True, help="credentials per run")
    parser.add_argument("--runs", type=int, required=True, help="runs; figures are medians")
    parser.add_argument("--cpu", type=int, required=True, help="the one CPU to run on")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    # DIDKit's Python functions return awaitables that need a running event loop.
    print(json.dumps(asyncio.run(measure(args.count, args.runs))))


if __name__ == "__main__":
    main()
