"""Fixtures the API tests share: a client for the organizations world's node."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.node import Node
from tests.identity.orgs_world import World


@pytest.fixture
def http(world_pair: tuple[World, Node]) -> Iterator[TestClient]:
    """A client for the app of ``world``'s node."""
    with TestClient(create_app(world_pair[1])) as client:
        yield client
