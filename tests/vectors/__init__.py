"""Public test vectors (RFCs, W3C, C2SP), copied from ../shared/vectors so a clone tests itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent


def load(name: str) -> Any:
    """Load a vector file by its path below tests/vectors (``ledger/tlog_tiles_vectors.json``)."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))
