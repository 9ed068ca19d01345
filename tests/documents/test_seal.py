"""Sealed PDFs: the round trip, what other readers (pypdf, PDFium) see, and the attacks: any one
edited byte, a re-sealed edited document, a second attachment, no attachment, oversized, truncated
and random input. Each failure is a specific BlockcityError, never a stack trace."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from blockcity.documents import (
    MAX_ATTACHMENT_BYTES,
    AttachmentTooLarge,
    NoAttachment,
    NotAPdf,
    NotSealed,
    Paragraph,
    PdfTooLarge,
    TooManyAttachments,
    UnreadablePdf,
    build_pdf,
    open_sealed_pdf,
    seal_pdf,
)
from blockcity.documents import seal as seal_module
from blockcity.errors import BlockcityError, InvalidInput
from tests.documents.conftest import (
    ATTACHMENT_NAME,
    CREATED_AT,
    CREDENTIAL,
    MEDIA_TYPE,
    TITLE,
    certificate,
)

# What opening a damaged file may raise; anything else (KeyError, a pypdf error) is a bug.
_CLEAR_ERRORS = (NotAPdf, UnreadablePdf, NoAttachment, TooManyAttachments, NotSealed)


def _rewritten_with(base: bytes, *attachments: tuple[str, bytes]) -> bytes:
    """The base rewritten by another tool (pypdf) with these attached files."""
    writer = PdfWriter(clone_from=io.BytesIO(base))
    for name, data in attachments:
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_sealed_pdf_opens_to_its_base_and_attachment(base_pdf: bytes, sealed_pdf: bytes) -> None:
    opened = open_sealed_pdf(sealed_pdf)
    assert opened.intact
    assert opened.base_length == len(base_pdf)
    assert sealed_pdf[: opened.base_length] == base_pdf
    assert opened.base_digest == hashlib.sha256(base_pdf).digest()
    assert opened.attachment.name == ATTACHMENT_NAME
    assert opened.attachment.media_type == MEDIA_TYPE
    assert opened.attachment.payload == CREDENTIAL


def test_sealing_is_deterministic_and_only_appends(base_pdf: bytes, sealed_pdf: bytes) -> None:
    assert seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE) == sealed_pdf
    assert sealed_pdf.startswith(base_pdf)
    other = seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL + b" ", MEDIA_TYPE)
    assert other != sealed_pdf
    assert open_sealed_pdf(other).intact


def test_pypdf_sees_exactly_the_one_attachment(sealed_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sealed_pdf))
    assert dict(reader.attachments) == {ATTACHMENT_NAME: [CREDENTIAL]}
    (entry,) = reader.attachment_list
    assert entry.subtype == "/" + MEDIA_TYPE
    # The update is a proper revision: the same single page, still readable.
    assert len(reader.pages) == 1
    assert TITLE in reader.pages[0].extract_text()


def test_pdfium_sees_the_attachment_and_renders_the_page(sealed_pdf: bytes) -> None:
    document = pdfium.PdfDocument(sealed_pdf)
    assert document.count_attachments() == 1
    attachment = document.get_attachment(0)
    assert attachment.get_name() == ATTACHMENT_NAME
    assert bytes(attachment.get_data()) == CREDENTIAL
    assert TITLE in document[0].get_textpage().get_text_bounded()


def test_catalog_ties_the_file_to_the_document_as_an_alternative(sealed_pdf: bytes) -> None:
    catalog = PdfReader(io.BytesIO(sealed_pdf)).trailer["/Root"]
    (filespec,) = catalog["/AF"]
    assert filespec.get_object()["/AFRelationship"] == "/Alternative"
    assert catalog["/Lang"] == "ko-KR"  # the base catalog's entries are carried over


@settings(max_examples=100, deadline=None)
@given(data=st.data(), delta=st.integers(min_value=1, max_value=255))
def test_any_one_edited_byte_is_detected(
    base_pdf: bytes, sealed_pdf: bytes, data: st.DataObject, delta: int
) -> None:
    # Half the edits land in the appended update (600 bytes), half anywhere in the file.
    position = data.draw(
        st.one_of(
            st.integers(len(base_pdf), len(sealed_pdf) - 1),
            st.integers(0, len(sealed_pdf) - 1),
        )
    )
    edited = bytearray(sealed_pdf)
    edited[position] ^= delta
    try:
        opened = open_sealed_pdf(bytes(edited))
    except _CLEAR_ERRORS as exc:
        assert exc.message_en and exc.message_ko
        return
    assert not opened.intact
    if position < opened.base_length:
        # An edit in the visible document also changes the digest a credential commits to.
        assert opened.base_digest != hashlib.sha256(base_pdf).digest()


def test_edited_document_resealed_with_the_genuine_credential_changes_the_base_digest(
    base_pdf: bytes,
) -> None:
    # An attacker changes the wage on the page and seals again: the file is a well-formed
    # seal, so only the credential's commitment to the base digest can catch it.
    forged_base = build_pdf(TITLE, [Paragraph("시급 99,999원")], created_at=CREATED_AT)
    forged = open_sealed_pdf(seal_pdf(forged_base, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE))
    assert forged.intact
    assert forged.base_digest != hashlib.sha256(base_pdf).digest()


def test_pdf_without_attachment_is_refused_in_korean(base_pdf: bytes) -> None:
    with pytest.raises(NoAttachment) as caught:
        open_sealed_pdf(base_pdf)
    assert caught.value.message_ko.startswith("이 PDF에는 증명서가 첨부되어 있지 않습니다")
    assert caught.value.status == 400


def test_pdf_with_two_attachments_is_refused(base_pdf: bytes) -> None:
    two = _rewritten_with(base_pdf, ("credential.json", CREDENTIAL), ("other.json", b"{}"))
    with pytest.raises(TooManyAttachments, match="2 attached files"):
        open_sealed_pdf(two)


def test_second_attachment_appended_after_sealing_is_refused(sealed_pdf: bytes) -> None:
    writer = PdfWriter(io.BytesIO(sealed_pdf), incremental=True)
    writer.add_attachment("extra.json", b"{}")
    out = io.BytesIO()
    writer.write(out)
    # pypdf appends its update with a cross-reference stream, which no seal has: the file is
    # refused as not sealed before any general parser reads it.
    with pytest.raises(NotSealed):
        open_sealed_pdf(out.getvalue())


def test_attachment_added_by_another_tool_is_not_sealed(base_pdf: bytes) -> None:
    rewritten = _rewritten_with(base_pdf, (ATTACHMENT_NAME, CREDENTIAL))
    with pytest.raises(NotSealed):
        open_sealed_pdf(rewritten)


def test_50_mb_file_is_refused_before_parsing() -> None:
    huge = b"%PDF-1.7\n" + b"\x00" * (50 * 1024 * 1024)
    with pytest.raises(PdfTooLarge) as caught:
        open_sealed_pdf(huge)
    assert caught.value.status == 413
    assert "20971520" in caught.value.message_en  # 20 MiB = 20 * 1024 * 1024 bytes


def test_file_size_limit_is_a_parameter(sealed_pdf: bytes) -> None:
    with pytest.raises(PdfTooLarge):
        open_sealed_pdf(sealed_pdf, max_bytes=len(sealed_pdf) - 1)
    assert open_sealed_pdf(sealed_pdf, max_bytes=len(sealed_pdf)).intact


def test_attachment_over_the_limit_is_refused(base_pdf: bytes, sealed_pdf: bytes) -> None:
    with pytest.raises(AttachmentTooLarge):
        open_sealed_pdf(sealed_pdf, max_attachment_bytes=len(CREDENTIAL) - 1)
    with pytest.raises(AttachmentTooLarge):
        seal_pdf(base_pdf, ATTACHMENT_NAME, b"x" * (MAX_ATTACHMENT_BYTES + 1), MEDIA_TYPE)


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_truncated_file_is_unreadable(sealed_pdf: bytes, keep: float) -> None:
    with pytest.raises(UnreadablePdf, match="truncated"):
        open_sealed_pdf(sealed_pdf[: int(len(sealed_pdf) * keep)])


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000).filter(lambda b: not b.startswith(b"%PDF-")))
def test_random_bytes_are_not_a_pdf(data: bytes) -> None:
    with pytest.raises(NotAPdf):
        open_sealed_pdf(data)


def test_random_bytes_after_a_pdf_header_are_refused_clearly() -> None:
    for size in (0, 100, 5000):
        data = b"%PDF-1.4\n" + os.urandom(size) + b"\nstartxref\n9\n%%EOF\n"
        with pytest.raises(_CLEAR_ERRORS):
            open_sealed_pdf(data)


def test_sealing_twice_is_refused(sealed_pdf: bytes) -> None:
    with pytest.raises(InvalidInput, match="already has attached files"):
        seal_pdf(sealed_pdf, "second.json", b"{}", MEDIA_TYPE)


@pytest.mark.parametrize("name", ["", "../credential.json", "a b.json", ".hidden", "자격.json"])
def test_attachment_name_must_be_a_plain_file_name(base_pdf: bytes, name: str) -> None:
    with pytest.raises(InvalidInput, match="plain file name"):
        seal_pdf(base_pdf, name, CREDENTIAL, MEDIA_TYPE)


@pytest.mark.parametrize("media_type", ["", "json", "application/json; charset=utf-8", "a/b c"])
def test_media_type_must_be_type_and_subtype(base_pdf: bytes, media_type: str) -> None:
    with pytest.raises(InvalidInput, match="media type"):
        seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL, media_type)


def test_base_must_end_with_a_line_after_eof(base_pdf: bytes) -> None:
    with pytest.raises(InvalidInput, match="line end"):
        seal_pdf(base_pdf.rstrip(b"\n"), ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)


def test_media_type_with_a_hash_round_trips(base_pdf: bytes) -> None:
    # '#' must be escaped inside a PDF name (ISO 32000 §7.3.5); readers must decode it back.
    sealed = seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL, "application/x#y")
    assert b"/application#2Fx#23y" in sealed
    opened = open_sealed_pdf(sealed)
    assert opened.intact
    assert opened.attachment.media_type == "application/x#y"


def test_other_revisions_of_one_document_seal_independently() -> None:
    first = certificate()
    later = certificate(CREATED_AT.replace(year=2027))
    a = open_sealed_pdf(seal_pdf(first, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE))
    b = open_sealed_pdf(seal_pdf(later, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE))
    assert a.intact and b.intact
    assert a.base_digest != b.base_digest


def test_errors_carry_stable_codes(base_pdf: bytes) -> None:
    codes = set()
    for data in (b"hello", base_pdf, base_pdf[:100]):
        with pytest.raises(BlockcityError) as caught:
            open_sealed_pdf(data)
        codes.add(caught.value.code)
    assert codes == {"not-a-pdf", "pdf-no-attachment", "pdf-unreadable"}


def _hand_made_pdf(catalog: bytes, *extra: bytes) -> bytes:
    """A minimal one-page PDF 1.7 with a classic xref table, written by hand (not ReportLab)."""
    objects = [catalog, b"<</Type /Pages /Kids [3 0 R] /Count 1>>"]
    objects += [b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>", *extra]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_seal_format_is_pinned_byte_for_byte() -> None:
    # Sealed certificates are checked by rebuilding them, so the format we write may never
    # drift: a change here would make every certificate already issued fail as "not intact".
    base = _hand_made_pdf(b"<</Type /Catalog /Pages 2 0 R>>")
    # Objects 1..3 at 9, 56, 111; the xref at 180; the base ends at 321 bytes.
    assert len(base) == 321
    sealed = seal_pdf(base, "credential.json", b'{"a":1}', "application/vc+ld+json")
    assert sealed[len(base) :] == (
        b"4 0 obj\n<</Type /EmbeddedFile /Subtype /application#2Fvc+ld+json"
        b" /Params <</Size 7 /CheckSum <bb6cb5c68df4652941caf652a366f2d8>>> /Length 7>>\n"
        b'stream\n{"a":1}\nendstream\nendobj\n'
        b"5 0 obj\n<</Type /Filespec /F (credential.json) /UF (credential.json)"
        b" /AFRelationship /Alternative /EF <</F 4 0 R /UF 4 0 R>>>>\nendobj\n"
        b"6 0 obj\n<</Names [(credential.json) 5 0 R]>>\nendobj\n"
        b"7 0 obj\n<</EmbeddedFiles 6 0 R>>\nendobj\n"
        b"1 0 obj\n<</Pages 2 0 R /Type /Catalog /Names 7 0 R /AF [5 0 R]>>\nendobj\n"
        b"xref\n1 1\n0000000721 00000 n \n4 4\n0000000321 00000 n \n0000000495 00000 n \n"
        b"0000000629 00000 n \n0000000681 00000 n \n"
        b"trailer\n<</Size 8 /Root 1 0 R"
        b" /ID [<c5a8f86b40cef75321a22ec843182d62> <c5a8f86b40cef75321a22ec843182d62>]"
        b" /Prev 180>>\nstartxref\n793\n%%EOF\n"
    )
    # The MD5 checksum (§7.11.4.2) is the standard one.
    assert hashlib.md5(b'{"a":1}').hexdigest() == "bb6cb5c68df4652941caf652a366f2d8"
    opened = open_sealed_pdf(sealed)
    assert opened.intact and opened.base_length == 321


def test_existing_name_tree_entries_survive_sealing() -> None:
    # A base whose catalog already names destinations keeps them next to the attachment.
    base = _hand_made_pdf(
        b"<</Type /Catalog /Pages 2 0 R /Names 4 0 R>>",
        b"<</Dests 5 0 R>>",
        b"<</Names [(top) [3 0 R /Fit]]>>",
    )
    sealed = seal_pdf(base, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)
    reader = PdfReader(io.BytesIO(sealed))
    names = reader.trailer["/Root"]["/Names"]
    assert names.raw_get("/Dests").idnum == 5
    assert dict(reader.attachments) == {ATTACHMENT_NAME: [CREDENTIAL]}
    assert open_sealed_pdf(sealed).intact


def test_documents_are_identical_across_processes(base_pdf: bytes) -> None:
    # A fresh interpreter with another hash seed (so dicts and sets may iterate differently)
    # builds and seals the same bytes.
    script = (
        "import hashlib, sys\n"
        "from tests.documents.conftest import *\n"
        "from blockcity.documents import seal_pdf\n"
        "pdf = certificate()\n"
        "sealed = seal_pdf(pdf, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)\n"
        "sys.stdout.write(hashlib.sha256(pdf).hexdigest() + hashlib.sha256(sealed).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, env=env, cwd=root
    )
    sealed = seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)
    expected = hashlib.sha256(base_pdf).hexdigest() + hashlib.sha256(sealed).hexdigest()
    assert result.stdout.decode() == expected


def test_base_whose_startxref_misses_the_xref_table_is_refused(base_pdf: bytes) -> None:
    head, _, tail = base_pdf.rpartition(b"startxref\n")
    offset = int(tail.split(b"\n")[0])
    moved = head + b"startxref\n%d\n%%%%EOF\n" % (offset + 1)
    with pytest.raises(InvalidInput, match="not a classic xref table"):
        seal_pdf(moved, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)


def test_a_genuine_seal_is_checked_without_parsing_the_whole_file(
    base_pdf: bytes, sealed_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The verify endpoint opens a certificate per request: a sealed file is read from the
    # bytes of its update and its base's catalog, never by a general PDF parser's walk.
    def no_general_parser(*_: object, **__: object) -> None:
        raise AssertionError("a genuine sealed PDF was parsed whole")

    monkeypatch.setattr(seal_module, "PdfReader", no_general_parser)
    opened = open_sealed_pdf(sealed_pdf)
    assert opened.intact and opened.attachment.payload == CREDENTIAL
    assert opened.base_digest == hashlib.sha256(base_pdf).digest()
    assert seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE) == sealed_pdf


def test_an_edited_update_is_still_read_as_readers_see_it(sealed_pdf: bytes) -> None:
    # One changed byte in the attachment's name: the file has the shape of a seal but is not
    # one, so it is read whole to report what it holds, and is not intact.
    edited = sealed_pdf.replace(b"/F (credential.json)", b"/F (credential.jsom)")
    opened = open_sealed_pdf(edited)
    assert not opened.intact
    assert opened.attachment.payload == CREDENTIAL


def test_every_kind_of_catalog_value_is_copied_exactly() -> None:
    # Strings become hex of their bytes (ko\)\053-K<continued line>R is "ko)+-KR"), reals
    # are written without exponent, names re-escaped, keys sorted; and false stays false
    # (sealing through pypdf wrote it as true: its BooleanObject(False) is truthy).
    base = _hand_made_pdf(
        b"<</Type /Catalog /Pages 2 0 R /Lang (ko\\)\\053-K\\\nR) /M 5. % a comment\n"
        b" /X [1.5 -.25 true false null <0a0b0> /A#20b] /V <</Z 3 /A (x(y)z)>>>>"
    )
    sealed = seal_pdf(base, "credential.json", b'{"a":1}', "application/vc+ld+json")
    assert (
        b"1 0 obj\n<</Lang <6b6f292b2d4b52> /M 5.0 /Pages 2 0 R /Type /Catalog"
        b" /V <</A <782879297a> /Z 3>> /X [1.5 -0.25 true false null <0a0b00> /A#20b]"
        b" /Names 7 0 R /AF [5 0 R]>>\nendobj\n"
    ) in sealed[len(base) :]
    assert open_sealed_pdf(sealed).intact
    catalog = PdfReader(io.BytesIO(sealed)).trailer["/Root"]
    assert catalog["/Lang"] == "ko)+-KR"
    assert catalog["/X"][3].value is False


def test_a_base_with_its_own_incremental_update_seals_from_its_newest_revision() -> None:
    first = _hand_made_pdf(b"<</Type /Catalog /Pages 2 0 R /Lang (en)>>")
    prev = int(first.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    catalog = len(first)
    update = b"1 0 obj\n<</Type /Catalog /Pages 2 0 R /Lang (ko)>>\nendobj\n"
    xref = len(first) + len(update)
    base = (
        first
        + update
        + (
            b"xref\n1 1\n%010d 00000 n \ntrailer\n<</Size 4 /Root 1 0 R /Prev %d>>\n"
            b"startxref\n%d\n%%%%EOF\n" % (catalog, prev, xref)
        )
    )
    sealed = seal_pdf(base, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)
    assert b"/Lang <6b6f>" in sealed[len(base) :]  # the newer catalog's "ko"
    assert b"/Prev %d>>" % xref in sealed[len(base) :]
    opened = open_sealed_pdf(sealed)
    assert opened.intact and opened.base_length == len(base)
    assert PdfReader(io.BytesIO(sealed)).trailer["/Root"]["/Lang"] == "ko"


def test_wrong_cross_references_are_refused_before_pypdf_scans_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pypdf searches the whole file for each object its table misplaces: 12,000 entries
    # pointing at byte 0 (240 KB) cost 23 s of the server's core. Such a file never reaches it.
    def no_general_parser(*_: object, **__: object) -> None:
        raise AssertionError("pypdf was given a file with misplaced objects")

    monkeypatch.setattr(seal_module, "PdfReader", no_general_parser)
    count = 12_000
    data = (
        b"%%PDF-1.7\nxref\n0 %d\n" % count
        + b"0000000000 00000 n \n" * count
        + b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n9\n%%%%EOF\n" % count
    )
    with pytest.raises(UnreadablePdf, match="object 0 at byte 0"):
        open_sealed_pdf(data)
    # A cross-reference stream (not what seal_pdf writes) is not sealed, whatever it holds.
    stream = b"%PDF-1.7\n1 0 obj\n<</Type /XRef /Size 2 /Length 0>>stream\n\nendstream\nendobj\n"
    with pytest.raises(NotSealed):
        open_sealed_pdf(stream + b"startxref\n9\n%%EOF\n")
