"""Fixtures of the tests against the real server: ``streamlib serve`` over the example pipelines.

``served`` is the server the tests share: the one at ``STREAMLIB_URL`` when set (what
``tests/sessions/python_live_test.ts`` does: it starts ``streamlib serve`` and runs these tests),
else one started here. ``serve`` starts a server of a test's own (to kill it, stop it, or give it
other limits).
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, List

import pytest

from live_server import TOKEN, Served, ServeProcess


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    url = os.environ.get("STREAMLIB_URL")
    if url:
        yield Served(url, os.environ.get("STREAMLIB_TOKEN", TOKEN))
        return
    server = ServeProcess()
    try:
        yield Served(server.url, TOKEN)
    finally:
        server.terminate()


@pytest.fixture
def serve() -> Iterator[Callable[..., ServeProcess]]:
    started: List[ServeProcess] = []

    def start(*extra: str) -> ServeProcess:
        server = ServeProcess(*extra)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.kill()
