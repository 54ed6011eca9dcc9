"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests: plain, STARTTLS or implicit TLS with a
certificate from a throw-away CA (trustme), optional AUTH with one fixed user, recipients that
are refused with 550 (or 451), and stop()/start() on the same port to play "server down".

    with SmtpTestServer(security="starttls", auth=("alice", "s3cret")) as server:
        SmtpTransport(server.settings(username="alice", password="s3cret")).send(msg)
        assert server.messages[0].rcpt_tos == ["ana@example.com"]
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.alerts.transport import SmtpSettings

HOST = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # exactly as the server received it

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    reject: dict[str, str] = field(default_factory=dict)  # address (lower case) -> reply
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        reply = self.reject.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.counter += 1
            queue_id = f"Q{self.counter:05d}"
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return f"250 2.0.0 OK queued as {queue_id}"


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0: learn the port the kernel chose before aiosmtpd connects to it.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpTestServer:
    """security: "none" | "starttls" | "ssl"; auth: (user, password) to require AUTH."""

    def __init__(self, *, security: str = "none", auth: tuple[str, str] | None = None) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(security)
        self.security = security
        self.auth = auth
        self.port = 0  # chosen on the first start, kept for restarts
        self._handler = _Handler()
        self._controller: _Controller | None = None
        self.ca = trustme.CA()
        self._cert = self.ca.issue_cert(HOST, "localhost")
        self.logins: list[str] = []  # user names that logged in successfully

    # -- what the tests look at ------------------------------------------------------------
    @property
    def messages(self) -> list[Received]:
        return self._handler.messages

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and nothing else)."""
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=None)
        ctx.load_verify_locations(cadata=self.ca.cert_pem.bytes().decode())
        return ctx

    def settings(self, *, username: str | None = None, password: str | None = None,
                 timeout: float = 5) -> SmtpSettings:
        return SmtpSettings(host=HOST, port=self.port, security=self.security, username=username,
                            password=password, timeout=timeout,
                            ssl_context=self.client_context() if self.security != "none" else None)

    def reject(self, address: str, reply: str = "550 5.1.1 mailbox unavailable") -> None:
        """Refuse ``address`` at RCPT with ``reply`` (use a 4xx reply for a temporary refusal)."""
        self._handler.reject[address.lower()] = reply

    def accept(self, address: str) -> None:
        self._handler.reject.pop(address.lower(), None)

    # -- life cycle ----------------------------------------------------------------------------
    def _server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(ctx)
        return ctx

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if self.auth is None or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = self.auth
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        if ok:
            self.logins.append(user)
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpTestServer:
        if self._controller is not None:
            return self
        kwargs: dict[str, Any] = {}
        if self.security == "starttls":
            kwargs.update(tls_context=self._server_context(), require_starttls=True)
        elif self.security == "ssl":
            kwargs.update(ssl_context=self._server_context())
        if self.auth is not None:
            # AUTH must be allowed without STARTTLS on the plain server (or it could not be
            # tested) and on the implicit-TLS one, where aiosmtpd does not count the TLS it is
            # already inside and would never offer AUTH.
            kwargs.update(authenticator=self._authenticate, auth_required=True,
                          auth_require_tls=self.security == "starttls")
        controller = _Controller(self._handler, hostname=HOST, port=self.port, **kwargs)
        controller.start()
        self.port = controller.port
        self._controller = controller
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
