"""The Blockcerts side of the credentials benchmark: cert-issuer 3.13 issuance and v3 verification.

Run by ``benchmarks._credentials_peers`` with the python of the peer venv
(``.bench-venv-credentials``), never the project's. It issues batches of certificates with
cert-issuer on its offline mock chain, then verifies the issued certificates by the published
Blockcerts v3 verification steps, and prints one JSON object. Nothing here touches the network:
every JSON-LD context the sample uses is one cert-schema preloads. Only the standard library is
imported at module level, so the project's side can import ``sample_certificate`` from here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/blockcerts/v3.2"]
"""VC Data Model 2.0 and Blockcerts 3.2, both preloaded by cert-schema, so no context is fetched."""

ISSUER = "https://city.example.org/issuers/seoul-pass.json"
VERIFICATION_METHOD = f"{ISSUER}#key-1"
MOCK_CHAIN_PREFIX = "blink:mocknet:"
BASE58BTC = "z"
"""The multibase prefix of base58btc, the encoding lds-merkle-proof-2019 writes."""

VERIFICATION_STEPS = (
    "decode the lds-merkle-proof-2019 proofValue: multibase base58btc with pycoin's a2b_base58 "
    "(py-multibase's decoder is quadratic: 5.4 of 7.8 ms a certificate in batches of 1,000), then "
    "CBOR with the format's mapping tables (its own decoder prints to stdout on every field and "
    "raises KeyError 'networks' on mocknet anchors: lds-merkle-proof-2019 0.1.0, "
    "mappings.findNetworkById)",
    "compute the local hash: SHA-256 of the URDNA2015 normal form of the certificate without "
    "its proof, refusing unmapped fields (cert-schema normalize_jsonld)",
    "compare the local hash with the proof's targetHash",
    "check the Merkle path from targetHash to merkleRoot (blockcerts-merkletools)",
    "check the anchor is the mock chain and merkleRoot equals the root anchored there",
    "check validFrom and validUntil against now",
)
SKIPPED_STEPS = (
    "issuer profile and key look-up, and revocation list: both are fetched over HTTP from the "
    "issuer, and a mock-chain anchor has no transaction signer to compare the issuer key with",
)


def sample_certificate(number: int) -> dict[str, Any]:
    """An unsigned Blockcerts v3 certificate of about the size of a city credential."""
    return {
        "@context": list(CONTEXTS),
        "id": f"urn:uuid:{uuid.UUID(int=number)}",
        "type": ["VerifiableCredential", "BlockcertsCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-03-01T00:00:00Z",
        "validUntil": "2031-03-01T00:00:00Z",
        "name": "Certificate of completion: forklift operation (기능사 실기)",
        "description": "Completed 40 hours of practical training at the Seoul skills centre.",
        "credentialSubject": {
            "id": f"did:example:holder-{number:08d}",
            "name": f"Holder {number}",
            "email": f"holder{number}@example.org",
            "claim": {
                "name": "Forklift operation, practical",
                "description": "40 hours, passed with 87 of 100 points.",
            },
        },
    }


def _configure(workdir: Path) -> Any:
    """cert-issuer's own configuration for the mock chain, without reading argv or conf.ini."""
    import configargparse
    from cert_core import Chain
    from cert_issuer import config

    parser = configargparse.ArgParser(default_config_files=[])
    config.add_arguments(parser)
    parsed = parser.parse_args(
        [
            "--chain=mockchain",
            # The mock chain signs nothing, but cert-issuer still reads a key file; safe mode
            # would poll google.com until the network is off, so it is turned off.
            "--no_safe_mode",
            f"--usb_name={workdir}",
            "--key_file=dummy.key",
            f"--issuing_address={ISSUER}",
            f"--verification_method={VERIFICATION_METHOD}",
            f"--unsigned_certificates_dir={workdir / 'unsigned'}",
            f"--signed_certificates_dir={workdir / 'signed'}",
            f"--blockchain_certificates_dir={workdir / 'issued'}",
            f"--work_dir={workdir / 'work'}",
        ]
    )
    parsed.chain = Chain.parse_from_chain(parsed.chain)
    # JSONLDHandler asks config.get_config() for extra contexts; set it so it never parses argv.
    config.CONFIG = parsed
    return parsed


