"""Fixtures shared by every test suite: a node holding the demo data, the app and a client for
it, the app served on a real port, and the organizations world of ``tests.identity.orgs_world``
in a running node. The browser tests' Chromium is in ``tests/web/conftest.py``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from blockcity.app import create_app
from blockcity.config import Config
from blockcity.demo import seed_demo
from blockcity.node import Node
from tests.identity.orgs_world import World, world_node


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    """A writable node in a fresh data folder, holding the demo notices."""
    opened = Node.open(Config(data_dir=tmp_path / "data"))
    try:
        seed_demo(opened)
        yield opened
    finally:
        opened.close()


@pytest.fixture
def world_pair(tmp_path: Path) -> Iterator[tuple[World, Node]]:
    """The organizations world in a running node of its own (not ``node``)."""
    with world_node(tmp_path / "data") as pair:
        yield pair


@pytest.fixture
def world(world_pair: tuple[World, Node]) -> World:
    return world_pair[0]


@pytest.fixture
def app(node: Node) -> FastAPI:
    return create_app(node)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn in a thread on 127.0.0.1; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
