"""The web pages: server-rendered, Korean first with an English switch, no build step."""

from blockcity.web.pages import router

__all__ = ["router"]