def issue_batch(workdir: Path, count: int) -> tuple[float, bytes, list[Path]]:
    """Issue ``count`` certificates in one cert-issuer batch; the seconds it took, the root
    anchored on the mock chain, and the issued files."""
    from cert_issuer import issue_certificates
    from cert_issuer.models import MockTransactionHandler

    unsigned = workdir / "unsigned"
    unsigned.mkdir(parents=True)
    for number in range(count):
        (unsigned / f"{number:08d}.json").write_text(json.dumps(sample_certificate(number)))
    (workdir / "dummy.key").write_text("not-a-key: the mock chain signs nothing\n")
    app_config = _configure(workdir)
    app_config.batch_size = count

    # The mock chain keeps nothing; remember what was anchored so that verification can compare
    # merkleRoot with it, as a verifier compares it with the transaction's OP_RETURN.
    anchored: list[bytes] = []
    mock_issue = MockTransactionHandler.issue_transaction

    def record(handler: Any, op_return: bytes) -> str:
        anchored.append(op_return)
        return str(mock_issue(handler, op_return))

    MockTransactionHandler.issue_transaction = record
    try:
        began = time.perf_counter()
        issue_certificates.main(app_config)
        seconds = time.perf_counter() - began
    finally:
        MockTransactionHandler.issue_transaction = mock_issue
    issued = sorted((workdir / "issued").glob("*.json"))
    if len(issued) != count or len(anchored) != 1:
        raise RuntimeError(f"cert-issuer issued {len(issued)} of {count} certificates")
    return seconds, anchored[0], issued


def decode_receipt(proof_value: str, *, shipped_base58: bool = False) -> dict[str, Any]:
    """The Merkle receipt inside an lds-merkle-proof-2019 proofValue, decoded with the format's
    own mapping tables (see VERIFICATION_STEPS for why not with its decoder). The base58 step
    uses py-multibase, as lds-merkle-proof-2019 ships, when ``shipped_base58``; else pycoin."""
    import cbor2
    from lds_merkle_proof_2019 import mappings

    if not proof_value.startswith(BASE58BTC):
        raise ValueError("proofValue is not multibase base58btc")
    if shipped_base58:
        import multibase

        raw = multibase.decode(proof_value)
    else:
        from pycoin.encoding.b58 import a2b_base58

        raw = a2b_base58(proof_value[len(BASE58BTC) :])
    fields = {number: name for name, number in mappings.root.items()}
    sides = {number: name for name, number in mappings.path.items()}
    receipt: dict[str, Any] = {}
    for number, value in cbor2.loads(raw):
        name = fields[number]
        if name == "path":
            receipt[name] = [{sides[side]: cbor2.loads(node)} for side, node in value]
        elif name == "anchors":
            receipt[name] = [_anchor(parts, mappings.chain) for parts in value]
        else:
            receipt[name] = cbor2.loads(value)
    return receipt


def _anchor(parts: list[list[Any]], chains: dict[str, Any]) -> str:
    """``blink:<chain>:[<network>:]<transaction>``; the mock chain has no network part."""
    name = next(key for key, chain in chains.items() if chain["id"] == parts[0][1])
    if "networks" not in chains[name]:
        return f"blink:{name}:{_cbor_text(parts[1][1])}"
    network = next(key for key, n in chains[name]["networks"].items() if n == parts[1][1])
    return f"blink:{name}:{network}:{_cbor_text(parts[2][1])}"


def _cbor_text(encoded: bytes) -> str:
    import cbor2

    return str(cbor2.loads(encoded))


def verify_certificate(
    certificate: dict[str, Any], anchored_root: bytes, *, shipped_base58: bool = False
) -> str | None:
    """The published Blockcerts v3 steps (VERIFICATION_STEPS) for a mock-chain certificate;
    None when every step passes, else the first failing step."""
    from blockcerts_merkletools import MerkleTools
    from cert_schema import normalize_jsonld

    proof = certificate["proof"]
    if proof.get("cryptosuite") != "merkle-proof-2019":
        return "not a merkle-proof-2019 proof"
    receipt = decode_receipt(proof["proofValue"], shipped_base58=shipped_base58)
    document = {key: value for key, value in certificate.items() if key != "proof"}
    normalized = normalize_jsonld(document, detect_unmapped_fields=True)
    local_hash = hashlib.sha256(normalized.encode("utf-8")).hexdigest()
    if local_hash != receipt["targetHash"]:
        return "local hash differs from targetHash"
    if not MerkleTools(hash_type="sha256").validate_proof(
        receipt["path"], receipt["targetHash"], receipt["merkleRoot"]
    ):
        return "Merkle path does not lead to merkleRoot"
    anchors = receipt["anchors"]
    if not anchors or not all(anchor.startswith(MOCK_CHAIN_PREFIX) for anchor in anchors):
        return "anchor is not on the mock chain"
    if bytes.fromhex(receipt["merkleRoot"]) != anchored_root:
        return "merkleRoot is not the anchored root"
    now = datetime.now(UTC)
    if datetime.fromisoformat(certificate["validFrom"]) > now:
        return "not valid yet"
    if "validUntil" in certificate and datetime.fromisoformat(certificate["validUntil"]) < now:
        return "expired"
    return None


