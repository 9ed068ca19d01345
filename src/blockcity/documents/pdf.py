"""A4 documents in Korean or English built with ReportLab platypus: a title, headings,
paragraphs, key–value tables and QR codes, with a footer that numbers the pages.

Output is reproducible byte for byte: the creation date comes from the caller, ReportLab runs
in invariant mode (no clock, no random document id), and the QR image and font subsets are
named from their content. Contracts, certificates and wage statements all build on this.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import Paragraph as RLParagraph

from blockcity.documents._fonts import BOLD, REGULAR, register_fonts
from blockcity.errors import InvalidInput

Lang = Literal["ko", "en"]

# The PDF's /Lang (ISO 32000-1 §14.9.2, a BCP 47 tag) and the footer's page label.
_PDF_LANG: dict[Lang, str] = {"ko": "ko-KR", "en": "en"}
_PAGE_LABEL: dict[Lang, str] = {"ko": "{page} / {total} 쪽", "en": "Page {page} of {total}"}

_SEOUL = ZoneInfo("Asia/Seoul")
_MARGIN = 20 * mm
_FOOTER_Y = 12 * mm
_QR_SIDE = 32 * mm
# Error correction level M (15 % of the symbol recoverable) survives a crease or a smudge on
# paper and keeps a ~100-character verification URL at version 6 or below.
_QR_ERROR = "m"
# ISO/IEC 18004 §6.3.8 asks for a quiet zone of four modules around the symbol.
_QR_BORDER = 4
# A verification link fits easily; anything longer is a mistake, and it would need a symbol too
# dense to scan from paper.
_MAX_URL_CHARS = 512
# C0 controls (other than tab and newline) and DEL have no glyph and break ReportLab's
# paragraph parser; refuse them rather than print boxes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# ReportLab keeps per-document state in the shared, registered TTFont objects, so two builds
# must not interleave.
_build_lock = threading.Lock()


@dataclass(frozen=True)
class Heading:
    """A section heading in bold."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text; a newline starts a new line."""

    text: str


@dataclass(frozen=True)
class KeyValueTable:
    """Two columns, a label and its value (say 근로기간 → 2026-03-01 ~ 2026-12-31)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class QrCode:
    """A QR code for an http(s) URL (say the verification page), with a caption beside it."""

    url: str
    caption: str = ""


Section = Heading | Paragraph | KeyValueTable | QrCode


@dataclass(frozen=True)
class PdfMetadata:
    """The document information dictionary beyond title and date (ISO 32000-1 §14.3.3)."""

    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    creator: str = "blockcity"


def build_pdf(
    title: str,
    sections: Sequence[Section],
    *,
    created_at: datetime,
    lang: Lang = "ko",
    metadata: PdfMetadata | None = None,
    footer: str = "",
) -> bytes:
    """Render an A4 document and return the PDF bytes; the same arguments give the same bytes.

    ``created_at`` (time-zone aware) becomes the document's creation and modification date, in
    Seoul time. ``footer`` is printed at the bottom left of every page, the page number
    ("1 / 2 쪽" or "Page 1 of 2") at the bottom right.
    """
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise InvalidInput(
            "The document's creation time needs a time zone.",
            "문서 작성 시각에 시간대가 있어야 합니다.",
        )
    if lang not in _PDF_LANG:
        raise InvalidInput(
            f"Unsupported document language {lang!r}; use 'ko' or 'en'.",
            f"지원하지 않는 문서 언어입니다: {lang!r}. 'ko' 또는 'en'을 사용하세요.",
        )
    if not title.strip():
        raise InvalidInput("A document needs a title.", "문서에 제목이 있어야 합니다.")
    info = metadata or PdfMetadata()
    _check_text(title, *info.keywords, info.author, info.subject, info.creator, footer)
    register_fonts()
    story = _story(title, sections)
    with _build_lock:
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=_MARGIN,
            rightMargin=_MARGIN,
            topMargin=_MARGIN,
            bottomMargin=_MARGIN + 6 * mm,
            title=title,
            author=info.author,
            subject=info.subject,
            keywords=list(info.keywords),
            creator=info.creator,
            lang=_PDF_LANG[lang],
            invariant=1,
            # Otherwise every page starts in Helvetica, a font the PDF would name but not embed.
            initialFontName=REGULAR,
            initialFontSize=10,
        )
        page_label = _PAGE_LABEL[lang]
        date = _pdf_date(created_at)

        def make_canvas(*args: Any, **kwargs: Any) -> Canvas:
            return _FooterCanvas(*args, footer=footer, page_label=page_label, date=date, **kwargs)

        doc.build(story, canvasmaker=make_canvas)
        return out.getvalue()


def _story(title: str, sections: Sequence[Section]) -> list[Flowable]:
    styles = _Styles()
    story: list[Flowable] = [RLParagraph(_markup(title), styles.title), Spacer(1, 6 * mm)]
    for section in sections:
        match section:
            case Heading(text=text):
                _check_text(text)
                story.append(RLParagraph(_markup(text), styles.heading))
            case Paragraph(text=text):
                _check_text(text)
                story.append(RLParagraph(_markup(text), styles.body))
            case KeyValueTable(rows=rows):
                story.append(_key_value_table(rows, styles))
            case QrCode(url=url, caption=caption):
                _check_text(caption)
                story.append(_qr_block(url, caption, styles))
            case _:
                raise InvalidInput(
                    f"Unknown document section {type(section).__name__}.",
                    f"알 수 없는 문서 구성 요소입니다: {type(section).__name__}.",
                )
    return story


class _Styles:
    def __init__(self) -> None:
        self.title = ParagraphStyle(
            "title", fontName=BOLD, fontSize=18, leading=24, alignment=TA_CENTER
        )
        self.heading = ParagraphStyle(
            "heading", fontName=BOLD, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4
        )
        self.body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=15, spaceAfter=4)
        self.key = ParagraphStyle("key", fontName=BOLD, fontSize=9.5, leading=13)
        self.value = ParagraphStyle("value", fontName=REGULAR, fontSize=9.5, leading=13)
        self.caption = ParagraphStyle("caption", fontName=REGULAR, fontSize=9, leading=13)


def _key_value_table(rows: tuple[tuple[str, str], ...], styles: _Styles) -> Table:
    if not rows:
        raise InvalidInput("A key–value table needs rows.", "표에 항목이 있어야 합니다.")
    cells = []
    for key, value in rows:
        _check_text(key, value)
        cells.append(
            [RLParagraph(_markup(key), styles.key), RLParagraph(_markup(value), styles.value)]
        )
    width = A4[0] - 2 * _MARGIN
    table = Table(cells, colWidths=[width * 0.32, width * 0.68], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                # Cells default to Helvetica, which would be named in the PDF but not embedded.
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa0a6")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the QR code ``build_pdf`` draws for ``url``, quiet zone included (True is
    dark); what a scanner reads from the page."""
    return tuple(
        tuple(bool(module) for module in row)
        for row in _qr(url).matrix_iter(scale=1, border=_QR_BORDER)
    )


