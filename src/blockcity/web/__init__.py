"""The web pages: server-rendered, Korean first with an English switch, no build step."""

from fastapi import APIRouter

from blockcity.credentials.shares import Shares
from blockcity.node import Node
from blockcity.web import (
    account,
    attendance,
    labor,
    operators,
    organizations,
    pages,
    passkeys,
    verify,
    wages,
    wallet,
)


def router(node: Node) -> APIRouter:
    """Every page of the site; each area of the site adds its router here."""
    site = APIRouter(include_in_schema=False)
    site.include_router(pages.router(node))
    site.include_router(account.router(node))
    site.include_router(passkeys.router(node))
    site.include_router(organizations.router(node))
    site.include_router(operators.router(node))
    site.include_router(labor.router(node))
    site.include_router(attendance.router(node))
    site.include_router(wages.router(node))
    shares = Shares(node.credentials.db, clock=node.ledger.clock)
    site.include_router(verify.router(node, shares))
    site.include_router(wallet.router(node, shares))
    return site


__all__ = ["router"]
