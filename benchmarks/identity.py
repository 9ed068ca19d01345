"""The identity benchmark: password sign-in must stay deliberately slow, signature checks fast.

``python -m benchmarks.identity`` measures, on one core, a password sign-in (argon2id at the
platform's cost, median of several) and the verification rate of the two kinds of Seoul Pass
signature record: a passkey assertion (ES256, built exactly as an authenticator and a browser
build one) and a custodial Ed25519 signature. Each rate is the median of several runs;
``--quick`` is a smoke run under 30 s. benchmarks/README.md says what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from blockcity.crypto import SigningKey, b64url_encode, did_key_from_public
from blockcity.crypto.sealing import MasterKey
from blockcity.identity.accounts import Accounts
from blockcity.identity.db import IdentityDB
from blockcity.identity.signing import (
    RegisteredKey,
    SignatureKind,
    SignatureRecord,
    WebAuthnProof,
    verify_signature_record,
)

PASSWORD_TARGET_MS = 50.0
PASSKEY_TARGET = 3_000
ED25519_TARGET = 3_000
SIGNERS = 500
"""Distinct signers whose records are checked in turn, as a verifier sees many people."""
RP_ID = "seoulpass.example"
ORIGIN = f"https://{RP_ID}"
PASSWORD = "a sentence that is long enough"


@dataclass(frozen=True, slots=True)
class Settings:
    runs: int
    checks: int
    """Records verified per run, for each kind."""
    sign_ins: int
    quick: bool


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str
    passed: bool
    per_run: list[float]

    def line(self) -> str:
        shown = f"{self.value:,.1f} {self.unit}" if self.unit == "ms" else f"{self.value:,.0f}/s"
        return (
            f"{self.name:<44} {shown:>12}   {self.target:<12} {'PASS' if self.passed else 'FAIL'}"
        )


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def one_core() -> str:
    """Pin this process to one CPU, so that rates are per core whatever OpenSSL does."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU {core}"


def cose_es256(key: ec.EllipticCurvePublicKey) -> bytes:
    """The COSE_Key (RFC 9053) of a P-256 key, as an authenticator writes it in CBOR: a map of
    5 pairs {1 (kty): 2 (EC2), 3 (alg): -7 (ES256), -1 (crv): 1 (P-256), -2 (x), -3 (y)}."""
    numbers = key.public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    return b"\xa5\x01\x02\x03\x26\x20\x01" + b"\x21\x58\x20" + x + b"\x22\x58\x20" + y


def passkey_record(number: int, digest: bytes) -> tuple[SignatureRecord, RegisteredKey]:
    """A passkey signature record as Seoul Pass keeps one: an ES256 assertion whose challenge is
    ``digest``, with the clientDataJSON a browser writes and user presence and verification
    flagged (WebAuthn L2 §6.1, §5.8.1)."""
    key = ec.generate_private_key(ec.SECP256R1())
    public_key = cose_es256(key.public_key())
    authenticator_data = sha256(RP_ID.encode()).digest() + b"\x05" + (7 + number).to_bytes(4, "big")
    client_data_json = json.dumps(
        {
            "type": "webauthn.get",
            "challenge": b64url_encode(digest),
            "origin": ORIGIN,
            "crossOrigin": False,
        },
        separators=(",", ":"),
    ).encode()
    signed = authenticator_data + sha256(client_data_json).digest()
    did = did_key_from_public(SigningKey.generate().public)
    record = SignatureRecord(
        kind=SignatureKind.PASSKEY,
        digest=digest,
        signer=did,
        signed_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        signature=key.sign(signed, ec.ECDSA(hashes.SHA256())),
        webauthn=WebAuthnProof(
            credential_id=number.to_bytes(16, "big"),
            public_key=public_key,
            authenticator_data=authenticator_data,
            client_data_json=client_data_json,
        ),
    )
    return record, RegisteredKey(public_key, RP_ID, frozenset({ORIGIN}))


def custodial_record(digest: bytes) -> tuple[SignatureRecord, RegisteredKey]:
    key = SigningKey.generate()
    did = did_key_from_public(key.public)
    record = SignatureRecord(
        kind=SignatureKind.CUSTODIAL,
        digest=digest,
        signer=did,
        signed_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        signature=key.sign(digest),
        kid=f"{did}#{did.removeprefix('did:key:')}",
    )
    return record, RegisteredKey(key.public.raw)


