"""Fixtures shared by every test suite: a node holding the demo data, the app and a client for
it, the app served on a real port, headless Chromium for the browser tests, and the
organizations world of ``tests.identity.orgs_world`` in a running node."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from blockcity.api.app import create_app
from blockcity.config import Config
from blockcity.demo import seed_demo
from blockcity.node import Node
from tests.identity.orgs_world import World, world_node

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
# Quiet, offline Chromium: no sandbox (containers), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
"""The browser tests' phone screen, as a Playwright viewport."""


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


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the phone's width: nothing to scroll sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 360 px screen"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.skip(
            "Chromium not found: install it with `apt-get install -y chromium` (Debian) "
            "to run browser tests"
        )
    from playwright.sync_api import expect, sync_playwright

    # CI machines are shared and slow at times: a page that takes 6 s to answer is slow, not
    # broken, so assertions wait up to 20 s instead of Playwright's 5 s before failing.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
