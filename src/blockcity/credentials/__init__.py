"""Verifiable credentials: W3C VC 2.0 with Data Integrity proofs, SD-JWT VC, and status lists."""
