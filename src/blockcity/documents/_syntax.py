"""The slice of PDF syntax that sealing reads (ISO 32000-2 §7.3 objects, §7.5.4 classic
cross-reference tables, §7.5.5 trailers): a revision's merged trailer and the few objects it
names, as plain Python values, straight from the bytes.

Sealing and opening a sealed PDF both read the base revision through this module, so the two
agree by construction, and a verifier pays for the handful of objects it looks at instead of
a general parser's walk over the whole file. Values are what pypdf reads from the same bytes
(its string escapes, the newest trailer's keys first), so the documents sealed through pypdf
before rebuild to the same bytes; what pypdf would guess at (a name not in UTF-8, a key given
twice) is refused instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

MAX_DEPTH = 32
"""Nesting we read; a real catalog or trailer goes two or three levels deep."""
_MAX_REVISIONS = 1000
"""Cross-reference sections followed through /Prev: enough for any document a person edits,
few enough that a hostile chain costs nothing."""

_WHITESPACE = re.compile(rb"(?:[\x00\t\n\f\r ]+|%[^\r\n]*)*")
_REGULAR = re.compile(rb"[^\x00\t\n\f\r ()<>\[\]{}/%]*")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_REFERENCE = re.compile(rb"(\d{1,10})[\x00\t\n\f\r ]+(\d{1,5})[\x00\t\n\f\r ]+R(?![A-Za-z])")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_KEYWORD = re.compile(rb"(true|false|null)(?![A-Za-z])")
_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\x00\t\n\f\r ]*)>")
_HEX_SPACE = re.compile(rb"[\x00\t\n\f\r ]+")
_OBJECT_HEADER = re.compile(rb"(\d{1,10})[\x00\t\n\f\r ]+(\d{1,5})[\x00\t\n\f\r ]+obj")
_END_OBJECT = re.compile(rb"[\x00\t\n\f\r ]*endobj")
# §7.5.4: "xref", then subsections of a header "first count" and 20-byte entries.
_XREF_KEYWORD = re.compile(rb"xref(?:\r\n|\r|\n)")
_XREF_SUBSECTION = re.compile(rb"(\d{1,10}) (\d{1,10})[ ]?(?:\r\n|\r|\n)")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_TRAILER = re.compile(rb"[\x00\t\n\f\r ]*trailer")
# §7.3.4.2 escapes in literal strings, as pypdf reads them (a few beyond the table too).
_ESCAPES = {
    ord(k): v
    for k, v in {
        "n": 10,
        "r": 13,
        "t": 9,
        "b": 8,
        "f": 12,
        "(": 40,
        ")": 41,
        "/": 47,
        "\\": 92,
        " ": 32,
        "%": 37,
        "<": 60,
        ">": 62,
        "[": 91,
        "]": 93,
        "#": 35,
        "_": 95,
        "&": 38,
        "$": 36,
    }.items()
}


class PdfSyntaxError(ValueError):
    """The bytes are not the PDF syntax expected at that place."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An indirect reference ``number generation R`` (§7.3.10)."""

    number: int
    generation: int


@dataclass(frozen=True, slots=True)
class Name:
    """A name object (§7.3.5), its ``#hh`` escapes decoded, without the leading slash."""

    text: str


Value: TypeAlias = (
    Ref | Name | bytes | bool | int | float | list["Value"] | dict[str, "Value"] | None
)
"""A PDF object: strings are their bytes, dictionary keys the names' text."""


@dataclass(frozen=True, slots=True)
class XrefEntry:
    number: int
    offset: int
    generation: int
    in_use: bool


