"""Platform configuration, read once at start-up and passed down; nothing deeper reads the
environment.

``BLOCKCITY_PUBLIC_URL`` is where people reach the node (status lists and QR codes point there).
``BLOCKCITY_DATA`` names the data folder (default ``./blockcity-data``), ``BLOCKCITY_ORIGIN``
the log's origin line in its checkpoints. The master key that seals every private key at rest
comes from ``BLOCKCITY_MASTER_KEY`` (32 bytes, base64 or hex) or ``BLOCKCITY_MASTER_KEY_FILE``;
without either, a key is created in ``DATA/keys/master.key``, which suits a demo only: in
production keep the master key outside the data folder and its backups.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("blockcity-data")
DEFAULT_ORIGIN = "ledger.blockcity.seoul.example"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class Config:
    data_dir: Path = DEFAULT_DATA_DIR
    origin: str = DEFAULT_ORIGIN
    block_max_entries: int = 1000
    """A block is sealed once this many entries wait..."""
    block_max_delay_ms: int = 50
    """...or once the first waiting entry has waited this long."""
    demo_data: bool = True
    """Write the demo data into an empty ledger on first start."""
    master_key: str | None = field(default=None, repr=False)
    master_key_file: Path | None = None
    public_url: str = DEFAULT_PUBLIC_URL
    """Where people reach this node: status list URLs and QR codes on documents point here."""

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> Config:
        env = os.environ
        key_file = env.get("BLOCKCITY_MASTER_KEY_FILE")
        config = cls(
            data_dir=Path(env.get("BLOCKCITY_DATA", DEFAULT_DATA_DIR)),
            origin=env.get("BLOCKCITY_ORIGIN", DEFAULT_ORIGIN),
            master_key=env.get("BLOCKCITY_MASTER_KEY") or None,
            master_key_file=Path(key_file) if key_file else None,
            public_url=env.get("BLOCKCITY_PUBLIC_URL", DEFAULT_PUBLIC_URL),
        )
        return replace(config, data_dir=data_dir) if data_dir is not None else config
