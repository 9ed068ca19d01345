"""Sealed PDFs: a document with exactly one attached file (a certificate's credential), added as
one incremental update that our own code writes deterministically, so a verifier can rebuild the
whole file from its base revision and its attachment and compare byte for byte.

``seal_pdf`` appends the update (ISO 32000-2 §7.5.6): an EmbeddedFile stream (§7.11.4), its
file specification (§7.11.3) tied to the catalog by /AF (§14.13), an EmbeddedFiles name tree
(§7.7.4), and a new catalog, then a cross-reference section and a trailer with /Prev. The base
bytes stay untouched; a credential commits to their SHA-256 digest. ``open_sealed_pdf`` finds the
base revision again and the one attachment, and checks that sealing the base with that
attachment gives back exactly the file it was given.

Both read only the bytes they need (``_syntax``): the base's trailer and catalog, and the update
at the end, whose shape we wrote. Only a file that is not exactly a seal is read whole, with
pypdf (what ordinary PDF readers see), to say what is wrong with it, and only once its
cross-reference tables are checked to point at their objects.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from blockcity.documents._syntax import (
    Name,
    PdfSyntaxError,
    Ref,
    Value,
    read_revisions,
    read_xref_section,
)
from blockcity.errors import InvalidInput, PayloadTooLarge, VerificationFailed

MAX_PDF_BYTES = 20 * 1024 * 1024
"""Default limit on a PDF given to ``open_sealed_pdf``, checked before any parsing."""

MAX_ATTACHMENT_BYTES = 1024 * 1024
"""The largest attachment we seal or accept. A credential with its inclusion proof and cosigned
checkpoint is a few kilobytes; a megabyte leaves room for an embedded photo."""

# An attachment name is a plain file name: it is shown to people and written to disks by PDF
# readers, so no paths, no spaces, no leading dot.
_ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")
# RFC 6838 §4.2: type "/" subtype, each a restricted-name (no parameters).
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
)
# §7.5.5: the file ends with startxref, the byte offset of the last cross-reference section,
# and %%EOF. We require a line end after %%EOF in a base so the update starts on a fresh line,
# and readers look for the marker within the last 1024 bytes.
_TAIL = re.compile(rb"startxref[ \t\r\n]+(\d{1,10})[ \t\r\n]+%%EOF[ \t]*(\r\n|\r|\n)?\Z")
_TAIL_WINDOW = 1024
# The start of the update seal_pdf writes: the EmbeddedFile stream's dictionary (its /Size and
# /Length are the payload's length), then after the payload the file specification's name.
_SEALED_STREAM = re.compile(
    rb"\d{1,10} 0 obj\n<</Type /EmbeddedFile /Subtype /([!-~]{1,400}?)"
    rb" /Params <</Size (\d{1,10}) /CheckSum <[0-9a-f]{32}>>> /Length \2>>\nstream\n"
)
_SEALED_NAME = re.compile(
    rb"\nendstream\nendobj\n\d{1,10} 0 obj\n<</Type /Filespec /F \(([!-~]{1,64}?)\)"
)
_NAME_ESCAPE = re.compile(r"#([0-9A-F]{2})")
# §14.13.2 /AFRelationship: the credential is the machine-readable equivalent of what the page
# shows, the same role Factur-X gives the invoice XML embedded in a PDF/A-3 invoice.
_RELATIONSHIP = "Alternative"
_SEAL_ID_DOMAIN = b"blockcity.documents.seal/v1\x00"


class NotAPdf(InvalidInput):
    code = "not-a-pdf"
    title_ko = "PDF 파일이 아닙니다"
    title_en = "Not a PDF file"


class UnreadablePdf(InvalidInput):
    code = "pdf-unreadable"
    title_ko = "PDF 파일을 읽을 수 없습니다"
    title_en = "Unreadable PDF"


class NoAttachment(InvalidInput):
    code = "pdf-no-attachment"
    title_ko = "첨부된 증명서가 없습니다"
    title_en = "No attachment in the PDF"


class TooManyAttachments(InvalidInput):
    code = "pdf-too-many-attachments"
    title_ko = "첨부 파일이 두 개 이상입니다"
    title_en = "More than one attachment in the PDF"


class NotSealed(VerificationFailed):
    code = "pdf-not-sealed"
    title_ko = "봉인된 PDF가 아닙니다"
    title_en = "The PDF is not sealed"


class AttachmentTooLarge(PayloadTooLarge):
    code = "pdf-attachment-too-large"
    title_ko = "첨부 파일이 너무 큽니다"
    title_en = "Attachment too large"


class PdfTooLarge(PayloadTooLarge):
    code = "pdf-too-large"
    title_ko = "PDF 파일이 너무 큽니다"
    title_en = "PDF too large"


@dataclass(frozen=True)
class Attachment:
    """One embedded file: its name, its media type (the EmbeddedFile /Subtype) and its bytes."""

    name: str
    media_type: str
    payload: bytes


@dataclass(frozen=True)
class SealedPdf:
    """What ``open_sealed_pdf`` found.

    ``base_length`` is where the sealing update begins (the base revision is the file's first
    ``base_length`` bytes) and ``base_digest`` the SHA-256 of those bytes. ``intact`` is true
    only if ``seal_pdf(base, name, payload, media_type)`` rebuilds the file byte for byte; a
    credential's commitment to ``base_digest`` covers the visible document, ``intact`` the rest.
    """

    base_length: int
    base_digest: bytes
    attachment: Attachment
    intact: bool


def seal_pdf(base_pdf: bytes, name: str, payload: bytes, media_type: str) -> bytes:
    """Return ``base_pdf`` with ``payload`` attached as ``name``, appended as one incremental
    update; the same arguments always give the same bytes.

    The base must be a PDF with classic cross-reference tables (as ReportLab writes), not
    encrypted, ending in %%EOF and a line end, with no attached files of its own.
    """
    digest = hashlib.sha256(base_pdf).digest()
    return base_pdf + _sealing_update(base_pdf, digest, name, payload, media_type)


def open_sealed_pdf(
    data: bytes,
    *,
    max_bytes: int = MAX_PDF_BYTES,
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
) -> SealedPdf:
    """Find the base revision and the single attachment of a sealed PDF, and whether the file
    is exactly what ``seal_pdf`` makes of them.

    Raises ``PdfTooLarge`` (before parsing), ``NotAPdf``, ``UnreadablePdf`` (truncated or
    broken), ``NoAttachment``, ``TooManyAttachments``, ``AttachmentTooLarge``, or ``NotSealed``
    when the attachment is not in an update appended to an earlier revision.
    """
    if len(data) > max_bytes:
        raise PdfTooLarge(
            f"The file is {len(data)} bytes; the limit is {max_bytes}.",
            f"파일이 {len(data)}바이트로, 한도 {max_bytes}바이트를 넘습니다.",
        )
    _check_header(data)
    tail = _TAIL.search(data[-_TAIL_WINDOW:])
    if tail is None:
        raise UnreadablePdf(
            "The PDF is truncated or damaged: it does not end with startxref and %%EOF.",
            "PDF 파일이 잘렸거나 손상되었습니다. 파일 끝(startxref, %%EOF)이 없습니다.",
        )
    xref_offset = int(tail.group(1))
    sealed = _as_sealed(data, xref_offset, max_attachment_bytes)
    # A file that rebuilds byte for byte is seal_pdf's output for that base and attachment,
    # which readers see holding exactly that one attachment (the tests pin what pypdf and
    # PDFium see): reading it whole could find nothing else.
    if sealed is not None and sealed.intact:
        return sealed
    # Not exactly a seal: read the file as PDF readers do, to say what it holds instead.
    _check_cross_references(data, xref_offset)
    attachment = _only_attachment(data, max_attachment_bytes)
    return _checked(data, _update_start(data, xref_offset), attachment)


def _check_cross_references(data: bytes, xref_offset: int) -> None:
    """Refuse, before pypdf reads a file, what would make it scan the whole file once per
    object: it looks for an object whose cross-reference entry is wrong by searching the
    file for it, so a 240 KB upload of 12,000 wrong entries took 23 s of the server's core.
    A sealed PDF has classic cross-reference tables only, every entry pointing at its object.
    """
    try:
        revisions = read_revisions(data, xref_offset)
    except PdfSyntaxError as exc:
        if read_xref_section(data, xref_offset) is None:
            raise _not_sealed() from exc
        raise _unreadable(exc) from exc
    if "XRefStm" in revisions.trailer:
        # A hybrid file's objects may live in compressed streams: not what seal_pdf writes.
        raise _not_sealed()
    wrong = revisions.misplaced(data)
    if wrong is not None:
        raise UnreadablePdf(
            f"The PDF is damaged: its cross-reference table puts object {wrong.number} at byte "
            f"{wrong.offset}, where it is not.",
            f"PDF 파일이 손상되었습니다. 교차 참조 표가 가리키는 {wrong.offset}번째 바이트에 "
            f"{wrong.number}번 객체가 없습니다.",
        )


def _as_sealed(data: bytes, xref_offset: int, max_attachment_bytes: int) -> SealedPdf | None:
    """The file read as the seal it should be: the attachment taken from where ``seal_pdf``
    writes it, then checked by rebuilding the whole update. None when the end of the file
    does not even have the update's shape."""
    try:
        base_length = _update_start(data, xref_offset)
    except NotSealed:
        return None
    stream = _SEALED_STREAM.match(data, base_length)
    if stream is None:
        return None
    length = int(stream.group(2))
    if length > max_attachment_bytes:
        return None
    name = _SEALED_NAME.match(data, stream.end() + length)
    if name is None:
        return None
    # A media type is ASCII (RFC 6838), so each #hh escape _name wrote is one character; a
    # misread one only makes the rebuilt update differ.
    media_type = _NAME_ESCAPE.sub(lambda m: chr(int(m[1], 16)), stream[1].decode("ascii"))
    payload = data[stream.end() : stream.end() + length]
    return _checked(data, base_length, Attachment(name[1].decode("ascii"), media_type, payload))


