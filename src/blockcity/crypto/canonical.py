"""RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes that ledger entries and
eddsa-jcs-2022 proofs sign, and a strict reader that accepts only such bytes.

Most of our documents hold only strings, safe integers, booleans, null, lists and objects with
BMP-only keys. For those the C encoder in the standard ``json`` module already writes RFC 8785
output, several times faster than the pure-Python ``rfc8785`` package; everything else (floats,
astral-plane keys, unusual types) goes to ``rfc8785``. The property tests check both paths
against ``rfc8785``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import rfc8785

from blockcity.errors import InvalidInput

# I-JSON (RFC 7493 §2.2): integers outside ±(2**53 - 1) do not survive an IEEE 754 double, so a
# verifier in another language could read a different number than the signer wrote.
MAX_SAFE_INTEGER = 2**53 - 1

# ECMAScript Number::toString, which RFC 8785 §3.2.2.3 adopts, writes every double below 1e21
# in plain digits. An integral double at or above 2**53 would therefore come out as a
# digits-only token that reads back as an unsafe integer; refusing it keeps
# parse_canonical(canonical_json(x)) working for every x that canonical_json accepts.
_EXPONENT_FORM_FROM = 1e21

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# Matches RFC 8785 for the values _fast_path_applies admits: members sorted by key (by code
# point, which equals UTF-16 order for BMP-only keys), no whitespace, literal UTF-8 text, and
# escapes exactly as §3.2.2.2 lists them: \" \\ \b \f \n \r \t, other controls as lowercase
# \u00xx, nothing else escaped (neither '/' nor U+007F). Integers print as plain digits.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    sort_keys=True,
    separators=(",", ":"),
)


def canonical_json(value: object) -> bytes:
    """Serialize ``value`` as RFC 8785 canonical JSON (UTF-8 bytes).

    Accepts dict (string keys), list, tuple, str, int, float, bool and None. Raises
    InvalidInput for anything JSON cannot carry exactly: other types, non-string keys, lone
    surrogates, NaN or infinities, integers beyond ±(2**53 - 1), and nesting too deep (or
    cyclic) to serialize.
    """
    try:
        if _fast_path_applies(value):
            return _ENCODER.encode(value).encode("utf-8")
        # The walk above has refused every type rfc8785 would; its annotation is narrower
        # than what it reads (tuples, subclasses).
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except (UnicodeEncodeError, rfc8785.CanonicalizationError) as exc:
        # After _fast_path_applies, the one value either encoder still refuses is a string
        # holding a lone surrogate: RFC 8785 §3.1 requires text that UTF-8 can carry.
        raise InvalidInput(
            "JSON text contains a lone surrogate, which UTF-8 cannot encode (RFC 8785 §3.1)",
            "JSON 문자열에 UTF-8로 나타낼 수 없는 짝 없는 서로게이트 문자가 있습니다",
        ) from exc
    except RecursionError as exc:
        raise InvalidInput(
            "JSON value is nested too deeply, or refers to itself",
            "JSON 값의 중첩이 너무 깊거나 자기 자신을 참조합니다",
        ) from exc


def canonical_object(members: Mapping[str, bytes]) -> bytes:
    """The RFC 8785 form of an object whose member values are already in RFC 8785 form.

    §3.2.3: members in the order of their names' UTF-16 code units, each name a canonical JSON
    string. Lets a caller serialize a large member once and reuse it in several objects (an
    entry with and without its signatures, a credential with and without its proof).
    """
    if all(name.isascii() for name in members):
        ordered = sorted(members)  # for ASCII, code point order is UTF-16 order
    else:
        # surrogatepass: a lone surrogate sorts like any name, then canonical_json refuses it
        # with InvalidInput, as it does inside a whole document.
        ordered = sorted(members, key=lambda name: name.encode("utf-16-be", "surrogatepass"))
    return b"{" + b",".join(_member_name(name) + b":" + members[name] for name in ordered) + b"}"


_MEMBER_NAMES: dict[str, bytes] = {}
_MEMBER_NAMES_HELD = 4096
"""Documents reuse a small set of member names; their encoded forms are kept, up to a bound."""


def _member_name(name: str) -> bytes:
    encoded = _MEMBER_NAMES.get(name)
    if encoded is None:
        encoded = canonical_json(name)
        if len(_MEMBER_NAMES) < _MEMBER_NAMES_HELD:
            _MEMBER_NAMES[name] = encoded
    return encoded


@dataclass(frozen=True, slots=True)
class CanonicalDocument:
    """A value read by ``read_canonical`` and whether the standard encoder is canonical for it.

    ``plain`` is True when the document holds no floats and no astral-plane member names; then
    the C encoder writes RFC 8785 output for the value and for every part of it, and
    ``encode`` needs no second walk over the value.
    """

    value: Any
    plain: bool

    def encode(self, part: object) -> bytes:
        """Canonical bytes of ``part``, which must be built from this document's value."""
        if self.plain:
            try:
                return _ENCODER.encode(part).encode("utf-8")
            except UnicodeEncodeError:
                pass
        return canonical_json(part)


def parse_canonical(data: bytes) -> Any:
    """Parse JSON bytes that must already be in RFC 8785 canonical form.

    Refuses invalid UTF-8, invalid JSON, duplicate member names, NaN and Infinity, unsafe
    integers and, finally, any bytes that differ from the canonical serialization of what they
    parse to (whitespace, member order, escapes, number spelling).
    """
    return read_canonical(data).value


