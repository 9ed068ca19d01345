"""The worksite's rotating QR code, as pure functions: the code of 30-second window ``w`` is
HMAC-SHA256(secret, worksite id || w) truncated, so only the server (which holds the secret)
can make or check one, and a photo of the display is worth only the window it shows."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from blockcity.services.attendance.rules import AttendancePolicy


def window_of(moment: datetime, policy: AttendancePolicy) -> int:
    """The QR window ``moment`` falls in: whole windows since the Unix epoch."""
    return int(moment.timestamp()) // policy.qr_window_seconds


def window_start(window: int, policy: AttendancePolicy) -> int:
    """Unix seconds at which ``window`` begins."""
    return window * policy.qr_window_seconds


def code(secret: bytes, worksite: str, window: int, policy: AttendancePolicy) -> str:
    """The code shown for ``window``: base32 without padding, lowercase, URL-safe."""
    mac = hmac.digest(secret, worksite.encode() + b"|" + window.to_bytes(8, "big"), hashlib.sha256)
    return base64.b32encode(mac[: policy.qr_code_bytes]).decode().rstrip("=").lower()


def code_matches(
    secret: bytes, worksite: str, window: int, candidate: str, policy: AttendancePolicy
) -> bool:
    """Constant-time comparison, so response time does not leak how much of a guess was right.

    A window outside what 8 bytes hold, or a code with non-ASCII letters, comes from a typed
    or forged link, never from a display: it simply does not match."""
    if not 0 <= window < 2**63 or not candidate.isascii():
        return False
    return hmac.compare_digest(code(secret, worksite, window, policy), candidate.lower())


def scan_path(worksite: str, window: int, secret: bytes, policy: AttendancePolicy) -> str:
    """The path the QR encodes after the node's public URL."""
    return f"/a/{worksite}/{window}/{code(secret, worksite, window, policy)}"


def scanned_in_time(window: int, device_at: datetime, policy: AttendancePolicy) -> bool:
    """Whether a scan of ``window`` at device time ``device_at`` is believable: the device time
    lies in that window or the next ``qr_previous_windows`` ones, give or take the clock skew.
    A code from two windows ago, or a device time the code cannot vouch for, is not."""
    start = window_start(window, policy) - policy.device_clock_skew_seconds
    end = (
        window_start(window + 1 + policy.qr_previous_windows, policy)
        + policy.device_clock_skew_seconds
    )
    return start <= device_at.timestamp() < end
