"""RFC 9457 problem details for every error the API returns, in Korean or English."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from blockcity.errors import BlockcityError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://blockcity.seoul.example/problems/"


def request_language(request: Request) -> str:
    """Korean unless the caller asks for English first (``?lang=en`` or Accept-Language)."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in ("ko", "en"):
        return chosen
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "ko"


def problem(
    request: Request, status: int, code: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    body = {
        "type": _TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    @app.exception_handler(BlockcityError)
    async def blockcity_error(request: Request, exc: BlockcityError) -> JSONResponse:
        lang = request_language(request)
        return problem(
            request,
            exc.status,
            exc.code,
            exc.title(lang),
            exc.message(lang),
            **{k: v for k, v in exc.detail.items() if isinstance(v, str | int | bool)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_language(request)
        errors = [
            {"where": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{e['where']}: {e['problem']}" for e in errors)
        detail = (
            f"요청 값이 올바르지 않습니다: {summary}"
            if lang == "ko"
            else f"Invalid request: {summary}"
        )
        title = "입력이 올바르지 않습니다" if lang == "ko" else "Invalid input"
        return problem(request, 400, "invalid-input", title, detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = request_language(request)
        if exc.status_code == 404:
            title = "찾을 수 없습니다" if lang == "ko" else "Not found"
            detail = (
                f"{request.url.path} 경로가 없습니다. /api/v1/docs에서 API 목록을 보세요"
                if lang == "ko"
                else f"There is no {request.url.path}; see /api/v1/docs for the API"
            )
            return problem(request, 404, "not-found", title, detail)
        return problem(request, exc.status_code, "http-error", str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        lang = request_language(request)
        title = "서버 내부 오류" if lang == "ko" else "Internal error"
        detail = (
            "예상하지 못한 오류입니다. 기록되었으며 아무것도 반쯤 저장되지 않았습니다"
            if lang == "ko"
            else "An unexpected error was logged; nothing was half-written"
        )
        return problem(request, 500, "internal-error", title, detail)