@dataclass(frozen=True, slots=True)
class Revisions:
    """What a file's chain of classic cross-reference sections says: its trailer (each key
    from the newest section that has it) and where each object's newest version starts."""

    trailer: dict[str, Value]
    objects: dict[int, XrefEntry]

    def resolve(self, data: bytes, value: Value) -> Value:
        """The object a reference points at (a value that is no reference is itself)."""
        if not isinstance(value, Ref):
            return value
        entry = self.objects.get(value.number)
        if entry is None or not entry.in_use or entry.generation != value.generation:
            raise PdfSyntaxError(f"object {value.number} {value.generation} is not in the file")
        return read_indirect(data, entry)

    def misplaced(self, data: bytes) -> XrefEntry | None:
        """The first in-use entry whose offset does not start its object, if any."""
        for entry in self.objects.values():
            if entry.in_use:
                header = _OBJECT_HEADER.match(data, entry.offset)
                if header is None or (int(header[1]), int(header[2])) != (
                    entry.number,
                    entry.generation,
                ):
                    return entry
        return None


def read_value(data: bytes, position: int, depth: int = 0) -> tuple[Value, int]:
    """The object starting at ``position`` (after any whitespace), and where it ends."""
    if depth > MAX_DEPTH:
        raise PdfSyntaxError("objects nested too deeply")
    position = _skip(data, position)
    lead = data[position : position + 1]
    if lead == b"/":
        regular = _REGULAR.match(data, position + 1)
        end = regular.end() if regular is not None else position + 1
        return Name(_name_text(data[position + 1 : end])), end
    if data.startswith(b"<<", position):
        return _read_dictionary(data, position + 2, depth)
    if lead == b"[":
        return _read_array(data, position + 1, depth)
    if lead == b"(":
        return _read_literal_string(data, position + 1)
    if lead == b"<":
        hex_string = _HEX_STRING.match(data, position)
        if hex_string is None:
            raise PdfSyntaxError(f"a broken hexadecimal string at byte {position}")
        digits = _HEX_SPACE.sub(b"", hex_string.group(1))
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii")), (
            hex_string.end()
        )
    reference = _REFERENCE.match(data, position)
    if reference is not None:
        return Ref(int(reference.group(1)), int(reference.group(2))), reference.end()
    number = _NUMBER.match(data, position)
    if number is not None:
        text = number.group()
        return (float(text) if b"." in text else int(text)), number.end()
    keyword = _KEYWORD.match(data, position)
    if keyword is not None:
        return {b"true": True, b"false": False, b"null": None}[keyword.group(1)], keyword.end()
    raise PdfSyntaxError(f"no PDF object at byte {position}")


def read_indirect(data: bytes, entry: XrefEntry) -> Value:
    """The object an in-use cross-reference entry points at (§7.3.10 ``n g obj ... endobj``)."""
    header = _OBJECT_HEADER.match(data, entry.offset)
    if header is None or (int(header.group(1)), int(header.group(2))) != (
        entry.number,
        entry.generation,
    ):
        raise PdfSyntaxError(f"object {entry.number} is not where the cross-reference says")
    value, end = read_value(data, header.end())
    # A stream would follow its dictionary here; the objects sealing reads are never streams.
    if _END_OBJECT.match(data, end) is None:
        raise PdfSyntaxError(f"object {entry.number} does not end with endobj")
    return value


def read_xref_section(data: bytes, offset: int) -> tuple[list[XrefEntry], int] | None:
    """The entries of the classic cross-reference section at ``offset`` and where it ends, or
    None when there is none there (a cross-reference stream, or a wrong offset)."""
    keyword = _XREF_KEYWORD.match(data, offset)
    if keyword is None:
        return None
    position = keyword.end()
    entries: list[XrefEntry] = []
    while (header := _XREF_SUBSECTION.match(data, position)) is not None:
        position = header.end()
        first = int(header.group(1))
        for number in range(first, first + int(header.group(2))):
            entry = _XREF_ENTRY.match(data, position)
            if entry is None:
                return None
            position = entry.end()
            entries.append(
                XrefEntry(number, int(entry.group(1)), int(entry.group(2)), entry.group(3) == b"n")
            )
    return entries, position


