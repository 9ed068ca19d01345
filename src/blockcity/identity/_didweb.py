"""did:web identifiers: the syntax of the W3C CCG did:web Method Specification (§3.1 "Method
Specific Identifier"), held to one spelling per organization so that two texts never name the
same web location as two different DIDs.

``did:web:<host>[%3A<port>][:<path segment>]*``: a lowercase DNS host name (no IP address, as
§3.1 requires), an optional port whose colon is percent-encoded, and path segments separated
by colons instead of slashes. blockcity resolves these DIDs from the ledger, never over HTTPS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from blockcity.errors import InvalidInput

DID_WEB_PREFIX = "did:web:"
MAX_DID_WEB_LENGTH = 200
"""Long enough for any organization's host and path, short enough for ledger entries."""

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
# RFC 3986 §2.3 unreserved characters: their percent-encoded forms mean the same URL, so a
# second spelling of one DID (RFC 3986 §6.2.2.2).
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]")
_MAX_HOST = 253


@dataclass(frozen=True, slots=True)
class DidWeb:
    """A checked did:web: its host, port (None for 443) and path segments."""

    host: str
    port: int | None
    path: tuple[str, ...]

    @property
    def did(self) -> str:
        port = f"%3A{self.port}" if self.port is not None else ""
        return DID_WEB_PREFIX + self.host + port + "".join(f":{s}" for s in self.path)


def _refuse(did: str, why_en: str, why_ko: str) -> InvalidInput:
    return InvalidInput(
        f"{did!r} is not a valid did:web: {why_en}",
        f"{did!r}는 올바른 did:web이 아닙니다: {why_ko}",
    )


def parse_did_web(did: str) -> DidWeb:
    """Check ``did`` against the did:web syntax and blockcity's single spelling; raise
    InvalidInput saying what to change."""
    if not isinstance(did, str) or not did.startswith(DID_WEB_PREFIX):
        raise InvalidInput(f"{did!r} is not a did:web DID", f"{did!r}는 did:web DID가 아닙니다")
    if len(did) > MAX_DID_WEB_LENGTH:
        raise _refuse(
            did,
            f"it is longer than {MAX_DID_WEB_LENGTH} characters",
            f"{MAX_DID_WEB_LENGTH}자보다 깁니다",
        )
    host_and_port, *path = did[len(DID_WEB_PREFIX) :].split(":")
    host, _, port_text = host_and_port.partition("%3A")
    if "%" in host:
        raise _refuse(
            did,
            "only the port's colon may be percent-encoded in the host part, as %3A",
            "호스트 부분에서는 포트 앞의 콜론만 %3A로 인코딩할 수 있습니다",
        )
    _check_host(did, host)
    port = None
    if port_text or host_and_port.endswith("%3A"):
        if not _PORT.fullmatch(port_text) or int(port_text) > 65535:
            raise _refuse(
                did,
                "the port after %3A must be a number from 1 to 65535 without leading zeros",
                "%3A 뒤의 포트는 앞자리 0 없이 1~65535 사이의 숫자여야 합니다",
            )
        port = int(port_text)
        if port == 443:
            raise _refuse(
                did,
                "leave out port 443, the HTTPS default",
                "HTTPS 기본 포트 443은 적지 마세요",
            )
    for segment in path:
        _check_segment(did, segment)
    return DidWeb(host, port, tuple(path))


def _check_host(did: str, host: str) -> None:
    if not host:
        raise _refuse(did, "the host name is missing", "호스트 이름이 없습니다")
    if host != host.lower():
        raise _refuse(did, "write the host name in lowercase", "호스트 이름은 소문자로 쓰세요")
    if not host.isascii():
        raise _refuse(
            did,
            "write an internationalized host name in its ASCII (xn--) form",
            "국제화 도메인 이름은 ASCII(xn--) 형식으로 쓰세요",
        )
    labels = host.split(".")
    if len(host) > _MAX_HOST or not all(_LABEL.fullmatch(label) for label in labels):
        raise _refuse(
            did,
            "the host must be a DNS name: labels of letters, digits and inner hyphens, "
            "separated by dots",
            "호스트는 DNS 이름이어야 합니다: 영문자, 숫자, 중간의 하이픈으로 된 레이블을 점으로 "
            "구분하세요",
        )
    if labels[-1].isdigit():
        # A top-level domain is never all digits, so this catches every IPv4 address.
        raise _refuse(
            did,
            "IP addresses are not allowed (did:web §3.1); use a domain name",
            "IP 주소는 쓸 수 없습니다(did:web §3.1). 도메인 이름을 쓰세요",
        )


def _check_segment(did: str, segment: str) -> None:
    if not _SEGMENT.fullmatch(segment) or segment in (".", ".."):
        raise _refuse(
            did,
            "each path segment after ':' is letters, digits, '.', '_', '-' or a percent-encoded "
            "byte, and not '.' or '..'",
            "':' 뒤의 각 경로 구간은 영문자, 숫자, '.', '_', '-' 또는 퍼센트 인코딩된 바이트여야 "
            "하며 '.'나 '..'일 수 없습니다",
        )
    for match in re.finditer(r"%([0-9A-Fa-f]{2})", segment):
        hex_digits = match.group(1)
        char = chr(int(hex_digits, 16))
        if hex_digits != hex_digits.upper() or _UNRESERVED.fullmatch(char) or char in "/\x00":
            raise _refuse(
                did,
                f"%{hex_digits} is not in canonical form: write letters, digits and '-._~' "
                "as they are, other bytes with uppercase hex, and never an encoded '/'",
                f"%{hex_digits}는 정규형이 아닙니다: 영문자, 숫자, '-._~'는 그대로, 다른 바이트는 "
                "대문자 16진수로 쓰고 '/'는 인코딩하지 마세요",
            )
