"""blockcity: a city's tamper-evident ledger and the administrative services built on it."""

__version__ = "0.1.0"
