"""The one verifier's result for any kind of document: a ``Verdict`` over named checks
(``blockcity.checks.Check``), each passed or failed with a reason in Korean and English.

The credential modules each report their own detailed checks; the verifier folds them into
these, so the CLI, the API and the web page show one list with stable names (``signature``,
``issuer``, ``validity``, ``status``, ``ledger``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blockcity.checks import Check, all_passed


@dataclass(frozen=True, slots=True)
class Verdict:
    """Everything the verifier found about one document: valid only when there were checks
    and every one passed (a verification that checked nothing proves nothing)."""

    kind: str
    """What was verified: "credential", "presentation", "sd-jwt", "pdf" or "unreadable"."""
    checks: tuple[Check, ...]
    summary: dict[str, Any] = field(default_factory=dict)
    """What the document says, for display: issuer, types, subject claims, dates."""

    @property
    def valid(self) -> bool:
        return all_passed(self.checks)

    @property
    def unreadable(self) -> bool:
        """Nothing could be checked because the input could not be read (its one check, the
        format, failed): a PDF without its credential as well as bytes that are no document."""
        return self.kind == "unreadable" or (
            len(self.checks) == 1 and self.checks[0].name == "format" and not self.checks[0].ok
        )

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {
            "valid": self.valid,
            "kind": self.kind,
            "checks": [check.to_dict(lang) for check in self.checks],
            "summary": self.summary,
        }


__all__ = ["Check", "Verdict"]
