"""The ``blockcity`` command line: serve the platform and inspect or audit the ledger."""
