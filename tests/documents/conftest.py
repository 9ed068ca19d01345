"""A certificate-like document shared by the documents tests, built once, and its sealed form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from blockcity.documents import (
    Heading,
    KeyValueTable,
    Paragraph,
    PdfMetadata,
    QrCode,
    Section,
    build_pdf,
    seal_pdf,
)

TITLE = "경력증명서"
VERIFY_URL = "https://verify.seoul.example/v/2026-0001"
CREATED_AT = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
SECTIONS: tuple[Section, ...] = (
    Heading("근로 내용"),
    Paragraph("위 사람은 아래와 같이 서울특별시 공공일자리 사업에 참여하였음을 증명합니다."),
    KeyValueTable(
        (
            ("사업명", "서울 동행일자리"),
            ("근로기간", "2026-03-02 ~ 2026-06-30"),
            ("시급", "10,320원"),
        )
    ),
    QrCode(VERIFY_URL, "진위 확인"),
)
METADATA = PdfMetadata(author="서울특별시", subject="경력증명서", keywords=("증명서", "blockcity"))
CREDENTIAL = (
    b'{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"]}'
)
MEDIA_TYPE = "application/vc+ld+json"
ATTACHMENT_NAME = "credential.json"


def certificate(created_at: datetime = CREATED_AT) -> bytes:
    return build_pdf(
        TITLE,
        SECTIONS,
        created_at=created_at,
        metadata=METADATA,
        footer="서울특별시 · 문서번호 2026-0001",
    )


@pytest.fixture(scope="session")
def base_pdf() -> bytes:
    return certificate()


@pytest.fixture(scope="session")
def sealed_pdf(base_pdf: bytes) -> bytes:
    return seal_pdf(base_pdf, ATTACHMENT_NAME, CREDENTIAL, MEDIA_TYPE)