def _checked(data: bytes, base_length: int, attachment: Attachment) -> SealedPdf:
    base = data[:base_length]
    digest = hashlib.sha256(base).digest()
    try:
        update = _sealing_update(
            base, digest, attachment.name, attachment.payload, attachment.media_type
        )
    except (InvalidInput, PayloadTooLarge):
        # The base or the attachment is something seal_pdf refuses, so this file cannot be its
        # output: not intact, and the caller still learns what the file holds.
        update = None
    return SealedPdf(
        base_length=base_length,
        base_digest=digest,
        attachment=attachment,
        intact=update is not None and data[base_length:] == update,
    )


def _sealing_update(
    base_pdf: bytes, base_digest: bytes, name: str, payload: bytes, media_type: str
) -> bytes:
    """The incremental update ``seal_pdf`` appends to ``base_pdf`` (whose SHA-256 digest is
    ``base_digest``)."""
    if not _ATTACHMENT_NAME.fullmatch(name):
        raise InvalidInput(
            f"Attachment name {name!r} is not a plain file name (letters, digits, '.', '_', '-').",
            f"첨부 파일 이름 {name!r}이(가) 올바르지 않습니다"
            " (영문자, 숫자, '.', '_', '-'만 사용).",
        )
    if not _MEDIA_TYPE.fullmatch(media_type):
        raise InvalidInput(
            f"{media_type!r} is not a media type such as application/vc+jwt.",
            f"{media_type!r}은(는) application/vc+jwt 같은 미디어 유형이 아닙니다.",
        )
    if len(payload) > MAX_ATTACHMENT_BYTES:
        raise AttachmentTooLarge(
            f"The attachment is {len(payload)} bytes; the limit is {MAX_ATTACHMENT_BYTES}.",
            f"첨부 파일이 {len(payload)}바이트로, 한도 {MAX_ATTACHMENT_BYTES}바이트를 넘습니다.",
        )
    _check_header(base_pdf)
    tail = _TAIL.search(base_pdf[-_TAIL_WINDOW:])
    if tail is None or tail.group(2) is None:
        raise InvalidInput(
            "The base PDF must end with startxref, %%EOF and a line end.",
            "원본 PDF는 startxref, %%EOF와 줄바꿈으로 끝나야 합니다.",
        )
    prev = int(tail.group(1))
    if not base_pdf.startswith(b"xref", prev):
        raise InvalidInput(
            "The base PDF's last cross-reference section is not a classic xref table (it is a"
            " cross-reference stream, or the offset is wrong); only classic tables can be sealed.",
            "원본 PDF의 마지막 교차 참조 구역이 일반 교차 참조 표가 아닙니다"
            " (교차 참조 스트림이거나 위치가 틀렸습니다). 일반 교차 참조 표만 봉인할 수 있습니다.",
        )
    base = _read_base(base_pdf, prev)
    return _update(base, prev, len(base_pdf), base_digest, name, payload, media_type)


