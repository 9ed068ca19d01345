"""The HTTP API (``/api/v1``, OpenAPI 3.1, RFC 9457 problem+json), one router per area."""

from blockcity.api.app import create_api

__all__ = ["create_api"]
