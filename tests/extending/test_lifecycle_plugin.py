"""The lifecycle example of docs/plugins.md, as a project plugin on a real migration.

``tests/fixtures/project_plugins/deploy_hooks.py`` logs each revision's time and
posts failures to a chat webhook: here a real HTTP server on the loopback
interface, which records what it is sent.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.runtime.conftest import MigrationProject

PLUGIN = Path(__file__).resolve().parents[1] / "fixtures" / "project_plugins" / "deploy_hooks.py"


@pytest.fixture
def chat() -> Iterator[tuple[str, list[dict]]]:
    """A webhook URL, and the JSON bodies posted to it."""
    received: list[dict] = []

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_timings_are_logged_and_failures_posted(
    sqlite_project: MigrationProject,
    chat: tuple[str, list[dict]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = sqlite_project
    shutil.copy(PLUGIN, project.root / "deploy_hooks.py")
    config = project.root / "mighub.toml"
    config.write_text(config.read_text() + '\nplugins = ["deploy_hooks.py"]\n')
    webhook, posted = chat
    monkeypatch.setenv("DEPLOY_CHAT_WEBHOOK", webhook)
    caplog.set_level(logging.INFO, logger="deploy")

    project.revision("aaaa00000001", None, 'op.execute("CREATE TABLE t (id INTEGER)")')
    project.ok("upgrade", "head")
    (record,) = [r for r in caplog.records if r.name == "deploy"]
    assert re.fullmatch(r"upgrade aaaa00000001 took \d+\.\d\d s", record.getMessage())
    assert posted == []

    project.revision("bbbb00000002", "aaaa00000001", 'op.execute("SELECT * FROM nowhere")')
    failed = project.run("upgrade", "head")
    assert failed.exit_code == 1
    error = failed.stderr.strip().splitlines()[-1].removeprefix("Error: ")
    assert posted == [{"text": f":x: upgrade of bbbb00000002 failed: {error}"}]
    assert "Warning" not in failed.stderr
