"""The PDF syntax sealing reads (documents/_syntax.py): each kind of object with values worked
out by hand from ISO 32000-2 §7.3, cross-reference chains, and the hostile shapes it refuses
(nesting bombs, duplicate keys, /Prev loops) with a PdfSyntaxError rather than a crash."""

from __future__ import annotations

import pytest

from blockcity.documents._syntax import (
    MAX_DEPTH,
    Name,
    PdfSyntaxError,
    Ref,
    read_revisions,
    read_value,
    read_xref_section,
)


def value(text: bytes) -> object:
    return read_value(text, 0)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"42", 42),
        (b"-17", -17),
        (b"+5", 5),
        (b"-.25", -0.25),
        (b"5.", 5.0),
        (b"true", True),
        (b"false", False),
        (b"null", None),
        (b"12 0 R", Ref(12, 0)),
        (b"12 0", 12),  # not followed by R: just the number 12
        (b"/Type", Name("Type")),
        (b"/A#20b", Name("A b")),  # §7.3.5: #20 is a space
        (b"/application#2Fjson", Name("application/json")),
        (b"<6b6f2d4b52>", b"ko-KR"),
        (b"<0a0b0>", b"\x0a\x0b\x00"),  # §7.3.4.3: an odd final digit is followed by 0
        (b"<6b 6f\n2d>", b"ko-"),  # whitespace inside a hex string is ignored
        (b"(ko-KR)", b"ko-KR"),
        (b"(x(y)z)", b"x(y)z"),  # balanced parentheses need no escape
        (b"(a\\)b)", b"a)b"),
        (b"(\\053)", b"+"),  # octal 053 = 43 = "+"
        (b"(\\7x)", b"\x07x"),  # one octal digit
        (b"(a\\\nb)", b"ab"),  # backslash before a line end continues the line
        (b"(a\\\r\nb)", b"ab"),
        (b"(\\n\\t)", b"\n\t"),
        (b"(\\q)", b"\\q"),  # an unknown escape keeps its backslash, as pypdf reads it
        (b"[1 /A (b) [2]]", [1, Name("A"), b"b", [2]]),
        (b"<</B 2 /A [true]>>", {"B": 2, "A": [True]}),
        (b"<< % a comment\n/A 1 >>", {"A": 1}),
    ],
)
def test_each_kind_of_object_reads_as_the_standard_says(text: bytes, expected: object) -> None:
    assert value(text) == expected


def test_a_value_ends_where_its_bytes_end() -> None:
    assert read_value(b"  <</A 1>>endobj", 0) == ({"A": 1}, 10)


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"<</A 1",  # never closed
        b"(never closed",
        b"<12z4>",
        b"<</A 1 /A 2>>",  # one key twice: which one a reader takes is undefined
        b"<<1 2>>",  # a key that is not a name
        b"/\xff\xfe",  # a name that is not UTF-8
        b"stream",
    ],
)
def test_broken_objects_are_refused(text: bytes) -> None:
    with pytest.raises(PdfSyntaxError):
        value(text)


def test_nesting_beyond_the_limit_is_refused_not_a_recursion_error() -> None:
    assert value(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    with pytest.raises(PdfSyntaxError, match="nested too deeply"):
        value(b"[" * 10_000 + b"]" * 10_000)


def _revision(objects: dict[int, bytes], start: int, trailer: bytes, head: bytes) -> bytes:
    """``head`` followed by ``objects`` and one classic xref section with a subsection each."""
    out = bytearray(head)
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out) + start
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out) + start
    out += b"xref\n"
    for number, offset in offsets.items():
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_chain_of_revisions_merges_trailers_and_objects_newest_first() -> None:
    first = _revision(
        {1: b"<</Type /Catalog /V 1>>", 2: b"<</Title (old)>>"},
        0,
        b"<</Size 3 /Root 1 0 R /Info 2 0 R>>",
        b"%PDF-1.7\n",
    )
    first_xref = first.index(b"xref")
    second = _revision(
        {1: b"<</Type /Catalog /V 2>>"},
        len(first),
        b"<</Size 3 /Root 1 0 R /Prev %d>>" % first_xref,
        b"",
    )
    data = first + second
    revisions = read_revisions(data, len(first) + second.index(b"xref"))
    # /Info comes from the older trailer; /Prev from the newer one.
    assert revisions.trailer == {
        "Size": 3,
        "Root": Ref(1, 0),
        "Prev": first_xref,
        "Info": Ref(2, 0),
    }
    assert revisions.resolve(data, Ref(1, 0)) == {"Type": Name("Catalog"), "V": 2}
    assert revisions.resolve(data, Ref(2, 0)) == {"Title": b"old"}
    with pytest.raises(PdfSyntaxError, match="not in the file"):
        revisions.resolve(data, Ref(3, 0))


def test_a_prev_loop_is_refused() -> None:
    # The only section's trailer names itself as the previous one.
    data = _revision(
        {1: b"<</Type /Catalog>>"}, 0, b"<</Size 2 /Root 1 0 R /Prev 43>>", b"%PDF-1.7\n"
    )
    assert data.index(b"xref") == 43
    with pytest.raises(PdfSyntaxError, match="loop"):
        read_revisions(data, 43)


def test_an_object_elsewhere_than_its_xref_entry_says_is_refused() -> None:
    data = _revision({1: b"<</Type /Catalog>>"}, 0, b"<</Size 2 /Root 1 0 R>>", b"%PDF-1.7\n")
    moved = data.replace(b"0000000009 00000 n", b"0000000010 00000 n")
    revisions = read_revisions(moved, moved.index(b"xref"))
    with pytest.raises(PdfSyntaxError, match="not where the cross-reference says"):
        revisions.resolve(moved, Ref(1, 0))


def test_an_xref_section_with_a_short_entry_is_not_a_section() -> None:
    assert read_xref_section(b"xref\n0 1\n0000000000 65535 f \n", 0) is not None
    assert read_xref_section(b"xref\n0 1\n000000000 65535 f \n", 0) is None
    assert read_xref_section(b"1 0 obj", 0) is None