@dataclass(frozen=True)
class _Base:
    root: Ref
    size: int
    catalog: dict[str, Value]
    names: dict[str, Value] | None
    trailer: dict[str, Value]


def _check_header(data: bytes) -> None:
    # §7.5.2: the first line is %PDF-1.n or %PDF-2.0. We write and accept it at offset 0 only.
    if not re.match(rb"%PDF-[12]\.[0-9]", data):
        raise NotAPdf(
            "This file is not a PDF (it does not start with %PDF-).",
            "PDF 파일이 아닙니다 (%PDF-로 시작하지 않습니다).",
        )


def _unreadable(exc: Exception) -> UnreadablePdf:
    return UnreadablePdf(
        f"The PDF is damaged and cannot be read ({type(exc).__name__}: {exc}).",
        "PDF 파일이 손상되어 읽을 수 없습니다.",
    )


def _read_base(base_pdf: bytes, prev: int) -> _Base:
    try:
        revisions = read_revisions(base_pdf, prev)
        trailer = revisions.trailer
        root = trailer.get("Root")
        catalog = revisions.resolve(base_pdf, root)
        names = (
            revisions.resolve(base_pdf, catalog.get("Names")) if isinstance(catalog, dict) else None
        )
    except PdfSyntaxError as exc:
        raise _unreadable(exc) from exc
    if "Encrypt" in trailer:
        raise InvalidInput(
            "An encrypted PDF cannot be sealed.", "암호화된 PDF는 봉인할 수 없습니다."
        )
    size = trailer.get("Size")
    if (
        not isinstance(root, Ref)
        or not isinstance(catalog, dict)
        or not isinstance(size, int)
        or isinstance(size, bool)
        or size < 1
    ):
        raise UnreadablePdf(
            "The PDF has no document catalog or object count.",
            "PDF 파일에 문서 카탈로그나 객체 수가 없습니다.",
        )
    if names is not None and not isinstance(names, dict):
        raise UnreadablePdf(
            "The PDF's name dictionary is damaged.", "PDF의 이름 사전이 손상되었습니다."
        )
    if "AF" in catalog or (names is not None and "EmbeddedFiles" in names):
        raise InvalidInput(
            "The base PDF already has attached files; a sealed PDF holds exactly one.",
            "원본 PDF에 이미 첨부 파일이 있습니다."
            " 봉인된 PDF에는 첨부 파일이 하나만 있어야 합니다.",
        )
    return _Base(root=root, size=size, catalog=catalog, names=names, trailer=trailer)