def _qr(url: str) -> segno.QRCode:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > _MAX_URL_CHARS:
        raise InvalidInput(
            f"A QR code needs an http(s) URL of at most {_MAX_URL_CHARS} characters.",
            f"QR 코드에는 {_MAX_URL_CHARS}자 이하의 http(s) 주소가 필요합니다.",
        )
    return segno.make(url, error=_QR_ERROR, micro=False, boost_error=False)


def _qr_block(url: str, caption: str, styles: _Styles) -> Table:
    # One image pixel per module: the PDF stays small and the viewer scales the image up
    # without smoothing (images are not interpolated unless /Interpolate is set, §8.9.5.3).
    png = io.BytesIO()
    _qr(url).save(png, kind="png", scale=1, border=_QR_BORDER)
    png.seek(0)
    image = Image(png, width=_QR_SIDE, height=_QR_SIDE)
    text = RLParagraph(_markup(caption + "\n" + url if caption else url), styles.caption)
    width = A4[0] - 2 * _MARGIN
    table = Table([[image, text]], colWidths=[_QR_SIDE + 4 * mm, width - _QR_SIDE - 4 * mm])
    table.setStyle(
        TableStyle(
            [("FONTNAME", (0, 0), (-1, -1), REGULAR), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    return table


class _FooterCanvas(Canvas):
    """Holds every page back until the end, so each footer can say "page n of total"."""

    def __init__(self, *args: Any, footer: str, page_label: str, date: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self._footer = footer
        self._page_label = page_label
        self.setDateFormatter(lambda *_: date)

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        # Start a fresh page as Canvas.showPage would, minus emitting this one (save does).
        self._startPage()  # type: ignore[attr-defined]  # ReportLab API missing from the stubs

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self.setFont(REGULAR, 8)
            self.setFillColor(colors.HexColor("#5f6368"))
            if self._footer:
                self.drawString(_MARGIN, _FOOTER_Y, self._footer)
            label = self._page_label.format(page=number, total=total)
            self.drawRightString(A4[0] - _MARGIN, _FOOTER_Y, label)
            super().showPage()
        super().save()


def _pdf_date(moment: datetime) -> str:
    # ISO 32000-1 §7.9.4: D:YYYYMMDDHHmmSSOHH'mm'. Seoul has been UTC+9 without daylight
    # saving since 1988, so the offset is fixed.
    local = moment.astimezone(_SEOUL)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"D:{local:%Y%m%d%H%M%S}{sign}{hours:02d}'{mins:02d}'"


def _markup(text: str) -> str:
    # ReportLab paragraphs take a small XML markup; our text is plain, so escape it.
    return escape(text).replace("\n", "<br/>")


def _check_text(*texts: str) -> None:
    for text in texts:
        if _CONTROL.search(text):
            raise InvalidInput(
                "Document text contains control characters.",
                "문서 내용에 제어 문자가 들어 있습니다.",
            )
