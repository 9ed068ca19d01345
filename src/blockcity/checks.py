"""One named check of a verification: passed or failed, with a reason a person can act on in
Korean and English. Every verification reports a list of them, whatever it verifies.

It sits next to ``errors.py`` and imports nothing of ours, so every layer can use it: the
identity layer's old-format certificates, the credential modules (Data Integrity proofs,
SD-JWT, status lists) and the one verifier, which folds their detailed checks into its own
(``credentials/checks.py``'s ``Verdict``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    reason_en: str
    reason_ko: str

    @classmethod
    def pass_(cls, name: str, reason_en: str, reason_ko: str) -> Check:
        return cls(name, True, reason_en, reason_ko)

    @classmethod
    def fail(cls, name: str, reason_en: str, reason_ko: str) -> Check:
        return cls(name, False, reason_en, reason_ko)

    def renamed(self, name: str) -> Check:
        """The same outcome and reason reported under ``name``: a detailed step's failure
        stands for the broader check it belongs to."""
        return replace(self, name=name)

    def reason(self, lang: str = "ko") -> str:
        return self.reason_ko if lang == "ko" else self.reason_en

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "reason": self.reason(lang),
            "reason_en": self.reason_en,
            "reason_ko": self.reason_ko,
        }


def all_passed(checks: Iterable[Check]) -> bool:
    """True only if there were checks and every one passed: a verification that checked
    nothing proves nothing (STYLE.md, "verification reads like a checklist")."""
    done = list(checks)
    return bool(done) and all(check.ok for check in done)


__all__ = ["Check", "all_passed"]