def _update(
    base: _Base,
    prev: int,
    base_length: int,
    base_digest: bytes,
    name: str,
    payload: bytes,
    media_type: str,
) -> bytes:
    n = base.size
    embedded, filespec, tree, names = n, n + 1, n + 2, n + 3
    file_name = f"({name})"  # _ATTACHMENT_NAME leaves nothing to escape in a literal string
    # §7.11.4.2: /CheckSum is the MD5 of the file, for readers to spot corruption.
    checksum = hashlib.md5(payload, usedforsecurity=False).hexdigest()
    params = f"<</Size {len(payload)} /CheckSum <{checksum}>>>"
    names_entries = _copied_entries(base.names, skip=()) if base.names is not None else ""
    catalog_entries = _copied_entries(base.catalog, skip=("Names",))
    root = f"{base.root.number} {base.root.generation}"
    objects: list[tuple[int, int, bytes]] = [
        (
            embedded,
            0,
            (
                f"<</Type /EmbeddedFile /Subtype {_name(media_type)} /Params {params}"
                f" /Length {len(payload)}>>\nstream\n"
            ).encode("ascii")
            + payload
            + b"\nendstream",
        ),
        (
            filespec,
            0,
            (
                f"<</Type /Filespec /F {file_name} /UF {file_name}"
                f" /AFRelationship /{_RELATIONSHIP} /EF <</F {embedded} 0 R /UF {embedded} 0 R>>>>"
            ).encode("ascii"),
        ),
        (tree, 0, f"<</Names [{file_name} {filespec} 0 R]>>".encode("ascii")),
        (names, 0, f"<<{names_entries}/EmbeddedFiles {tree} 0 R>>".encode("ascii")),
        (
            base.root.number,
            base.root.generation,
            f"<<{catalog_entries}/Names {names} 0 R /AF [{filespec} 0 R]>>".encode("ascii"),
        ),
    ]
    out = bytearray()
    offsets: dict[int, tuple[int, int]] = {}
    for number, generation, body in objects:
        offsets[number] = (base_length + len(out), generation)
        out += f"{number} {generation} obj\n".encode("ascii") + body + b"\nendobj\n"
    xref_offset = base_length + len(out)
    out += b"xref\n"
    # One subsection for the catalog, one for our four new objects (root < n always).
    for first, count in ((base.root.number, 1), (n, 4)):
        out += f"{first} {count}\n".encode("ascii")
        for number in range(first, first + count):
            offset, generation = offsets[number]
            out += f"{offset:010d} {generation:05d} n \n".encode("ascii")
    # §14.4: the first ID stays the document's permanent one; the second names this revision,
    # and we derive it from everything sealed, so an edited base cannot keep the old file's ID.
    seal_id = hashlib.sha256(
        _SEAL_ID_DOMAIN
        + base_digest
        + hashlib.sha256(payload).digest()
        + f"{name}\x00{media_type}".encode("ascii")
    ).hexdigest()[:32]
    first_id = _first_id(base.trailer) or seal_id
    # §7.5.6: the new trailer repeats every entry of the previous one (but /Prev) and adds /Prev.
    kept = _copied_entries(base.trailer, skip=("Size", "Prev", "ID", "Root"))
    out += (
        f"trailer\n<<{kept}/Size {n + 4} /Root {root} R /ID [<{first_id}> <{seal_id}>]"
        f" /Prev {prev}>>\nstartxref\n{xref_offset}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


def _first_id(trailer: dict[str, Value]) -> str | None:
    ids = trailer.get("ID")
    if isinstance(ids, list) and ids and isinstance(ids[0], bytes):
        return ids[0].hex()
    return None


def _copied_entries(dictionary: dict[str, Value], skip: tuple[str, ...]) -> str:
    # Sorted so the copy depends only on the values read, not on the order they were written in.
    return "".join(
        f"{_name(key)} {_value(dictionary[key])} " for key in sorted(dictionary) if key not in skip
    )


def _value(obj: Value) -> str:
    match obj:
        case Ref():
            return f"{obj.number} {obj.generation} R"
        case Name():
            return _name(obj.text)
        case bool():
            return "true" if obj else "false"
        case None:
            return "null"
        case int():
            return str(obj)
        case float():
            # repr is the shortest round-tripping form; Decimal writes it without an exponent,
            # which PDF numbers may not have (§7.3.3).
            return format(Decimal(repr(obj)), "f")
        case bytes():
            return f"<{obj.hex()}>"
        case list():
            return "[" + " ".join(_value(item) for item in obj) + "]"
        case dict():
            return "<<" + " ".join(f"{_name(key)} {_value(obj[key])}" for key in sorted(obj)) + ">>"


def _name(text: str) -> str:
    # §7.3.5: inside a name, bytes outside ! to ~, delimiters and # itself are written #hh.
    out = ["/"]
    for byte in text.encode("utf-8"):
        if 0x21 <= byte <= 0x7E and chr(byte) not in "#()<>[]{}/%":
            out.append(chr(byte))
        else:
            out.append(f"#{byte:02X}")
    return "".join(out)


def _only_attachment(data: bytes, max_attachment_bytes: int) -> Attachment:
    name: object = None
    subtype: object = None
    stream: object = None
    try:
        entries = list(PdfReader(io.BytesIO(data)).attachment_list)
        if len(entries) == 1:
            entry = entries[0]
            name, subtype = entry.name, entry.subtype
            ef = entry.pdf_object.get("/EF")
            ef = ef.get_object() if ef is not None else None
            # The stream pypdf reads as the content: /UF first, then /F.
            key = "/UF" if isinstance(ef, DictionaryObject) and "/UF" in ef else "/F"
            if isinstance(ef, DictionaryObject) and key in ef:
                stream = ef[key]
    # pypdf reports damaged input through many exception types (its own, ValueError,
    # KeyError, RecursionError, ...); any of them means the same thing to our caller.
    except Exception as exc:
        raise _unreadable(exc) from exc
    if not entries:
        raise NoAttachment(
            "This PDF has no certificate attached.",
            "이 PDF에는 증명서가 첨부되어 있지 않습니다.",
        )
    if len(entries) > 1:
        raise TooManyAttachments(
            f"This PDF has {len(entries)} attached files; a sealed certificate has exactly one.",
            f"이 PDF에는 첨부 파일이 {len(entries)}개 있습니다."
            " 봉인된 증명서에는 하나만 있어야 합니다.",
        )
    if not isinstance(stream, StreamObject):
        raise UnreadablePdf("The attached file's data is missing.", "첨부 파일의 내용이 없습니다.")
    if "/Filter" in stream:
        # seal_pdf never compresses, and decoding first would let a small file expand into a
        # large one (a decompression bomb).
        raise NotSealed(
            "The attachment is compressed, so this PDF was not sealed by blockcity.",
            "첨부 파일이 압축되어 있어 blockcity가 봉인한 PDF가 아닙니다.",
        )
    # Without a filter the stream's data is its raw bytes: nothing is decoded.
    payload = stream.get_data()
    if len(payload) > max_attachment_bytes:
        raise AttachmentTooLarge(
            f"The attachment is {len(payload)} bytes; the limit is {max_attachment_bytes}.",
            f"첨부 파일이 {len(payload)}바이트로, 한도 {max_attachment_bytes}바이트를 넘습니다.",
        )
    media_type = subtype[1:] if isinstance(subtype, NameObject) else ""
    return Attachment(name=str(name), media_type=media_type, payload=bytes(payload))


def _update_start(data: bytes, xref_offset: int) -> int:
    """Where the last update begins: the lowest offset in the last cross-reference section,
    which must follow a complete earlier revision (one ending in %%EOF and a line end)."""
    section = read_xref_section(data, xref_offset)
    offsets = [entry.offset for entry in section[0] if entry.in_use] if section else []
    start = min(offsets, default=xref_offset)
    if start >= xref_offset or _TAIL.search(data[max(0, start - _TAIL_WINDOW) : start]) is None:
        raise _not_sealed()
    return start


def _not_sealed() -> NotSealed:
    return NotSealed(
        "The attachment is not in an update appended to the document, so this PDF was not "
        "sealed by blockcity or was changed afterwards.",
        "첨부 파일이 문서 뒤에 덧붙인 갱신에 들어 있지 않습니다. blockcity가 봉인한 PDF가 "
        "아니거나 봉인 후 변경되었습니다.",
    )