def read_canonical(data: bytes) -> CanonicalDocument:
    """``parse_canonical``, keeping what the parse learned about the document's form.

    The parser's hooks see every number and member name once, so the check that the fast
    encoder applies costs no extra walk over the value.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"JSON is not valid UTF-8 (byte {exc.start})",
            f"JSON이 올바른 UTF-8이 아닙니다 ({exc.start}번째 바이트)",
        ) from exc
    form = _FormSeen()
    try:
        value = json.loads(
            text,
            object_pairs_hook=form.object,
            parse_constant=_refuse_constant,
            parse_float=form.float,
            parse_int=_safe_int,
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            f"올바른 JSON이 아닙니다: {exc.lineno}행 {exc.colno}열 ({exc.msg})",
        ) from exc
    except RecursionError as exc:
        raise InvalidInput("JSON is nested too deeply", "JSON의 중첩이 너무 깊습니다") from exc
    except InvalidInput:
        raise
    except ValueError as exc:  # an integer longer than sys.get_int_max_str_digits()
        raise InvalidInput(
            f"JSON number cannot be read: {exc}",
            f"JSON의 숫자를 읽을 수 없습니다: {exc}",
        ) from exc
    document = CanonicalDocument(value, plain=not form.floats and not form.astral_keys)
    try:
        encoded = _ENCODER.encode(value).encode("utf-8") if document.plain else None
    except UnicodeEncodeError:
        encoded = None
    if encoded is None:
        encoded = canonical_json(value)
    if encoded != data:
        raise InvalidInput(
            "JSON is not in RFC 8785 canonical form (check member order, whitespace, "
            "string escapes and number spelling)",
            "JSON이 RFC 8785 정규형이 아닙니다 (멤버 순서, 공백, 문자열 이스케이프, "
            "숫자 표기를 확인하세요)",
        )
    return document


class _FormSeen:
    """Parser hooks that note floats and astral-plane member names as they are read."""

    def __init__(self) -> None:
        self.floats = False
        self.astral_keys = False

    def float(self, text: str) -> float:
        self.floats = True
        value = float(text)
        _check_float(value)
        return value

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if not self.astral_keys:
            self.astral_keys = any(
                not key.isascii() and _ASTRAL.search(key) is not None for key, _ in pairs
            )
        return _object_without_duplicates(pairs)


def _safe_int(text: str) -> int:
    value = int(text)
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        _refuse_unsafe_integer(value)
    return value


def _fast_path_applies(value: object) -> bool:
    """Check all of ``value`` once: True if the standard encoder's output is already canonical.

    Refuses what no path may write, so both paths apply the same rules with the same messages.
    """
    if isinstance(value, str):
        return True
    if value is None or value is True or value is False:
        return True
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            _refuse_unsafe_integer(value)
        return True
    if isinstance(value, dict):
        # Subclasses may iterate differently from what the C encoder reads; leave them to rfc8785.
        fast = type(value) is dict
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(
                    f"JSON member names must be strings, not {type(key).__name__}",
                    f"JSON 멤버 이름은 문자열이어야 합니다 ({type(key).__name__} 형식은 안 됩니다)",
                )
            # Code point order differs from the UTF-16 order RFC 8785 §3.2.3 requires only
            # when an astral character (a surrogate pair in UTF-16) meets U+E000..U+FFFF.
            if type(key) is not str or (not key.isascii() and _ASTRAL.search(key) is not None):
                fast = False
            if not isinstance(item, str) and not _fast_path_applies(item):
                fast = False
        return fast
    if isinstance(value, (list, tuple)):
        fast = type(value) is list or type(value) is tuple
        for item in value:
            if not isinstance(item, str) and not _fast_path_applies(item):
                fast = False
        return fast
    if isinstance(value, float):
        _check_float(value)
        return False
    raise InvalidInput(
        f"{type(value).__name__} values cannot be written as JSON",
        f"{type(value).__name__} 형식의 값은 JSON으로 쓸 수 없습니다",
    )


def _check_float(value: float) -> None:
    if not math.isfinite(value):
        raise InvalidInput(
            f"JSON numbers must be finite; {value} is not (RFC 8785 §3.2.2.3)",
            f"JSON 숫자는 유한해야 합니다; {value}는 쓸 수 없습니다",
        )
    if MAX_SAFE_INTEGER < abs(value) < _EXPONENT_FORM_FROM:
        _refuse_unsafe_integer(value)


def _refuse_unsafe_integer(value: float) -> NoReturn:
    # Past 4300 digits Python refuses to turn an int into text at all, so huge values go unnamed.
    shown = f" {value!r}" if abs(value) < 10**40 else ""
    raise InvalidInput(
        f"number{shown} is an integer beyond ±(2**53 - 1), the range I-JSON (RFC 7493 §2.2) "
        "allows; send it as a string",
        f"숫자{shown}는 I-JSON(RFC 7493 §2.2)이 허용하는 ±(2**53 - 1) 범위를 벗어난 정수입니다; "
        "문자열로 보내세요",
    )


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                # I-JSON (RFC 7493 §2.3) forbids duplicate names: parsers disagree on which
                # value wins, so a signer and a verifier could read different documents.
                raise InvalidInput(
                    f"JSON object has the member name {key!r} more than once",
                    f"JSON 객체에 멤버 이름 {key!r}가 두 번 이상 나옵니다",
                )
            seen.add(key)
    return obj


def _refuse_constant(name: str) -> NoReturn:
    raise InvalidInput(
        f"{name} is not a JSON number (RFC 8259 §6)",
        f"{name}은(는) JSON 숫자가 아닙니다 (RFC 8259 §6)",
    )
