"""The HTTP API (``/api/v1``, OpenAPI 3.1, RFC 9457 problem+json) and the app that serves it
together with the web pages."""

from blockcity.api.app import create_app

__all__ = ["create_app"]
