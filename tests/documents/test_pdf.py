"""Korean A4 documents: they render in a real renderer (PDFium) with their text extractable, the
font is embedded, the QR code is the one segno makes for the URL, and output is reproducible."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from blockcity.documents import (
    Heading,
    KeyValueTable,
    Paragraph,
    PdfMetadata,
    QrCode,
    build_pdf,
    qr_matrix,
)
from blockcity.errors import InvalidInput
from tests.documents.conftest import CREATED_AT, TITLE, VERIFY_URL, certificate


def _page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_bounded() for i in range(len(document))]


def test_korean_document_renders_with_pdfium_and_its_text_extracts(base_pdf: bytes) -> None:
    document = pdfium.PdfDocument(base_pdf)
    assert len(document) == 1
    image = document[0].render(scale=1).to_pil().convert("L")
    # A4 (210 x 297 mm) is 595.28 x 841.89 points; at 72 dpi PDFium rounds up to whole pixels.
    assert image.size == (596, 842)
    dark = sum(image.histogram()[:128])
    # Title, table, text and the QR code ink well over a thousand pixels; a blank page none.
    assert dark > 1000
    text = _page_texts(base_pdf)[0]
    for expected in (TITLE, "근로 내용", "서울 동행일자리", "10,320원", "진위 확인", VERIFY_URL):
        assert expected in text
    assert "서울특별시 · 문서번호 2026-0001" in text
    assert "1 / 1 쪽" in text


def test_every_font_is_an_embedded_nanumgothic_subset(base_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(base_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 2  # regular and bold
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/TrueType"
        # A subset tag of six capitals, then the face (ISO 32000-1 §9.6.4).
        assert re.fullmatch(r"/[A-Z]{6}\+NanumGothic(Bold)?", font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"]
    # Nothing refers to a font the reader would have to find on its own machine.
    assert b"/Helvetica" not in base_pdf


def test_the_font_is_subset_not_copied_whole(base_pdf: bytes) -> None:
    # The two TTFs are 9.3 MB together; a page of text needs a few dozen glyphs.
    assert len(base_pdf) < 150_000


def test_qr_image_is_segnos_matrix_for_the_url(base_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(base_pdf))
    images = reader.pages[0].images
    assert len(images) == 1
    image = images[0].image.convert("L")
    matrix = qr_matrix(VERIFY_URL)
    assert image.size == (len(matrix[0]), len(matrix))
    drawn = tuple(
        tuple(image.getpixel((x, y)) < 128 for x in range(image.size[0]))
        for y in range(image.size[1])
    )
    assert drawn == matrix
    # Four light modules of quiet zone on every side (ISO/IEC 18004 §6.3.8).
    assert not any(matrix[0]) and not any(matrix[-1])
    assert not any(row[0] or row[-1] for row in matrix)


def test_same_input_gives_the_same_bytes(base_pdf: bytes) -> None:
    assert certificate() == base_pdf


def test_creation_date_is_the_callers_in_seoul_time(base_pdf: bytes) -> None:
    info = PdfReader(io.BytesIO(base_pdf)).metadata
    assert info is not None
    # 2026-03-01 00:00 UTC + 9 h = 2026-03-01 09:00 KST.
    assert info["/CreationDate"] == "D:20260301090000+09'00'"
    assert info["/ModDate"] == "D:20260301090000+09'00'"
    assert info.title == TITLE
    assert info.author == "서울특별시"
    later = certificate(CREATED_AT + timedelta(seconds=1))
    assert later != base_pdf
    # The same instant written in another zone is the same document.
    in_new_york = CREATED_AT.astimezone(timezone(timedelta(hours=-5)))
    assert certificate(in_new_york) == base_pdf


def test_catalog_declares_the_language(base_pdf: bytes) -> None:
    catalog = PdfReader(io.BytesIO(base_pdf)).trailer["/Root"]
    assert isinstance(catalog, DictionaryObject)
    assert catalog["/Lang"] == "ko-KR"


def test_long_document_numbers_its_pages_of_the_total() -> None:
    rows = tuple((f"항목 {i}", f"값 {i}") for i in range(120))
    pdf = build_pdf("임금명세서", [KeyValueTable(rows)], created_at=CREATED_AT)
    texts = _page_texts(pdf)
    total = len(texts)
    # 120 rows of ~22 pt each need about 2,640 pt; an A4 page holds ~740 pt of table.
    assert total >= 3
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {total} 쪽" in text
    assert "항목 119" in texts[-1]


def test_english_document_has_english_page_label_and_lang() -> None:
    pdf = build_pdf(
        "Certificate of employment",
        [Paragraph("Issued by the Seoul Metropolitan Government.")],
        created_at=CREATED_AT,
        lang="en",
    )
    assert "Page 1 of 1" in _page_texts(pdf)[0]
    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert isinstance(catalog, DictionaryObject)
    assert catalog["/Lang"] == "en"


def test_markup_in_text_is_printed_not_interpreted() -> None:
    pdf = build_pdf(
        "<b>제목</b>", [Paragraph("a < b & c > d\n<font size=40>x</font>")], created_at=CREATED_AT
    )
    text = _page_texts(pdf)[0]
    assert "<b>제목</b>" in text
    assert "a < b & c > d" in text
    assert "<font size=40>x</font>" in text


def test_naive_creation_time_is_refused() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        build_pdf(TITLE, [], created_at=datetime(2026, 3, 1))


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/x", "https://", "https://e.example/" + "a" * 600],
)
def test_qr_code_needs_a_short_http_url(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_pdf(TITLE, [QrCode(url)], created_at=CREATED_AT)
    assert "QR" in caught.value.message_ko


def test_control_characters_are_refused() -> None:
    with pytest.raises(InvalidInput, match="control characters"):
        build_pdf(TITLE, [Paragraph("bell\x07")], created_at=CREATED_AT)


def test_unknown_language_and_empty_title_are_refused() -> None:
    with pytest.raises(InvalidInput, match="language"):
        build_pdf(TITLE, [], created_at=CREATED_AT, lang="jp")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="title"):
        build_pdf("  ", [], created_at=CREATED_AT)


def test_empty_key_value_table_is_refused() -> None:
    with pytest.raises(InvalidInput):
        build_pdf(TITLE, [KeyValueTable(())], created_at=CREATED_AT)


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\n"),
    max_size=200,
)


@settings(max_examples=25, deadline=None)
@given(title=_TEXT.filter(str.strip), body=_TEXT, key=_TEXT, value=_TEXT)
def test_any_text_builds_a_readable_pdf(title: str, body: str, key: str, value: str) -> None:
    pdf = build_pdf(
        title,
        [Heading(key), Paragraph(body), KeyValueTable(((key, value),))],
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        metadata=PdfMetadata(author=key.replace("\n", " "), subject=value),
    )
    assert len(pdfium.PdfDocument(pdf)) >= 1
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
