"""Reading a file someone sends to be verified, the same way on the verification page and at
``POST /api/v1/verify``: the raw body or a multipart form's ``file`` field, never more than the
verifier's limit plus one byte."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from blockcity.errors import InvalidInput


async def read_upload(request: Request, limit: int) -> bytes:
    """The file to verify: the raw body, or the ``file`` field of a multipart form. Reads at
    most ``limit + 1`` bytes, so the verifier can say "too large" without holding more."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except (ValueError, KeyError, AssertionError) as exc:
            raise InvalidInput(
                "the multipart form could not be read", "multipart 양식을 읽을 수 없습니다"
            ) from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "send the document in a form field named 'file'",
                "문서를 'file'이라는 양식 필드로 보내세요",
            )
        data = await upload.read(limit + 1)
        await form.close()
        return data
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            break
    return bytes(body)
