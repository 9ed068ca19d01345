"""The city's tamper-evident ledger: Merkle log, signed entries, blocks, checkpoints, audit."""
