"""RFC 8785 canonical JSON: the fast path and the fallback against the rfc8785 reference, the
RFC's own samples, and the strict reader."""

from __future__ import annotations

import enum
import json
import struct
from collections import OrderedDict
from typing import Any
from unittest import mock

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from blockcity.crypto import (
    MAX_SAFE_INTEGER,
    canonical_json,
    canonical_object,
    parse_canonical,
    read_canonical,
)
from blockcity.errors import InvalidInput
from tests.vectors import load

# Characters where naive serializers go wrong: controls and their short escapes, the quote and
# backslash, '/' and DEL (never escaped), line separators, the end of the BMP (which code point
# order and UTF-16 order sort differently from astral characters), astral characters, and a
# lone surrogate (which no path may write).
TRICKY_CHARS = [
    "\x00", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1f", '"', "\\", "/", "\x7f",
    "\x80", "é", "한", "\u2028", "\u2029", "\ud7ff", "\ue000", "\ufb33", "\uffff",
    "\U00010000", "\U0001f600", "\U0010ffff", "\ud800", "\udfff", "a", "B", "1",
]  # fmt: skip

texts = st.text(st.one_of(st.sampled_from(TRICKY_CHARS), st.characters()), max_size=8)
integers = st.one_of(
    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
    st.sampled_from([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 2**53, -(2**53), 2**64, -(10**30)]),
    st.integers(),
)
scalars = st.one_of(st.none(), st.booleans(), integers, st.floats(), texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(texts, children, max_size=5),
    ),
    max_leaves=25,
)

# The same without floats and with BMP-only keys: what the fast path takes on.
fast_texts = st.text(
    st.one_of(st.sampled_from([c for c in TRICKY_CHARS if c <= "\uffff"]), st.characters()),
    max_size=8,
)
bmp_keys = fast_texts.filter(lambda key: all(char <= "\uffff" for char in key))
fast_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
        fast_texts,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(bmp_keys, children, max_size=5),
    ),
    max_leaves=25,
)


def _has_unsafe_integral_float(value: object) -> bool:
    """Whether ``value`` holds a float that RFC 8785 writes as an unsafe digits-only integer."""
    if isinstance(value, float):
        return MAX_SAFE_INTEGER < abs(value) < 1e21
    if isinstance(value, dict):
        return any(_has_unsafe_integral_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_unsafe_integral_float(item) for item in value)
    return False


@given(json_values)
def test_canonical_json_equals_rfc8785_reference(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    # rfc8785 lets UnicodeEncodeError escape when it sorts a key holding a lone surrogate.
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        with pytest.raises(InvalidInput):
            canonical_json(value)
        return
    if _has_unsafe_integral_float(value):
        # Stricter than rfc8785 on purpose: such a float reads back as an unsafe integer.
        with pytest.raises(InvalidInput):
            canonical_json(value)
        return
    assert canonical_json(value) == expected
    assert parse_canonical(expected) == json.loads(expected)


@given(fast_values)
def test_fast_path_alone_writes_rfc8785_output(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):  # a lone surrogate
        with pytest.raises(InvalidInput, match="surrogate"):
            canonical_json(value)
        return
    with mock.patch.object(rfc8785, "dumps", side_effect=AssertionError("fallback used")):
        assert canonical_json(value) == expected


@given(st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=6))
def test_a_read_document_encodes_its_parts_exactly_as_rfc8785(value: dict[str, Any]) -> None:
    """``read_canonical`` skips the second walk only when that cannot change the bytes."""
    try:
        data = canonical_json(value)
    except InvalidInput:
        return
    document = read_canonical(data)
    assert document.encode(document.value) == data
    for key in list(document.value):
        part = {k: v for k, v in document.value.items() if k != key}
        assert document.encode(part) == rfc8785.dumps(part)


def test_rfc8785_section_3_2_2_sample_gives_the_section_3_2_4_bytes() -> None:
    source = (
        '{\n  "numbers": [333333333.33333329, 1E30, 4.50,\n'
        "              2e-3, 0.000000000000000000000000001],\n"
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
        '  "literals": [null, true, false]\n}'
    )
    expected = bytes.fromhex(
        "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72"
        "75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a"
        "5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31"
        "65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37"
        "5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30"
        "30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d"
    )
    assert canonical_json(json.loads(source)) == expected
    assert (
        expected
        == (
            '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
        ).encode()
    )
    assert parse_canonical(expected) == json.loads(source)


def test_rfc8785_section_3_2_3_sorts_keys_by_utf16_code_units() -> None:
    source = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    # The emoji (UTF-16 D83D DE00) sorts before U+FB33 though its code point is larger.
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    ).encode()
    assert canonical_json(source) == expected
    assert parse_canonical(expected) == source


# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_rfc8785_appendix_b_numbers(bits: str, text: str) -> None:
    value = _double(bits)
    if MAX_SAFE_INTEGER < abs(value) < 1e21:
        # RFC 8785 writes these as bare digits, which read back as integers beyond I-JSON's
        # range; we refuse them rather than write what we would refuse to read.
        assert rfc8785.dumps([value]) == f"[{text}]".encode()
        with pytest.raises(InvalidInput, match="I-JSON"):
            canonical_json([value])
        return
    assert canonical_json([value]) == f"[{text}]".encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinities_are_refused(bits: str) -> None:
    with pytest.raises(InvalidInput, match="finite"):
        canonical_json({"n": _double(bits)})


