"""The API as an ASGI app: its routers, the problem+json error handlers, the body size limit
and the OpenAPI docs. ``blockcity.app`` adds the web pages to it.

The interactive API docs use Swagger UI 5 shipped in ``api/vendor/swagger-ui`` and served by
us: the platform must work with no internet, so nothing is loaded from a CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from blockcity import __version__
from blockcity.api import (
    credentials,
    dids,
    identity,
    labor,
    ledger,
    oauth,
    operators,
    organizations,
    problems,
    signing,
)
from blockcity.api.limits import BodySizeLimit
from blockcity.node import Node

OPENAPI_URL = "/api/v1/openapi.json"
SWAGGER_UI = Path(__file__).parent / "vendor" / "swagger-ui"
DOCS_ASSETS = "/api/v1/docs-assets"


def create_api(node: Node) -> FastAPI:
    app = FastAPI(
        title="blockcity API",
        version=__version__,
        description="The city's tamper-evident ledger and its services. Errors are RFC 9457 "
        "problem+json; Korean by default, English with Accept-Language: en or ?lang=en.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    app.add_middleware(BodySizeLimit)
    # Credentials first: routes are tried in order, so POST /api/v1/verify, the public endpoint
    # under the heaviest load, is found without testing every other route (no paths overlap).
    app.include_router(credentials.router(node))
    app.include_router(ledger.router(node))
    app.include_router(identity.router(node))
    app.include_router(dids.router(node))
    app.include_router(oauth.router(node))
    app.include_router(operators.router(node))
    app.include_router(organizations.router(node))
    app.include_router(signing.router(node))
    app.include_router(labor.router(node))
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_UI), name="docs-assets")

    @app.get("/api/v1/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="blockcity API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    app.state.node = node
    return app
