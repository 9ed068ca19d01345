"""The app ``blockcity serve`` runs: the API with the web pages beside it.

The two are siblings over the services and neither imports the other (DESIGN.md section 2);
this is the one place that puts them together.
"""

from __future__ import annotations

from fastapi import FastAPI

from blockcity import api, web
from blockcity.node import Node


def create_app(node: Node) -> FastAPI:
    app = api.create_api(node)
    app.include_router(web.router(node))
    return app