def verification_rate(
    make: Callable[[int, bytes], tuple[SignatureRecord, RegisteredKey]], checks: int
) -> float:
    """Records verified per second by ``verify_signature_record``, cycling through SIGNERS
    signers; the resolver is a dictionary look-up, as a verifier holding the keys does."""
    made = [make(n, sha256(f"document {n}".encode()).digest()) for n in range(SIGNERS)]
    keys = {record.signer: key for record, key in made}
    records = [(record, record.digest) for record, _ in made]

    def resolve(record: SignatureRecord) -> RegisteredKey:
        return keys[record.signer]

    started = time.perf_counter()
    for i in range(checks):
        record, digest = records[i % SIGNERS]
        if not verify_signature_record(record, digest, resolve):
            raise AssertionError("a genuine record failed to verify")
    return checks / (time.perf_counter() - started)


def password_sign_in_ms(times: int) -> list[float]:
    """Milliseconds per ``Accounts.sign_in`` with the right password, at the platform's argon2id
    cost, on a real identity database (the lockout bookkeeping included)."""
    with tempfile.TemporaryDirectory() as folder:
        db = IdentityDB(Path(folder) / "identity.sqlite3")
        try:
            accounts = Accounts(db, MasterKey(os.urandom(32)))
            accounts.create("bench", PASSWORD, "Bench")
            durations = []
            for _ in range(times):
                started = time.perf_counter()
                accounts.sign_in("bench", PASSWORD)
                durations.append((time.perf_counter() - started) * 1000)
            return durations
        finally:
            db.close()


def measure(settings: Settings) -> list[Figure]:
    sign_in = password_sign_in_ms(settings.sign_ins)
    passkey = [verification_rate(passkey_record, settings.checks) for _ in range(settings.runs)]
    ed25519 = [
        verification_rate(lambda _, digest: custodial_record(digest), settings.checks)
        for _ in range(settings.runs)
    ]
    password_ms = statistics.median(sign_in)
    passkey_rate = statistics.median(passkey)
    ed25519_rate = statistics.median(ed25519)
    return [
        Figure(
            "password sign-in, argon2id (median)",
            password_ms,
            "ms",
            f">= {PASSWORD_TARGET_MS:.0f} ms",
            password_ms >= PASSWORD_TARGET_MS,
            [round(d, 2) for d in sign_in],
        ),
        Figure(
            "passkey assertion record verified (ES256)",
            passkey_rate,
            "/s",
            f">= {PASSKEY_TARGET:,}/s",
            passkey_rate >= PASSKEY_TARGET,
            [round(r) for r in passkey],
        ),
        Figure(
            "Ed25519 signature record verified",
            ed25519_rate,
            "/s",
            f">= {ED25519_TARGET:,}/s",
            ed25519_rate >= ED25519_TARGET,
            [round(r) for r in ed25519],
        ),
    ]


def parse_args(argv: Sequence[str] | None) -> tuple[Settings, Path | None]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.identity",
        description="Password sign-in cost and signature-record verification rates, one core.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 runs of 3,000 checks, 5 sign-ins"
    )
    parser.add_argument("--runs", type=int, help="runs per rate; each is their median (5)")
    parser.add_argument("--checks", type=int, help="records verified per run (20,000)")
    parser.add_argument("--sign-ins", type=int, help="password sign-ins timed (15)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    settings = Settings(
        runs=args.runs or (2 if quick else 5),
        checks=args.checks or (3_000 if quick else 20_000),
        sign_ins=args.sign_ins or (5 if quick else 15),
        quick=quick,
    )
    if settings.runs < 1 or settings.checks < 1 or settings.sign_ins < 1:
        parser.error("need --runs, --checks and --sign-ins of at least 1")
    return settings, args.json


def main(argv: Sequence[str] | None = None) -> int:
    settings, json_path = parse_args(argv)
    pinned = one_core()
    print(
        f"{cpu_name()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
        f"{pinned}; load average {os.getloadavg()[0]:.2f}; {settings.runs} run(s) of "
        f"{settings.checks:,} checks over {SIGNERS} signers, {settings.sign_ins} sign-ins",
        flush=True,
    )
    figures = measure(settings)
    print()
    print(f"{'figure':<44} {'median':>12}   {'target':<12} result")
    for figure in figures:
        print(figure.line())
    print()
    for figure in figures:
        print(f"  {figure.name}, run by run: {figure.per_run}")
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": asdict(settings),
        "cpu": f"{cpu_name()}, {pinned}",
        "figures": [asdict(figure) for figure in figures],
    }
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results written to {json_path}")
    return 0 if all(figure.passed for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
