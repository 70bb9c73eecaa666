"""What an operator relies on: the WSGI entry point, and email through a real SMTP conversation."""

import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from moderation_hub.mail import send_email

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_wsgi_module_builds_the_production_app_from_the_environment(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "ENVIRONMENT": "production",
        "SECRET_KEY": "s" * 64,
        "SERVER_NAME": "moderation.example.org",
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    probe = "import wsgi; print(type(wsgi.app).__name__, wsgi.app.config['ENVIRONMENT'], wsgi.app.debug)"
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Flask", "production", "False"]


def test_wsgi_module_refuses_production_without_a_secret_key(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ENVIRONMENT"}}
    environment["INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 to accept one message without TLS or authentication."""

    def handle(self) -> None:
        self._reply("220 test ready")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self._reply("250 ok")
            elif command == "DATA":
                self._reply("354 go on")
                self.server.messages.append(self._read_data())  # type: ignore[attr-defined]
                self._reply("250 queued")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")

    def _read_data(self) -> str:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line.decode())
        return "".join(lines)

    def _reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


@pytest.fixture
def smtp_server() -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_goes_through_smtp_when_configured(app: Flask, smtp_server: socketserver.TCPServer) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False)
    send_email("teacher@example.org", "Hello", "The body of the message.")
    (message,) = smtp_server.messages  # type: ignore[attr-defined]
    assert "Subject: Hello" in message
    assert "To: teacher@example.org" in message
    assert "The body of the message." in message
