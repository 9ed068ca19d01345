"""Fixtures of the web tests: Debian's Chromium, launched once for the session, the browser
contexts of one test, and the two worlds the pages are tried in (the labour world of employer,
manager and worker; the credential world of a holder and their certificate)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.credentials.holders import CredentialWorld, credential_world
from tests.services.labor.service_world import LaborWorld, labor_world
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, Contexts


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.skip(NO_CHROMIUM)
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


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Contexts]:
    """Open ``contexts.phone()`` or ``contexts.desktop()``; all are closed after the test."""
    opened = Contexts(browser)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def lw(tmp_path: Path) -> Iterator[LaborWorld]:
    with labor_world(tmp_path / "data") as world:
        yield world


@pytest.fixture
def cw(tmp_path: Path) -> Iterator[CredentialWorld]:
    with credential_world(tmp_path / "data") as world:
        yield world
