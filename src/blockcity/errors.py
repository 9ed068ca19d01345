"""The errors blockcity raises on purpose: each has a stable code, a Korean and an English
message a person can act on, and the HTTP status it maps to.

The API turns them into RFC 9457 problem+json, the CLI into one line and an exit code.
"""

from __future__ import annotations

from typing import ClassVar


class BlockcityError(Exception):
    """Base of every deliberate error. ``code`` is stable; messages are for people."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    title_ko: ClassVar[str] = "처리할 수 없습니다"
    title_en: ClassVar[str] = "The request could not be processed"

    def __init__(self, message_en: str, message_ko: str | None = None, **detail: object) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_ko = message_ko or message_en
        self.detail = detail

    def message(self, lang: str = "ko") -> str:
        return self.message_ko if lang == "ko" else self.message_en

    def title(self, lang: str = "ko") -> str:
        return self.title_ko if lang == "ko" else self.title_en

    def diagnostics(self) -> str:
        """One line for a terminal: the code and the English and Korean explanations."""
        if self.message_ko != self.message_en:
            return f"{self.code}: {self.message_en} ({self.message_ko})"
        return f"{self.code}: {self.message_en}"


class InvalidInput(BlockcityError):
    """The caller sent something malformed; resending the same thing will fail again."""

    code = "invalid-input"
    status = 400
    title_ko = "입력이 올바르지 않습니다"
    title_en = "Invalid input"


class NotFound(BlockcityError):
    code = "not-found"
    status = 404
    title_ko = "찾을 수 없습니다"
    title_en = "Not found"


class Conflict(BlockcityError):
    code = "conflict"
    status = 409
    title_ko = "이미 처리된 요청과 충돌합니다"
    title_en = "Conflict"


class PayloadTooLarge(BlockcityError):
    code = "payload-too-large"
    status = 413
    title_ko = "요청이 너무 큽니다"
    title_en = "Payload too large"


class VerificationFailed(BlockcityError):
    """A signature, proof or hash did not check out."""

    code = "verification-failed"
    status = 422
    title_ko = "검증에 실패했습니다"
    title_en = "Verification failed"


class StorageError(BlockcityError):
    """The store could not be opened or written (locked, corrupt, disk full)."""

    code = "storage-error"
    status = 503
    title_ko = "저장소를 사용할 수 없습니다"
    title_en = "Storage unavailable"
