"""Secrets stay secret: a server reply that echoes the AUTH line is stored with the credentials
redacted, in every spelling the client sent."""

from __future__ import annotations

import base64
import socketserver
import sqlite3
import threading
from collections.abc import Iterator

import pytest

from crawler.items import AnnouncementItem
from crawler.store import Store
from monitor.alerts.redact import MARK, credential_spellings, redact
from tests.conftest import SHARED, write_config

USER = "alice"
PASSWORD = "Pässwort-42"
ASCII_PASSWORD = "hunter2-secret"


class EchoingSmtp(socketserver.ThreadingTCPServer):
    """A careless SMTP server: it refuses every login and quotes the client's line in its reply."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.lines: list[str] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 echo.example ESMTP\r\n")
                while line := self.rfile.readline():
                    text = line.decode("utf-8", "replace").rstrip("\r\n")
                    server.lines.append(text)
                    verb = text.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.wfile.write(b"250-echo.example\r\n250 AUTH PLAIN LOGIN\r\n")
                    elif verb == "AUTH" and text.upper().startswith("AUTH LOGIN") and len(text.split()) == 2:
                        self.wfile.write(b"334 VXNlcm5hbWU6\r\n")  # "Username:"
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        # Quotes whatever the client sent: an AUTH line, a base64 username or password.
                        self.wfile.write(f"535 5.7.8 Authentication failed for '{text}'\r\n".encode())

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def echoing() -> Iterator[EchoingSmtp]:
    server = EchoingSmtp()
    yield server
    server.shutdown()
    server.server_close()


def test_every_spelling_of_the_credentials_is_redacted() -> None:
    spellings = credential_spellings(USER, PASSWORD)
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    login = base64.b64encode(PASSWORD.encode()).decode()
    for leaked in (plain, plain.rstrip("="), login, PASSWORD, PASSWORD.upper(), f"AUTH PLAIN {plain[:10]}"):
        text = redact(f"535 5.7.8 failed: '{leaked}' rejected", spellings)
        assert leaked not in text and MARK in text, text
    assert redact("250 2.0.0 Ok: queued as 4F1", spellings) == "250 2.0.0 Ok: queued as 4F1"


SEED_FILE = SHARED / "seeds" / "000_0337014357feef00.txt"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="../shared/seeds is not beside this checkout")
@pytest.mark.parametrize("password", [PASSWORD, ASCII_PASSWORD], ids=["utf8-plain", "smtplib-login"])
def test_an_echoed_auth_token_never_reaches_the_dataset_or_the_alerts_listing(tmp_path, cli, echoing,
                                                                              password: str) -> None:
    config = write_config(tmp_path / "cw.toml", [], extra=(
        f'\n[email]\nhost = "127.0.0.1"\nport = {echoing.port}\nsecurity = "none"\nusername = "{USER}"\n'
        'password_env = "CW_TEST_SMTP_PASSWORD"\nsender = "cw@example.org"\ntimeout = 5\n'
        '\n[[subscribers]]\nemail = "ana@example.org"\n'))
    store = Store(tmp_path / "data.db")
    store.ingest(AnnouncementItem(url="https://aggregator.example/?p=2871", source="aggregator",
                                  title="Das 100. Mitglied bei go-cluster", body=SEED_FILE.read_text(encoding="utf-8"),
                                  published="2014-11-17", published_evidence="test"))
    store.close()
    env = {"CW_TEST_SMTP_PASSWORD": password}
    assert cli("detect", config=config).code == 0
    result = cli("notify", config=config, env=env)
    assert result.code == 1 and "Traceback" not in result.err
    sent = [line for line in echoing.lines if not line.upper().startswith(("EHLO", "QUIT", "AUTH LOGIN"))]
    sent += [line.split()[-1] for line in echoing.lines if line.upper().startswith("AUTH ")]
    assert sent, echoing.lines  # the client did send credential material, and the server echoed it
    stored = " ".join(str(r[0]) for r in sqlite3.connect(tmp_path / "data.db").execute("SELECT last_error FROM alerts"))
    assert "535 5.7.8" in stored and MARK in stored, stored
    shown = cli("alerts", "--json", config=config).out + cli("query", "select * from alerts", config=config).out
    for leaked in [password, *sent]:
        assert leaked not in stored and leaked not in shown and leaked not in result.err, leaked
