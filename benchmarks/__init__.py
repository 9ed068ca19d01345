"""Benchmarks of blockcity, run as modules from the repository root
(``python -m benchmarks.ledger``); they measure the installed package and are not part of it.
"""
