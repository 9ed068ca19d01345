"""W3C Bitstring Status List v1.0: the status lists our issuers publish (revocation,
suspension, status messages) and the verifier's status check, with the age of the copy it used.

Pure and offline: signing the list credential, fetching it and anchoring it are the callers'
work. Section numbers refer to https://www.w3.org/TR/vc-bitstring-status-list/ (2025-05-15).
"""

from __future__ import annotations

import gzip
import math
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from blockcity.checks import Check, all_passed
from blockcity.crypto.encoding import b64url_decode, b64url_encode
from blockcity.errors import BlockcityError, InvalidInput, PayloadTooLarge

# §3.2 step 2 and §6.1: 131,072 entries (16 KB at one bit each) is the smallest list that gives
# holders herd privacy. We set no lower ecosystem bound, so every list must reach it.
MIN_ENTRIES = 131_072

# §2.1 lets statusSize be any positive integer, and §1.3 lets processors support only 1. Eight
# bits (256 status messages) covers every use we have and keeps one entry inside a small int.
MAX_STATUS_SIZE = 8

# A GZIP bomb guard: the most bytes a list may expand to, 128 times the minimum (16M one-bit
# entries, or 2M eight-bit ones). Nothing we issue comes near it.
MAX_BITSTRING_BYTES = 16 * 1024 * 1024

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
"""The VC Data Model 2.0 context; it defines the status list terms too (§5.2, note)."""

StatusPurpose = Literal["revocation", "suspension", "message"]
"""The purposes we issue and check. §2.1 also names ``refresh``, which we neither use nor read."""

PURPOSES: tuple[StatusPurpose, ...] = get_args(StatusPurpose)

