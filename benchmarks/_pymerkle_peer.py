"""The pymerkle 7 side of the ledger benchmark, and the entry recipe both sides share.

Run by ``benchmarks.ledger`` with the python of the benchmark's own venv (``.bench-venv``),
never the project's: it appends the same deterministic entries to pymerkle's ``SqliteTree``,
proves inclusion and consistency at the same indexes and sizes, and prints one JSON object.
Only the standard library is imported at module level, so ``benchmarks.ledger`` imports the
recipe (``make_entries``, ``proof_samples``, ``latency``) from here without pymerkle.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

PEER_CHUNKSIZE = 100_000
"""pymerkle's own default and the chunk its benchmarks/init_db.py uses for bulk appends."""


def make_entries(start: int, stop: int, *, seed: int, payload_chars: int) -> list[bytes]:
    """Entries ``start`` to ``stop - 1`` of the benchmark log, ~100 bytes of JSON-like text each.

    Each entry depends only on its index and the seed, so any batching yields the same log.
    """
    key = seed.to_bytes(8, "big")
    half = (payload_chars + 1) // 2

    def payload(i: int) -> bytes:
        return (
            hashlib.shake_128(key + i.to_bytes(8, "big")).hexdigest(half)[:payload_chars].encode()
        )

    return [b'{"n":%d,"payload":"%s"}' % (i, payload(i)) for i in range(start, stop)]


def proof_samples(
    size: int, count: int, seed: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``count`` inclusion challenges (0-based index, size) and consistency challenges
    (old size, new size), drawn as pymerkle's benchmarks/test_perf.py draws them: a random leaf
    of the whole tree, and a random older size against the whole tree."""
    rng = random.Random(seed)
    inclusion = [(rng.randrange(size), size) for _ in range(count)]
    consistency = [(rng.randrange(1, size), size) for _ in range(count)]
    return inclusion, consistency


def latency(nanoseconds: list[int]) -> dict[str, float]:
    """Median and 95th percentile, in milliseconds."""
    ms = [ns / 1e6 for ns in nanoseconds]
    return {"median_ms": statistics.median(ms), "p95_ms": statistics.quantiles(ms, n=20)[-1]}


def paths_digest(paths: list[list[bytes]]) -> str:
    """One SHA-256 over every audit path in order, to compare two provers' proofs at a glance."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(b"".join(path))
    return digest.hexdigest()


def run(args: argparse.Namespace) -> dict[str, Any]:
    # Imported here: this module is also imported by the project venv, which has no pymerkle.
    import pymerkle
    from pymerkle import SqliteTree

    workdir = Path(args.workdir)
    entries = make_entries(0, args.count, seed=args.seed, payload_chars=args.payload_chars)

    # pymerkle's fastest documented bulk path: the whole list in one append_entries call, one
    # transaction (as its benchmarks/init_db.py does), with its default journal and sync settings.
    bulk_db = workdir / "pymerkle-bulk.db"
    tree = SqliteTree(str(bulk_db), algorithm="sha256")
    began = time.perf_counter()
    tree.append_entries(entries, chunksize=PEER_CHUNKSIZE)
    bulk_seconds = time.perf_counter() - began
    root = tree.get_root().hex()
    journal_mode = tree.con.execute("PRAGMA journal_mode").fetchone()
    synchronous = tree.con.execute("PRAGMA synchronous").fetchone()
    tree.close()

    # The same durability unit as our blocks: one committed transaction per batch.
    per_batch_db = workdir / "pymerkle-per-batch.db"
    tree = SqliteTree(str(per_batch_db), algorithm="sha256")
    began = time.perf_counter()
    for start in range(0, args.count, args.batch):
        tree.append_entries(entries[start : start + args.batch], chunksize=PEER_CHUNKSIZE)
    per_batch_seconds = time.perf_counter() - began
    tree.close()
    per_batch_db.unlink()
    del entries

    # A fresh tree object: empty subroot cache and SQLite page cache, like a restarted server.
    tree = SqliteTree(str(bulk_db), algorithm="sha256")
    inclusion, consistency = proof_samples(args.count, args.samples, args.proof_seed)
    inclusion_ns, paths = [], []
    for index, size in inclusion:
        began_ns = time.perf_counter_ns()
        proof = tree.prove_inclusion(index + 1, size)
        inclusion_ns.append(time.perf_counter_ns() - began_ns)
        # pymerkle's path starts with the leaf hash itself; RFC 9162's holds only the siblings.
        paths.append(proof.path[1:])
    consistency_ns = []
    for old_size, new_size in consistency:
        began_ns = time.perf_counter_ns()
        tree.prove_consistency(old_size, new_size)
        consistency_ns.append(time.perf_counter_ns() - began_ns)
    cache = tree.get_cache_info()
    tree.close()

    return {
        "version": pymerkle.__version__,
        "journal_mode": journal_mode,
        "synchronous": synchronous,
        "append_per_s": args.count / bulk_seconds,
        "append_per_batch_per_s": args.count / per_batch_seconds,
        "root": root,
        "inclusion": latency(inclusion_ns),
        "consistency": latency(consistency_ns),
        "inclusion_paths": paths_digest(paths),
        "subroot_cache": {"hits": cache.hits, "misses": cache.misses},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", required=True, help="an empty folder for the databases")
    parser.add_argument("--count", type=int, required=True, help="entries to append")
    parser.add_argument("--batch", type=int, required=True, help="entries per batch commit")
    parser.add_argument("--seed", type=int, required=True, help="seed of the entries")
    parser.add_argument("--payload-chars", type=int, required=True, help="payload hex length")
    parser.add_argument("--samples", type=int, required=True, help="proofs of each kind")
    parser.add_argument("--proof-seed", type=int, required=True, help="seed of the challenges")
    print(json.dumps(run(parser.parse_args())))


if __name__ == "__main__":
    main()