def tampered(certificate: dict[str, Any]) -> dict[str, Any]:
    """The same certificate with one claim changed, which verification must refuse."""
    changed: dict[str, Any] = json.loads(json.dumps(certificate))
    changed["credentialSubject"]["claim"]["description"] += " (amended)"
    return changed


def run(args: argparse.Namespace) -> dict[str, Any]:
    # cert-issuer logs every Merkle proof at INFO and warns on every certificate whose last
    # context is newer than Blockcerts 3.0; silencing the log measures the issuer, not stderr.
    logging.disable(logging.WARNING)
    workdir = Path(args.workdir)
    issue_seconds: list[float] = []
    anchored_root = b""
    issued: list[Path] = []
    for number in range(args.runs):
        seconds, anchored_root, issued = issue_batch(workdir / f"run-{number}", args.count)
        issue_seconds.append(seconds)

    certificates = [json.loads(path.read_text()) for path in issued[: args.verify_count]]
    verify_seconds: list[float] = []
    shipped_seconds: list[float] = []
    for _ in range(args.runs):
        for shipped, seconds in ((False, verify_seconds), (True, shipped_seconds)):
            began = time.perf_counter()
            failures = [
                verify_certificate(c, anchored_root, shipped_base58=shipped) for c in certificates
            ]
            seconds.append(time.perf_counter() - began)
            if any(failures):
                raise RuntimeError(f"an issued certificate failed verification: {failures}")
    refused = verify_certificate(tampered(certificates[0]), anchored_root)
    if refused is None:
        raise RuntimeError("a tampered certificate passed verification")

    issue_median = statistics.median(issue_seconds)
    verify_median = statistics.median(verify_seconds)
    shipped_median = statistics.median(shipped_seconds)
    label = f"cert-issuer {version('cert-issuer')}"
    return {
        "issuance": {
            "tool": label,
            "chain": "mockchain (offline)",
            "batch": args.count,
            "runs": args.runs,
            "ms_per_certificate": issue_median / args.count * 1e3,
            "per_s": args.count / issue_median,
            "per_run_ms_per_certificate": [s / args.count * 1e3 for s in issue_seconds],
            "note": "one cert-issuer batch per run (issue_certificates.main): file I/O, schema "
            "checks, JSON-LD normalization, Merkle tree, mock anchoring, proofs written; "
            "logging silenced",
        },
        "verification": {
            "tool": f"Blockcerts v3 published steps on {label}'s libraries: "
            f"cert-schema {version('cert-schema')}, "
            f"lds-merkle-proof-2019 {version('lds-merkle-proof-2019')}, "
            f"blockcerts-merkletools {version('blockcerts-merkletools')}, "
            f"PyLD {version('PyLD')}",
            "method": "implemented here: Blockcerts' own Python verifier (cert-verifier 2.0.15) "
            "does not install on Python 3.11 (its dependency pysha3 fails to build), so its "
            "published steps run on the peer's own libraries",
            "steps": list(VERIFICATION_STEPS),
            "skipped": list(SKIPPED_STEPS),
            "certificates": len(certificates),
            "runs": args.runs,
            "ms_per_certificate": verify_median / len(certificates) * 1e3,
            "per_s": len(certificates) / verify_median,
            "per_run_ms_per_certificate": [s / len(certificates) * 1e3 for s in verify_seconds],
            "tampered_refused": refused,
        },
        "verification_shipped_base58": {
            "tool": "the same steps, decoding base58 with py-multibase as lds-merkle-proof-2019 "
            "ships it (quadratic in the batch's proof sizes)",
            "certificates": len(certificates),
            "runs": args.runs,
            "ms_per_certificate": shipped_median / len(certificates) * 1e3,
            "per_s": len(certificates) / shipped_median,
            "per_run_ms_per_certificate": [s / len(certificates) * 1e3 for s in shipped_seconds],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", required=True, help="an empty folder for the batches")
    parser.add_argument("--count", type=int, required=True, help="certificates per batch")
    parser.add_argument("--runs", type=int, required=True, help="runs; figures are medians")
    parser.add_argument(
        "--verify-count", type=int, required=True, help="issued certificates verified per run"
    )
    parser.add_argument("--cpu", type=int, required=True, help="the one CPU to run on")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    print(json.dumps(run(args)))


if __name__ == "__main__":
    main()
