"""The ASGI app: the API routers, the web pages and the problem+json error handlers."""

from __future__ import annotations

from fastapi import FastAPI

from blockcity import __version__
from blockcity.api import ledger, problems
from blockcity.node import Node


def create_app(node: Node) -> FastAPI:
    app = FastAPI(
        title="blockcity API",
        version=__version__,
        description="The city's tamper-evident ledger and its services. Errors are RFC 9457 "
        "problem+json; Korean by default, English with Accept-Language: en or ?lang=en.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    problems.install(app)
    app.include_router(ledger.router(node))
    from blockcity.web import router as web_router

    app.include_router(web_router(node))
    app.state.node = node
    return app