# §2.1: statusListIndex is "an arbitrary size integer ... expressed as a string in base 10".
# ASCII digits only (str.isdigit also takes other scripts' digits); 18 digits is far past any
# list we accept, and keeps int() cheap on hostile input.
_INDEX = re.compile(r"[0-9]{1,18}")
_DID = re.compile(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]+")
# §2.1 statusMessage: "a string representing the hexadecimal value of the status prefixed with
# 0x".
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]{1,2}")
# Multibase code for base64url without padding (W3C Controlled Identifiers §2.4).
_MULTIBASE_B64URL = "u"
# No encodedList longer than this expands to at most MAX_BITSTRING_BYTES: deflate stores
# incompressible data with 5 bytes per 64 KiB block (we allow 1 per 8 KiB), GZIP adds 18
# bytes of framing, and base64url writes 4 characters per 3 bytes.
_MAX_ENCODED_CHARS = 1 + math.ceil((MAX_BITSTRING_BYTES + MAX_BITSTRING_BYTES // 8192 + 64) * 4 / 3)


def _range_error(index: int, entries: int, status_size: int) -> InvalidInput:
    return InvalidInput(
        f"status list index {index} is outside the list of {entries} entries "
        f"of {status_size} bit(s) each (RANGE_ERROR, §3.2 step 10)",
        f"상태 목록 색인 {index}이(가) 목록 범위(항목 {entries}개, 항목당 {status_size}비트)를 "
        "벗어납니다",
        spec_error="RANGE_ERROR",
    )


def _malformed(message_en: str, message_ko: str) -> InvalidInput:
    # §3: a value breaking one of §2's MUSTs raises MALFORMED_VALUE_ERROR.
    return InvalidInput(message_en, message_ko, spec_error="MALFORMED_VALUE_ERROR")


def _check_status_size(status_size: object) -> int:
    if (
        not isinstance(status_size, int)
        or isinstance(status_size, bool)
        or not 1 <= status_size <= MAX_STATUS_SIZE
    ):
        raise _malformed(
            f"statusSize must be a whole number of bits from 1 to {MAX_STATUS_SIZE}, "
            f"not {status_size!r}",
            f"statusSize는 1부터 {MAX_STATUS_SIZE}까지의 정수(비트 수)여야 합니다 "
            f"(받은 값: {status_size!r})",
        )
    return status_size


class StatusList:
    """A bitstring of ``size`` entries of ``status_size`` bits each, all 0 to begin with.

    Entry ``i`` occupies bits ``i * status_size`` onwards, and bit 0 is the left-most (most
    significant) bit of the first byte (§2.2 encodedList, §7.1). Within a multi-bit entry the
    first bit is the most significant, as the published two-bit test lists have it.
    """

    __slots__ = ("_bits", "_size", "_status_size")

    def __init__(self, size: int = MIN_ENTRIES, status_size: int = 1) -> None:
        status_size = _check_status_size(status_size)
        if not isinstance(size, int) or isinstance(size, bool) or size < MIN_ENTRIES:
            raise InvalidInput(
                f"a status list needs at least {MIN_ENTRIES} entries for herd privacy "
                f"(§6.1), not {size!r}",
                f"상태 목록은 집단 익명성을 위해 항목이 {MIN_ENTRIES}개 이상이어야 합니다 "
                f"(받은 값: {size!r})",
                spec_error="STATUS_LIST_LENGTH_ERROR",
            )
        bit_count = size * status_size
        # GZIP carries bytes, so a list whose bits fill whole bytes reads back the same size.
        if bit_count % 8:
            raise InvalidInput(
                f"{size} entries of {status_size} bit(s) do not fill whole bytes; "
                "use a multiple of 8 entries",
                f"항목 {size}개 × {status_size}비트는 바이트 단위로 나누어지지 않습니다. "
                "항목 수를 8의 배수로 정하십시오",
            )
        if bit_count // 8 > MAX_BITSTRING_BYTES:
            raise PayloadTooLarge(
                f"a status list of {bit_count // 8} bytes is over the "
                f"{MAX_BITSTRING_BYTES}-byte limit that verifiers accept",
                f"{bit_count // 8}바이트 상태 목록은 검증자가 받는 한도 "
                f"{MAX_BITSTRING_BYTES}바이트를 넘습니다",
            )
        self._bits = bytearray(bit_count // 8)
        self._size = size
        self._status_size = status_size

    @classmethod
    def _from_bitstring(cls, bits: bytearray, status_size: int) -> StatusList:
        # Bits past the last whole entry (when 8 * len(bits) is not a multiple of status_size)
        # are kept, so that encode() gives back the same bitstring.
        instance = cls.__new__(cls)
        instance._bits = bits
        instance._size = len(bits) * 8 // status_size
        instance._status_size = status_size
        return instance

    @property
    def size(self) -> int:
        """How many entries the list holds."""
        return self._size

    @property
    def status_size(self) -> int:
        """Bits per entry (§2.1 statusSize)."""
        return self._status_size

    def __len__(self) -> int:
        return self._size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusList):
            return NotImplemented
        return self._status_size == other._status_size and self._bits == other._bits

    # Mutable, so not hashable (the default __hash__ would break with __eq__ defined anyway).
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StatusList(size={self._size}, status_size={self._status_size})"

    def _position(self, index: object) -> int:
        if not isinstance(index, int) or isinstance(index, bool):
            raise InvalidInput(
                f"a status list index is a whole number, not {type(index).__name__}",
                f"상태 목록 색인은 정수여야 합니다 ({type(index).__name__} 형식은 안 됩니다)",
            )
        if not 0 <= index < self._size:
            raise _range_error(index, self._size, self._status_size)
        return index * self._status_size

    def get(self, index: int) -> int:
        """The status at ``index``: 0 (§3.2 step 13: valid) up to ``2**status_size - 1``."""
        position = self._position(index)
        bits = self._bits
        if self._status_size == 1:
            return (bits[position >> 3] >> (7 - (position & 7))) & 1
        value = 0
        for bit in range(position, position + self._status_size):
            value = (value << 1) | ((bits[bit >> 3] >> (7 - (bit & 7))) & 1)
        return value

    def set(self, index: int, value: int = 1) -> None:
        """Set the status at ``index``; with one-bit entries, 1 means revoked or suspended."""
        position = self._position(index)
        limit = 1 << self._status_size
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < limit:
            raise InvalidInput(
                f"a {self._status_size}-bit status is a number from 0 to {limit - 1}, "
                f"not {value!r}",
                f"{self._status_size}비트 상태 값은 0부터 {limit - 1}까지의 수여야 합니다 "
                f"(받은 값: {value!r})",
            )
        bits = self._bits
        for offset in range(self._status_size):
            bit = position + offset
            mask = 0x80 >> (bit & 7)
            if (value >> (self._status_size - 1 - offset)) & 1:
                bits[bit >> 3] |= mask
            else:
                bits[bit >> 3] &= ~mask

    def nonzero_indexes(self) -> list[int]:
        """The indexes whose status is not 0, in order (a revocation list's revoked entries)."""
        found: list[int] = []
        size, status_size = self._size, self._status_size
        unseen = 0  # an entry spanning two bytes is looked at once, from the first
        for byte_index, byte in enumerate(self._bits):
            if not byte:
                continue
            last = min((byte_index * 8 + 7) // status_size, size - 1)
            for index in range(max(byte_index * 8 // status_size, unseen), last + 1):
                if self.get(index):
                    found.append(index)
            unseen = last + 1
        return found

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """The §2.2 encodedList: GZIP (RFC 1952), then Multibase base64url without padding.

        GZIP's modification time is 0 and the level fixed, so one list always encodes to one
        text, and a published list's digest changes only when a status does.
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return _MULTIBASE_B64URL + b64url_encode(compressed)

    @classmethod
    def decode(cls, text: str, *, status_size: int = 1) -> StatusList:
        """Expand an encodedList (§3.4) and check its length (§3.2 step 9), strictly.

        Refused, each with its reason: text that is not Multibase base64url (prefix ``u``),
        invalid or padded base64url, data that is not one complete GZIP member (truncated,
        corrupt, followed by other bytes), an expansion beyond MAX_BITSTRING_BYTES (a GZIP
        bomb: decompression stops there), and a list of fewer than MIN_ENTRIES entries.
        """
        status_size = _check_status_size(status_size)
        if not isinstance(text, str):
            raise _malformed(
                f"encodedList must be text, not {type(text).__name__}",
                f"encodedList는 문자열이어야 합니다 ({type(text).__name__} 형식은 안 됩니다)",
            )
        if len(text) > _MAX_ENCODED_CHARS:
            raise PayloadTooLarge(
                f"encodedList of {len(text)} characters is longer than any list we accept",
                f"encodedList가 {len(text)}자로, 받을 수 있는 목록보다 깁니다",
            )
        if not text.startswith(_MULTIBASE_B64URL):
            hint_en = hint_ko = ""
            if text.startswith("H4sI"):
                # "H4sI" is base64 of the GZIP magic bytes: a StatusList2021-style value.
                hint_en = " (it looks like un-prefixed base64url, as StatusList2021 used)"
                hint_ko = " (StatusList2021처럼 접두사 없는 base64url로 보입니다)"
            raise _malformed(
                "encodedList must be Multibase base64url, starting with 'u', "
                f"not {text[:1]!r}{hint_en}",
                f"encodedList는 'u'로 시작하는 Multibase base64url이어야 합니다 "
                f"(시작 문자: {text[:1]!r}){hint_ko}",
            )
        try:
            compressed = b64url_decode(text[1:])
        except InvalidInput as exc:
            raise _malformed(
                f"encodedList is not valid base64url: {exc.message_en}",
                f"encodedList가 올바른 base64url이 아닙니다: {exc.message_ko}",
            ) from exc
        bits = _gunzip(compressed)
        entries = len(bits) * 8 // status_size
        if entries < MIN_ENTRIES:
            raise InvalidInput(
                f"the status list holds {entries} entries of {status_size} bit(s), fewer than "
                f"the {MIN_ENTRIES} that herd privacy requires (STATUS_LIST_LENGTH_ERROR, §3.2 "
                "step 9)",
                f"상태 목록의 항목이 {entries}개(항목당 {status_size}비트)로, 집단 익명성에 필요한 "
                f"{MIN_ENTRIES}개보다 적습니다",
                spec_error="STATUS_LIST_LENGTH_ERROR",
            )
        return cls._from_bitstring(bits, status_size)


def _gunzip(compressed: bytes) -> bytearray:
    # wbits 16 + 15: GZIP framing only (a zlib or raw deflate stream is refused), with the
    # CRC-32 and length of RFC 1952 §2.3.1 checked at the end of the member.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, MAX_BITSTRING_BYTES + 1)
    except zlib.error as exc:
        raise _malformed(
            f"encodedList does not GZIP-decompress: {exc}",
            f"encodedList를 GZIP으로 풀 수 없습니다: {exc}",
        ) from exc
    if len(bits) > MAX_BITSTRING_BYTES:
        raise PayloadTooLarge(
            f"the status list expands to more than {MAX_BITSTRING_BYTES} bytes; "
            "refused as a possible GZIP bomb",
            f"상태 목록의 압축을 풀면 {MAX_BITSTRING_BYTES}바이트를 넘습니다. "
            "압축 폭탄일 수 있어 거부합니다",
        )
    if not inflater.eof:
        raise _malformed(
            "encodedList is truncated: its GZIP stream ends early",
            "encodedList가 잘렸습니다: GZIP 데이터가 중간에 끝납니다",
        )
    if inflater.unused_data:
        raise _malformed(
            f"encodedList has {len(inflater.unused_data)} bytes after its GZIP member",
            f"encodedList의 GZIP 데이터 뒤에 {len(inflater.unused_data)}바이트가 더 있습니다",
        )
    return bytearray(bits)


# Building the documents an issuer publishes and embeds.


def _xsd_datetime(value: datetime, name: str) -> str:
    # VC DM 2.0 §4.9 wants an XML Schema dateTimeStamp, which must carry a time zone; we write
    # UTC to the second.
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(
            f"{name} must be a datetime with a time zone",
            f"{name}은(는) 시간대가 있는 날짜·시각이어야 합니다",
        )
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_purpose(purpose: object) -> StatusPurpose:
    for known in PURPOSES:
        if purpose == known:
            return known
    raise _malformed(
        f"statusPurpose must be one of {', '.join(PURPOSES)}, not {purpose!r}",
        f"statusPurpose는 {', '.join(PURPOSES)} 중 하나여야 합니다 (받은 값: {purpose!r})",
    )


def _check_url(value: object, name: str) -> str:
    if isinstance(value, str):
        try:
            parts = urlsplit(value)
        except ValueError:  # a malformed IPv6 host, for one
            parts = None
        if parts is not None and parts.scheme in ("https", "http") and parts.netloc:
            return value
    raise _malformed(
        f"{name} must be an http(s) URL, not {value!r}",
        f"{name}은(는) http(s) URL이어야 합니다 (받은 값: {value!r})",
    )


def _status_messages(
    purpose: StatusPurpose, status_size: int, messages: Sequence[str] | None
) -> list[dict[str, str]] | None:
    # §2.1 statusMessage: one message per possible value, required when statusSize > 1; §2.2
    # requires them (as statusMessages) on a list whose purpose is "message". We ask for them
    # with every message list, and allow none elsewhere: a revocation bit needs no dictionary.
    if purpose != "message":
        if status_size != 1 or messages is not None:
            raise InvalidInput(
                f"a {purpose} status is one bit without messages; statusSize and status "
                "messages belong to the 'message' purpose",
                f"{purpose} 상태는 메시지 없는 1비트입니다. statusSize와 상태 메시지는 "
                "'message' 용도에만 씁니다",
            )
        return None
    count = 1 << status_size
    if (
        messages is None
        or isinstance(messages, str)
        or len(messages) != count
        or not all(isinstance(message, str) and message for message in messages)
    ):
        raise InvalidInput(
            f"a message list with {status_size}-bit statuses needs exactly {count} non-empty "
            "messages, one per status value 0x0 onwards (§2.1 statusMessage)",
            f"{status_size}비트 메시지 목록에는 상태 값 0x0부터 하나씩, 빈 문자열이 아닌 "
            f"메시지가 정확히 {count}개 필요합니다",
        )
    return [{"status": f"0x{value:x}", "message": text} for value, text in enumerate(messages)]


def status_list_credential(
    status_list: StatusList,
    issuer: str,
    list_id: str,
    purpose: StatusPurpose,
    valid_from: datetime,
    valid_until: datetime,
    *,
    status_messages: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential (§2.2) for ``status_list``.

    ``list_id`` is the URL the list is served at, which entries name as statusListCredential.
    ``valid_until`` is required: it is how a verifier holding a copy knows it has gone stale.
    A ``message`` list takes ``status_messages``, the text for status 0, 1, ... in order.
    The caller secures the result (a Data Integrity proof) before publishing it.
    """
    if not isinstance(status_list, StatusList):
        raise InvalidInput(
            f"status_list must be a StatusList, not {type(status_list).__name__}",
            "status_list는 StatusList여야 합니다",
        )
    purpose = _check_purpose(purpose)
    if not isinstance(issuer, str) or not _DID.fullmatch(issuer):
        raise InvalidInput(
            f"the issuer must be a DID, not {issuer!r}",
            f"발급자는 DID여야 합니다 (받은 값: {issuer!r})",
        )
    list_id = _check_url(list_id, "the status list id")
    if urlsplit(list_id).fragment:
        raise InvalidInput(
            "the status list id must not have a #fragment; the list's subject takes '#list'",
            "상태 목록 id에는 #조각을 붙이지 않습니다. 목록의 주체가 '#list'를 씁니다",
        )
    starts = _xsd_datetime(valid_from, "validFrom")
    ends = _xsd_datetime(valid_until, "validUntil")
    if valid_until <= valid_from:
        raise InvalidInput(
            "validUntil must come after validFrom",
            "validUntil은 validFrom보다 뒤여야 합니다",
        )
    messages = _status_messages(purpose, status_list.status_size, status_messages)
    subject: dict[str, Any] = {
        "id": f"{list_id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": status_list.encode(),
    }
    if messages is not None:
        subject["statusSize"] = status_list.status_size
        subject["statusMessages"] = messages
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": starts,
        "validUntil": ends,
        "credentialSubject": subject,
    }


def status_entry(
    list_credential_id: str,
    index: int,
    purpose: StatusPurpose,
    *,
    status_size: int = 1,
    status_messages: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A credential's ``credentialStatus``: its BitstringStatusListEntry (§2.1).

    §2.1 asks issuers to pick ``index`` at random, so its position says nothing about when the
    credential was issued or how many there are.
    """
    list_credential_id = _check_url(list_credential_id, "statusListCredential")
    purpose = _check_purpose(purpose)
    status_size = _check_status_size(status_size)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise InvalidInput(
            f"statusListIndex must be a whole number from 0, not {index!r}",
            f"statusListIndex는 0 이상의 정수여야 합니다 (받은 값: {index!r})",
        )
    if index * status_size >= MAX_BITSTRING_BYTES * 8:
        raise _range_error(index, MAX_BITSTRING_BYTES * 8 // status_size, status_size)
    messages = _status_messages(purpose, status_size, status_messages)
    entry: dict[str, Any] = {
        # §2.1: the entry's id must not be the list's URL; the index as fragment keeps it apart.
        "id": f"{list_credential_id}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_id,
    }
    if messages is not None:
        entry["statusSize"] = status_size
        entry["statusMessage"] = messages
    return entry


# Checking a credential's status against a copy of its list.


class StatusState(StrEnum):
    """What the list says about the credential (§2.1 statusPurpose values)."""

    OK = "ok"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    MESSAGE = "message"
    UNKNOWN = "unknown"
    """The status could not be read; the failed check says why."""


@dataclass(frozen=True, slots=True)
class StatusCheck:
    """The outcome of checking one BitstringStatusListEntry: every check that ran, in order
    (``entry``, ``retrieval``, ``list``, ``purpose``, ``freshness``, ``bitstring``, ``status``).

    ``age_seconds`` is how old the list copy was ("status as of N seconds ago"); ``stale`` is
    set when that copy was past its validUntil or the verifier's maximum age.
    """

    checks: tuple[Check, ...]
    state: StatusState = StatusState.UNKNOWN
    purpose: StatusPurpose | None = None
    status: int | None = None
    status_message: str | None = None
    """The issuer's text for ``status`` (§2.1 statusMessage); "set"/"unset" when none given."""
    age_seconds: int | None = None
    stale: bool = False
    list_id: str | None = None

    @property
    def ok(self) -> bool:
        """True only if checks ran and all passed: no checks is no verification."""
        return all_passed(self.checks)

    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)


@dataclass(frozen=True, slots=True)
class _Entry:
    purpose: StatusPurpose
    index: int
    list_url: str
    status_size: int
    messages: dict[int, str] | None


@dataclass(frozen=True, slots=True)
class _ListDocument:
    list_id: str
    purposes: tuple[str, ...]
    encoded: str
    valid_from: datetime | None
    valid_until: datetime | None
    status_size: int | None
    messages: dict[int, str] | None


def _read_messages(value: object, status_size: int, where: str) -> dict[int, str]:
    count = 1 << status_size
    problem: str | None = None
    messages: dict[int, str] = {}
    if not isinstance(value, list) or len(value) != count:
        problem = f"must be a list of {count} entries"
    else:
        for item in value:
            status = item.get("status") if isinstance(item, dict) else None
            text = item.get("message") if isinstance(item, dict) else None
            if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
                problem = f"has a status that is not a 0x-prefixed hexadecimal value: {status!r}"
                break
            number = int(status, 16)
            if number >= count or number in messages or not isinstance(text, str):
                problem = f"has a repeated, out-of-range or message-less status {status!r}"
                break
            messages[number] = text
    if problem is not None:
        raise _malformed(
            f"{where} {problem} (§2.1 statusMessage)",
            f"{where}의 상태 메시지가 올바르지 않습니다: {problem}",
        )
    return messages


def _parse_entry(entry: object) -> _Entry:
    if not isinstance(entry, dict):
        raise _malformed(
            f"credentialStatus must be an object, not {type(entry).__name__}",
            "credentialStatus는 객체여야 합니다",
        )
    if entry.get("type") != "BitstringStatusListEntry":
        raise _malformed(
            f"credentialStatus type must be BitstringStatusListEntry, not {entry.get('type')!r}",
            "credentialStatus의 type은 BitstringStatusListEntry여야 합니다 "
            f"(받은 값: {entry.get('type')!r})",
        )
    purpose = entry.get("statusPurpose")
    if purpose not in PURPOSES:
        raise _malformed(
            f"statusPurpose {purpose!r} is not one this verifier checks "
            f"({', '.join(PURPOSES)}); its status cannot be vouched for",
            f"statusPurpose {purpose!r}는 이 검증기가 확인하는 용도"
            f"({', '.join(PURPOSES)})가 아니어서 상태를 보증할 수 없습니다",
        )
    raw_index = entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not _INDEX.fullmatch(raw_index):
        raise _malformed(
            "statusListIndex must be a base-10 whole number written as a string (§2.1), "
            f"not {raw_index!r}",
            f"statusListIndex는 10진수 정수를 담은 문자열이어야 합니다 (받은 값: {raw_index!r})",
        )
    list_url = _check_url(entry.get("statusListCredential"), "statusListCredential")
    # §2.1: statusSize absent means 1.
    status_size = _check_status_size(entry.get("statusSize", 1))
    messages = None
    if "statusMessage" in entry or status_size > 1:
        messages = _read_messages(entry.get("statusMessage"), status_size, "credentialStatus")
    return _Entry(_check_purpose(purpose), int(raw_index), list_url, status_size, messages)


def _read_time(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        # XML Schema dateTimeStamp; fromisoformat reads it (with 'Z') from Python 3.11.
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _malformed(
            f"the status list's {name} is not a date and time with a time zone: {value!r}",
            f"상태 목록의 {name}이(가) 시간대가 있는 날짜·시각이 아닙니다: {value!r}",
        )
    return moment


def _parse_list(document: object) -> _ListDocument:
    types = document.get("type") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or not isinstance(types, list)
        or "BitstringStatusListCredential" not in types
    ):
        raise _malformed(
            "the status list is not a credential of type BitstringStatusListCredential",
            "상태 목록이 BitstringStatusListCredential 유형의 증명서가 아닙니다",
        )
    list_id = _check_url(document.get("id"), "the status list's id")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise _malformed(
            "the status list's credentialSubject must be one object of type BitstringStatusList",
            "상태 목록의 credentialSubject는 BitstringStatusList 유형의 객체 하나여야 합니다",
        )
    # §2.2: statusPurpose is "one or more strings".
    purposes = subject.get("statusPurpose")
    purpose_list = [purposes] if isinstance(purposes, str) else purposes
    if (
        not isinstance(purpose_list, list)
        or not purpose_list
        or not all(isinstance(p, str) for p in purpose_list)
    ):
        raise _malformed(
            "the status list's statusPurpose must be a string or a list of strings",
            "상태 목록의 statusPurpose는 문자열 또는 문자열 목록이어야 합니다",
        )
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise _malformed(
            "the status list has no encodedList text",
            "상태 목록에 encodedList 문자열이 없습니다",
        )
    status_size = None
    messages = None
    if "statusSize" in subject:
        status_size = _check_status_size(subject["statusSize"])
        if "statusMessages" in subject:
            messages = _read_messages(subject["statusMessages"], status_size, "the status list")
    return _ListDocument(
        list_id=list_id,
        purposes=tuple(purpose_list),
        encoded=encoded,
        valid_from=_read_time(document.get("validFrom"), "validFrom"),
        valid_until=_read_time(document.get("validUntil"), "validUntil"),
        status_size=status_size,
        messages=messages,
    )


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(
            f"{name} must be a datetime with a time zone",
            f"{name}은(는) 시간대가 있는 날짜·시각이어야 합니다",
        )


_FETCH_SKEW = timedelta(minutes=1)


def _freshness(
    document: _ListDocument, fetched_at: datetime, now: datetime, max_age: timedelta
) -> tuple[Check, int]:
    age = math.floor((now - fetched_at).total_seconds())
    if -_FETCH_SKEW.total_seconds() <= age < 0:
        # A copy another thread fetched a moment after this check read its clock, or one
        # stapled by a clock slightly ahead: fresh, not a wrong clock.
        age = 0
    if age < 0:
        reason_en = f"the list copy was fetched {-age} s in the future; the clock is wrong"
        reason_ko = f"목록 사본의 가져온 시각이 {-age}초 뒤로 되어 있습니다. 시계를 확인하십시오"
    elif document.valid_from is not None and now < document.valid_from:
        reason_en = f"the list is not valid until {document.valid_from.isoformat()}"
        reason_ko = f"이 목록은 {document.valid_from.isoformat()}부터 유효합니다"
    elif document.valid_until is not None and now >= document.valid_until:
        reason_en = (
            f"the list expired at {document.valid_until.isoformat()} (validUntil); "
            "fetch a current one"
        )
        reason_ko = (
            f"목록이 {document.valid_until.isoformat()}에 만료되었습니다(validUntil). "
            "새 목록을 받으십시오"
        )
    elif age > max_age.total_seconds():
        reason_en = (
            f"the list copy is {age} s old, older than the {int(max_age.total_seconds())} s "
            "allowed; fetch it again"
        )
        reason_ko = (
            f"목록 사본이 {age}초 전 것으로, 허용된 {int(max_age.total_seconds())}초보다 "
            "오래되었습니다. 다시 받으십시오"
        )
    else:
        return (
            Check("freshness", True, f"status as of {age} s ago", f"{age}초 전 기준 상태"),
            age,
        )
    return Check("freshness", False, reason_en, reason_ko), age


# What a status of 0 and of anything else say, in English and Korean, for each purpose.
_STATUS_TEXT: dict[StatusPurpose, tuple[tuple[str, str], tuple[str, str]]] = {
    "revocation": (("not revoked", "폐지되지 않음"), ("revoked by its issuer", "발급자가 폐지함")),
    "suspension": (
        ("not suspended", "정지되지 않음"),
        ("suspended by its issuer", "발급자가 정지함"),
    ),
    "message": (
        ("no message", "메시지 없음"),
        ("the issuer set a message", "발급자가 메시지를 지정함"),
    ),
}
_PURPOSE_KO: dict[str, str] = {"revocation": "폐지", "suspension": "정지", "message": "메시지"}

_STATE_WHEN_SET: dict[StatusPurpose, StatusState] = {
    "revocation": StatusState.REVOKED,
    "suspension": StatusState.SUSPENDED,
    "message": StatusState.MESSAGE,
}


def _evaluate(
    entry: object,
    list_credential: object,
    fetched_at: datetime,
    now: datetime,
    max_age: timedelta,
    expand: Callable[[str, int], StatusList],
) -> StatusCheck:
    """§3.2 steps 3 and 5 to 13, as a list of checks; ``expand`` is §3.4 (maybe memoized)."""
    _require_aware(fetched_at, "fetched_at")
    _require_aware(now, "now")
    checks: list[Check] = []
    try:
        parsed = _parse_entry(entry)
    except InvalidInput as exc:
        return StatusCheck((Check("entry", False, exc.message_en, exc.message_ko),))
    checks.append(
        Check(
            "entry",
            True,
            f"{parsed.purpose} entry {parsed.index} of {parsed.list_url}",
            f"{parsed.list_url}의 {parsed.index}번 {_PURPOSE_KO[parsed.purpose]} 항목",
        )
    )
    try:
        document = _parse_list(list_credential)
        if document.list_id != parsed.list_url:
            raise InvalidInput(
                f"the list presented is {document.list_id}, but the credential points to "
                f"{parsed.list_url}",
                f"제시된 목록은 {document.list_id}인데 증명서는 {parsed.list_url}을(를) 가리킵니다",
            )
    except InvalidInput as exc:
        checks.append(Check("list", False, exc.message_en, exc.message_ko))
        return StatusCheck(tuple(checks), purpose=parsed.purpose, list_id=parsed.list_url)
    checks.append(
        Check(
            "list",
            True,
            f"BitstringStatusListCredential {document.list_id}",
            f"상태 목록 증명서 {document.list_id}",
        )
    )
    # §3.2 step 5: the list must serve the purpose the entry names (STATUS_VERIFICATION_ERROR);
    # a suspension list must never answer for a revocation entry.
    if parsed.purpose not in document.purposes:
        checks.append(
            Check(
                "purpose",
                False,
                f"the entry's purpose is {parsed.purpose}, but the list is for "
                f"{', '.join(document.purposes)}",
                f"항목의 용도는 {parsed.purpose}인데 목록의 용도는 "
                f"{', '.join(document.purposes)}입니다",
            )
        )
        return StatusCheck(tuple(checks), purpose=parsed.purpose, list_id=document.list_id)
    checks.append(
        Check(
            "purpose",
            True,
            f"the list is for {parsed.purpose}",
            f"{_PURPOSE_KO[parsed.purpose]} 상태 목록",
        )
    )
    freshness, age = _freshness(document, fetched_at, now, max_age)
    checks.append(freshness)
    common: dict[str, Any] = {
        "purpose": parsed.purpose,
        "age_seconds": age,
        "stale": not freshness.ok,
        "list_id": document.list_id,
    }
    try:
        if document.status_size is not None and document.status_size != parsed.status_size:
            raise _malformed(
                f"the entry reads {parsed.status_size}-bit statuses, but the list holds "
                f"{document.status_size}-bit ones",
                f"항목은 {parsed.status_size}비트 상태인데 목록은 {document.status_size}비트 "
                "상태입니다",
            )
        bitstring = expand(document.encoded, parsed.status_size)
        status = bitstring.get(parsed.index)
    except BlockcityError as exc:
        checks.append(Check("bitstring", False, exc.message_en, exc.message_ko))
        return StatusCheck(tuple(checks), **common)
    checks.append(
        Check(
            "bitstring",
            True,
            f"{bitstring.size} entries of {bitstring.status_size} bit(s)",
            f"항목 {bitstring.size}개, 항목당 {bitstring.status_size}비트",
        )
    )
    # §2.1: without a statusMessage array, 1 and 0 mean "set" and "unset".
    messages = parsed.messages or document.messages or {0: "unset", 1: "set"}
    text = messages.get(status, f"0x{status:x}")
    # §3.2 step 13: the entry is valid only when its status is 0, whatever the purpose.
    state = StatusState.OK if status == 0 else _STATE_WHEN_SET[parsed.purpose]
    said_en, said_ko = _STATUS_TEXT[parsed.purpose][status != 0]
    checks.append(
        Check(
            "status",
            status == 0,
            f"{said_en} (status 0x{status:x}: {text})",
            f"{said_ko} (상태 값 0x{status:x}: {text})",
        )
    )
    return StatusCheck(tuple(checks), state, status=status, status_message=text, **common)


def check_status(
    entry: object,
    list_credential: object,
    *,
    fetched_at: datetime,
    now: datetime,
    max_age: timedelta,
) -> StatusCheck:
    """Check a credential's ``credentialStatus`` against a copy of its status list (§3.2).

    ``list_credential`` must already have passed its proof check (§3.2 step 4), which is the
    caller's: this function reads the list, it does not authenticate it. ``fetched_at`` is
    when that copy was fetched; the result reports its age at ``now`` and flags it stale past
    its validUntil or ``max_age``. Bad documents give failed checks with reasons, never
    exceptions; only naive datetimes (a programming error) raise InvalidInput.
    """
    return _evaluate(
        entry,
        list_credential,
        fetched_at,
        now,
        max_age,
        lambda encoded, status_size: StatusList.decode(encoded, status_size=status_size),
    )


@dataclass(frozen=True, slots=True)
class CachedList:
    """A status list credential as fetched, and when."""

    credential: dict[str, Any]
    fetched_at: datetime
    _expanded: dict[tuple[str, int], StatusList] = field(default_factory=dict, repr=False)


class StatusListCache:
    """The verifier's copies of status lists, by URL, each with the time it was fetched.

    Checking many credentials against one list decodes it once. The newest fetch of a URL
    wins; past ``max_lists`` the list fetched longest ago is dropped. Only put lists whose
    proof has verified. Safe to share between threads.
    """

    def __init__(self, *, max_age: timedelta, max_lists: int = 256) -> None:
        if max_age <= timedelta(0) or max_lists < 1:
            raise InvalidInput(
                "a status list cache needs a positive max_age and room for one list",
                "상태 목록 캐시에는 양의 max_age와 목록 하나 이상의 공간이 필요합니다",
            )
        self.max_age = max_age
        self._max_lists = max_lists
        self._lists: dict[str, CachedList] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._lists)

    def put(self, list_credential: dict[str, Any], *, fetched_at: datetime) -> None:
        """Keep ``list_credential``, fetched at ``fetched_at``, under its ``id``.

        A copy fetched earlier than the one held is ignored, so a stale stapled list cannot
        replace a fresher one; of two fetched at the same moment, the later put wins.
        """
        _require_aware(fetched_at, "fetched_at")
        list_id = _check_url(
            list_credential.get("id") if isinstance(list_credential, dict) else None,
            "the status list's id",
        )
        with self._lock:
            held = self._lists.get(list_id)
            if held is not None and held.fetched_at > fetched_at:
                return
            # The same list fetched again keeps its decoded bitstrings: only its age changes.
            same = held is not None and held.credential == list_credential
            self._lists[list_id] = CachedList(
                list_credential, fetched_at, held._expanded if same and held else {}
            )
            if len(self._lists) > self._max_lists:
                oldest = min(self._lists, key=lambda url: self._lists[url].fetched_at)
                del self._lists[oldest]

    def get(self, list_id: str) -> CachedList | None:
        with self._lock:
            return self._lists.get(list_id)

    def holds(self, list_credential: dict[str, Any]) -> bool:
        """Whether exactly this list credential is already held (so already verified)."""
        held = self.get(str(list_credential.get("id")))
        return held is not None and held.credential == list_credential

    def check(self, entry: object, *, now: datetime) -> StatusCheck:
        """``check_status`` against the cached copy of the entry's list.

        A list never fetched fails the "retrieval" check (STATUS_RETRIEVAL_ERROR, §3.5).
        """
        try:
            list_url = _parse_entry(entry).list_url
        except InvalidInput as exc:
            return StatusCheck((Check("entry", False, exc.message_en, exc.message_ko),))
        cached = self.get(list_url)
        if cached is None:
            return StatusCheck(
                (
                    Check(
                        "retrieval",
                        False,
                        f"no copy of the status list {list_url} is held; fetch it first",
                        f"상태 목록 {list_url}의 사본이 없습니다. 먼저 받으십시오",
                    ),
                ),
                list_id=list_url,
            )

        def expand(encoded: str, status_size: int) -> StatusList:
            # Decoded lists stay read-only: _evaluate only reads them and hands none out.
            key = (encoded, status_size)
            expanded = cached._expanded.get(key)
            if expanded is None:
                expanded = StatusList.decode(encoded, status_size=status_size)
                cached._expanded[key] = expanded
            return expanded

        return _evaluate(entry, cached.credential, cached.fetched_at, now, self.max_age, expand)


__all__ = [
    "MAX_BITSTRING_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_ENTRIES",
    "PURPOSES",
    "VC_V2_CONTEXT",
    "CachedList",
    "StatusCheck",
    "StatusList",
    "StatusListCache",
    "StatusPurpose",
    "StatusState",
    "check_status",
    "status_entry",
    "status_list_credential",
]
