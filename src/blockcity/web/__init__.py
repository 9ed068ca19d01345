"""The web pages: server-rendered, Korean first with an English switch, no build step."""

from fastapi import APIRouter

from blockcity.node import Node
from blockcity.web import pages


def router(node: Node) -> APIRouter:
    """Every page of the site; each area of the site adds its router here."""
    site = APIRouter(include_in_schema=False)
    site.include_router(pages.router(node))
    return site


__all__ = ["router"]