def test_control_characters_escape_as_rfc8785_section_3_2_2_2_says() -> None:
    short = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    for code in range(0x20):
        char = chr(code)
        expected = short.get(char, f"\\u{code:04x}")
        assert canonical_json(char) == f'"{expected}"'.encode()
        assert canonical_json({char: [char]}) == f'{{"{expected}":["{expected}"]}}'.encode()
    assert canonical_json('"\\') == b'"\\"\\\\"'
    assert canonical_json("/\x7f\u2028") == '"/\x7f\u2028"'.encode()


def test_vc_di_eddsa_jcs_2022_vector_canonical_forms() -> None:
    vector = load("credentials/vc-di-eddsa-jcs-2022.json")
    intermediate = vector["intermediate"]
    document = canonical_json(vector["unsigned_credential"])
    assert document == intermediate["canonical_document"].encode()
    proof_config = canonical_json(vector["proof_options"])
    assert proof_config == intermediate["canonical_proof_config"].encode()
    assert parse_canonical(document) == vector["unsigned_credential"]


@pytest.mark.parametrize("value", [MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 0])
def test_safe_integers_are_written_as_digits(value: int) -> None:
    assert canonical_json({"n": value}) == f'{{"n":{value}}}'.encode()


@pytest.mark.parametrize("value", [2**53, -(2**53), 10**30, 2.0**53, -1e20, 10**400])
def test_integers_beyond_2_53_are_refused(value: float) -> None:
    with pytest.raises(InvalidInput, match="I-JSON") as caught:
        canonical_json({"n": value})
    assert "I-JSON" in caught.value.message_ko


@pytest.mark.parametrize("value", [1e21, -1e300, 5e-324, 0.5])
def test_floats_outside_the_unsafe_integer_band_round_trip(value: float) -> None:
    data = canonical_json([value])
    assert parse_canonical(data) == [value]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({1: "a"}, "member names must be strings"),
        ({None: "a"}, "member names must be strings"),
        ({"a": {1, 2}}, "set values"),
        (b"bytes", "bytes values"),
        ([object()], "object values"),
        ("\ud800", "lone surrogate"),
        ({"\udfff": 1}, "lone surrogate"),
        ({"k": "\ud800", "f": 0.5}, "lone surrogate"),
    ],
)
def test_values_json_cannot_carry_are_refused(value: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        canonical_json(value)
    assert reason in caught.value.message_en


def test_cyclic_values_are_refused() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(InvalidInput, match="refers to itself"):
        canonical_json(cycle)


class Colour(enum.IntEnum):
    RED = 1


class Name(enum.StrEnum):
    KIM = "김"


def test_tuples_and_subclasses_serialize_like_their_base_types() -> None:
    value: Any = {"t": (1, "a"), "e": Colour.RED, "s": Name.KIM, "o": OrderedDict(b=1, a=2)}
    assert canonical_json(value) == '{"e":1,"o":{"a":2,"b":1},"s":"김","t":[1,"a"]}'.encode()
    assert canonical_json(value) == rfc8785.dumps(value)


def test_parse_canonical_returns_the_value() -> None:
    data = '{"a":[1,-2,true,false,null,"한글"],"b":{"c":0.5}}'.encode()
    assert parse_canonical(data) == {"a": [1, -2, True, False, None, "한글"], "b": {"c": 0.5}}


@pytest.mark.parametrize(
    "data",
    [b'{"a":1,"a":2}', b'{"a":1,"a":1}', b'{"a":1,"\\u0061":1}', b'[{"x":{"a":1,"a":1}}]'],
)
def test_parse_canonical_refuses_duplicate_member_names(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="more than once"):
        parse_canonical(data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"b":1,"a":2}',  # member order
        b'{"a": 1}',  # whitespace
        b' {"a":1}',
        b'{"a":1}\n',
        b'"\\u0041"',  # an escape RFC 8785 does not use
        b'"\\/"',
        b'"\\u001F"',  # uppercase hex
        b'"\\u000a"',  # \n has a short escape
        b"1.0",  # number spelling
        b"1E2",
        b"-0",
        b"1e21",
        b"0.10",
        b"1.00000000000000001",  # more precision than a double
    ],
)
def test_parse_canonical_refuses_non_canonical_bytes(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not in RFC 8785 canonical form"):
        parse_canonical(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'"\xff"', "UTF-8"),
        (b'"\xc0\xaf"', "UTF-8"),  # overlong '/'
        (b'"\xed\xa0\x80"', "UTF-8"),  # an encoded surrogate
        (b'"\\ud800"', "lone surrogate"),
        (b"NaN", "NaN is not a JSON number"),
        (b"[-Infinity]", "-Infinity is not a JSON number"),
        (b"[1e400]", "finite"),
        (b"9007199254740992", "I-JSON"),
        (b"[-9007199254740992]", "I-JSON"),
        (b"1" * 5000, "cannot be read"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":1', "not valid JSON"),
        ('\ufeff"a"'.encode(), "BOM"),
        (b"", "not valid JSON"),
    ],
)
def test_parse_canonical_refuses_invalid_json(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_canonical(data)
    assert reason in caught.value.message_en


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6))
def test_an_object_joined_from_canonical_members_is_the_canonical_object(
    value: dict[str, Any],
) -> None:
    # Names with astral characters and with U+E000..U+FFFF sort differently by code point and
    # by UTF-16 code unit; hypothesis's text() reaches both.
    try:
        members = {name: canonical_json(item) for name, item in value.items()}
    except InvalidInput:
        with pytest.raises(InvalidInput):
            canonical_json(value)
        return
    assert canonical_object(members) == canonical_json(value)
