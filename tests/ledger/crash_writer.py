"""A writer for the crash test: appends deterministic entries forever and prints the tree size
after each acknowledged block, until it is killed."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from blockcity.ledger.note import Signer
from tests.ledger.conftest import open_ledger, raw


def main() -> None:
    data, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    ledger = open_ledger(data, Signer.from_seed("test.blockcity.example/log", bytes(range(32))))
    print(f"ack {ledger.size}", flush=True)
    while True:
        sealed = ledger.append(raw(rng.randint(1, 600), ledger.size))
        print(f"ack {sealed.tree_size}", flush=True)


if __name__ == "__main__":
    main()