def read_revisions(data: bytes, xref_offset: int) -> Revisions:
    """Follow the classic cross-reference sections from ``xref_offset`` back through /Prev."""
    trailer: dict[str, Value] = {}
    objects: dict[int, XrefEntry] = {}
    seen: set[int] = set()
    offset: Value = xref_offset
    while isinstance(offset, int) and not isinstance(offset, bool):
        if offset in seen or len(seen) >= _MAX_REVISIONS:
            raise PdfSyntaxError("the cross-reference sections loop")
        seen.add(offset)
        section = read_xref_section(data, offset)
        if section is None:
            raise PdfSyntaxError(f"no classic cross-reference table at byte {offset}")
        entries, end = section
        for entry in entries:
            objects.setdefault(entry.number, entry)
        keyword = _TRAILER.match(data, end)
        if keyword is None:
            raise PdfSyntaxError(f"no trailer after the cross-reference table at byte {offset}")
        section_trailer, _ = read_value(data, keyword.end())
        if not isinstance(section_trailer, dict):
            raise PdfSyntaxError(f"the trailer after byte {offset} is not a dictionary")
        for key, value in section_trailer.items():
            trailer.setdefault(key, value)
        offset = section_trailer.get("Prev")
    return Revisions(trailer, objects)


def _read_dictionary(data: bytes, position: int, depth: int) -> tuple[Value, int]:
    entries: dict[str, Value] = {}
    while True:
        position = _skip(data, position)
        if data.startswith(b">>", position):
            return entries, position + 2
        key, position = read_value(data, position, depth + 1)
        if not isinstance(key, Name):
            raise PdfSyntaxError(f"a dictionary key that is not a name before byte {position}")
        if key.text in entries:
            raise PdfSyntaxError(f"the key /{key.text} twice in one dictionary")
        entries[key.text], position = read_value(data, position, depth + 1)


def _read_array(data: bytes, position: int, depth: int) -> tuple[Value, int]:
    items: list[Value] = []
    while True:
        position = _skip(data, position)
        if data.startswith(b"]", position):
            return items, position + 1
        item, position = read_value(data, position, depth + 1)
        items.append(item)


def _read_literal_string(data: bytes, position: int) -> tuple[Value, int]:
    out = bytearray()
    depth = 1
    end = len(data)
    while position < end:
        byte = data[position]
        position += 1
        if byte == 0x28:  # (
            depth += 1
        elif byte == 0x29:  # )
            depth -= 1
            if depth == 0:
                return bytes(out), position
        elif byte == 0x5C:  # backslash
            if position >= end:
                break
            escaped = data[position]
            position += 1
            if escaped in _ESCAPES:
                out.append(_ESCAPES[escaped])
                continue
            if 0x30 <= escaped <= 0x37:
                digits = bytes([escaped])
                while len(digits) < 3 and position < end and 0x30 <= data[position] <= 0x37:
                    digits += data[position : position + 1]
                    position += 1
                code = int(digits, 8)
                if code > 255:
                    # pypdf keeps the backslash and reads the digits again as plain bytes.
                    out.append(0x5C)
                    position -= len(digits)
                else:
                    out.append(code)
                continue
            if escaped in (0x0A, 0x0D):
                # A backslash before a line end continues the string on the next line.
                if position < end and data[position] in (0x0A, 0x0D):
                    position += 1
                continue
            out.append(0x5C)
            byte = escaped
        out.append(byte)
    raise PdfSyntaxError("a literal string that never ends")


def _skip(data: bytes, position: int) -> int:
    """Past whitespace and comments (§7.2.3, §7.2.4)."""
    blank = _WHITESPACE.match(data, position)
    return blank.end() if blank is not None else position


def _name_text(raw: bytes) -> str:
    decoded = _NAME_ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode("ascii")), raw)
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PdfSyntaxError(f"the name /{raw!r} is not UTF-8") from exc
