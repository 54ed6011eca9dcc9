"""Sends built messages: SMTP (plain, STARTTLS, implicit TLS, optional AUTH) or a Maildir.

Both transports report failure only through ``DeliveryError``, whose ``permanent`` flag tells the
outbox whether retrying can help. Passwords never appear in a repr, an exception or a log line.
"""

from __future__ import annotations

import base64
import fcntl
import logging
import mailbox
import os
import re
import smtplib
import ssl
import stat
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from pathlib import Path
from types import TracebackType

from crawler.locks import open_lock
from monitor.alerts.redact import credential_spellings, redact

log = logging.getLogger(__name__)

SECURITY_MODES = ("none", "starttls", "ssl")


class DeliveryError(Exception):
    """A message was not accepted. ``permanent`` is True when the server refused it with a 5xx
    reply to the recipient or the message itself (retrying cannot help); ``reply`` holds the
    server's code and text, or a description of the connection failure."""

    def __init__(self, message: str, *, permanent: bool = False, reply: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.reply = reply


@dataclass
class SmtpSettings:
    host: str
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    username: str | None = None
    password: str | None = None
    timeout: float = 30
    ssl_context: ssl.SSLContext | None = None

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {', '.join(SECURITY_MODES)}, not {self.security!r}")

    def __repr__(self) -> str:
        masked = "'********'" if self.password else "None"
        return (f"SmtpSettings(host={self.host!r}, port={self.port!r}, security={self.security!r},"
                f" username={self.username!r}, password={masked}, timeout={self.timeout!r})")

    __str__ = __repr__


def _reply(code: int | None, text: bytes | str | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text or ''}".strip() if code is not None else (text or "")


def _envelope(msg: EmailMessage) -> tuple[str, list[str]]:
    sender = getaddresses(msg.get_all("Sender", []) or msg.get_all("From", []))
    recipients = [addr for _, addr in getaddresses(
        msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("Bcc", [])) if addr]
    if not sender or not sender[0][1]:
        raise DeliveryError("message has no From address", permanent=True, reply="no sender")
    if not recipients:
        raise DeliveryError("message has no recipient", permanent=True, reply="no recipient")
    if not all(addr.isascii() for addr in [sender[0][1], *recipients]):
        # smtplib would fail with UnicodeEncodeError; SMTPUTF8 is not supported.
        raise DeliveryError("internationalised (non-ASCII) addresses are not supported", permanent=True,
                            reply="non-ASCII address")
    return sender[0][1], recipients


def _without_bcc(msg: EmailMessage) -> EmailMessage:
    """Bcc must not travel with the message (smtplib.send_message strips it too); the caller's
    message is left as it was."""
    if msg.get("Bcc") is None:
        return msg
    copy = message_from_bytes(msg.as_bytes(policy=policy.SMTP), policy=policy.SMTP)
    assert isinstance(copy, EmailMessage)
    del copy["Bcc"]
    return copy


def _login(conn: smtplib.SMTP, username: str, password: str) -> None:
    if (username + password).isascii():
        conn.login(username, password)  # lets smtplib pick CRAM-MD5, PLAIN or LOGIN
        return
    # smtplib encodes credentials as ASCII only; RFC 4616 PLAIN carries UTF-8, so send it directly.
    if "auth" not in conn.esmtp_features:
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    if "PLAIN" not in conn.esmtp_features["auth"].upper().split():
        raise DeliveryError("the server offers no AUTH PLAIN, which a non-ASCII password needs",
                            reply="no AUTH PLAIN")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode("ascii")
    code, text = conn.docmd("AUTH", "PLAIN " + token)
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, text)


class SmtpTransport:
    """One SMTP connection, opened on the first ``send`` and reused for the next ones.

    Use as a context manager (or call ``close``) to end the session politely with QUIT.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        return f"SmtpTransport({self.settings!r})"

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def _where(self) -> str:
        s = self.settings
        return f"{s.host}:{s.port} ({s.security})"

    def _context(self) -> ssl.SSLContext:
        return self.settings.ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn: smtplib.SMTP
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to {self._where()}: {exc}", reply=str(exc)) from exc
        try:
            conn.ehlo()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise DeliveryError(f"{self._where()} does not offer STARTTLS", reply="no STARTTLS")
                conn.starttls(context=self._context())
                conn.ehlo()
            if s.username:
                # The password is passed on and never formatted into any message below.
                _login(conn, s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            # Not permanent: the recipient is fine, the configuration is not; retry after a fix.
            raise DeliveryError(f"{self._where()} refused the login of {s.username!r}",
                                reply=_reply(exc.smtp_code, exc.smtp_error)) from None
        except smtplib.SMTPResponseException as exc:
            conn.close()
            raise DeliveryError(f"{self._where()} refused the session: {_reply(exc.smtp_code, exc.smtp_error)}",
                                reply=_reply(exc.smtp_code, exc.smtp_error)) from None
        except DeliveryError:
            conn.close()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            conn.close()
            raise DeliveryError(f"session with {self._where()} failed: {exc}", reply=str(exc)) from None
        return conn

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            # A server may drop an idle session; NOOP finds out before a message is at stake.
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._conn = self._connect()
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def send(self, msg: EmailMessage) -> str:
        """Send one message; return the server's reply to DATA (e.g. ``250 OK queued as X``).

        Replies are stored and shown; any credential material in them is redacted first."""
        spellings = credential_spellings(self.settings.username, self.settings.password)
        try:
            return redact(self._send(msg), spellings)
        except DeliveryError as exc:
            raise DeliveryError(redact(str(exc), spellings), permanent=exc.permanent,
                                reply=redact(exc.reply, spellings)) from None

    def _send(self, msg: EmailMessage) -> str:
        sender, recipients = _envelope(msg)
        data = _without_bcc(msg).as_bytes(policy=policy.SMTP)
        conn = self._connection()
        try:
            # The steps of sendmail() spelled out, because sendmail() throws away the DATA reply,
            # which is the server's receipt for the message (its queue id) worth recording.
            code, text = conn.mail(sender)
            if code != 250:
                self._reset(conn)
                # The sender is our configuration, not the subscriber: retry after a fix.
                raise DeliveryError(f"{self._where()} refused sender {sender}: {_reply(code, text)}",
                                    reply=_reply(code, text))
            refused: list[str] = []
            last: tuple[int, bytes] = (0, b"")
            for rcpt in recipients:
                code, text = conn.rcpt(rcpt)
                if code not in (250, 251):
                    refused.append(rcpt)
                    last = (code, text)
            if refused:
                self._reset(conn)
                code, text = last
                raise DeliveryError(f"{self._where()} refused recipient {', '.join(refused)}: {_reply(code, text)}",
                                    permanent=500 <= code < 600, reply=_reply(code, text))
            code, text = conn.data(data)
            return _reply(code, text)
        except smtplib.SMTPDataError as exc:
            self._reset(conn)
            raise DeliveryError(f"{self._where()} refused the message: {_reply(exc.smtp_code, exc.smtp_error)}",
                                permanent=500 <= exc.smtp_code < 600,
                                reply=_reply(exc.smtp_code, exc.smtp_error)) from None
        except smtplib.SMTPResponseException as exc:
            self._reset(conn)
            raise DeliveryError(f"{self._where()}: {_reply(exc.smtp_code, exc.smtp_error)}",
                                reply=_reply(exc.smtp_code, exc.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as exc:
            # The connection broke mid-transaction; whether DATA was accepted is unknown, which
            # is exactly what the stable Message-ID is for. The next send reconnects.
            self._drop()
            raise DeliveryError(f"connection to {self._where()} failed: {exc}", reply=str(exc)) from None

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()


class MaildirTransport:
    """Delivers into a Maildir (created when missing) that any mail client can open.

    Idempotent per Message-ID: a message whose Message-ID is already in the folder (in new/ or
    cur/, read or not) is not added again, so a retry after a crash leaves one copy.
    """

    _LOCK_NAME = ".clusterwatch-delivery.lock"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._opened: mailbox.Maildir | None = None
        self._ids: dict[str, str] = {}  # key -> Message-ID of every message already looked at

    def __repr__(self) -> str:
        return f"MaildirTransport({str(self.path)!r})"

    def __enter__(self) -> MaildirTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release; present so both transports can be used the same way."""

    @property
    def _box(self) -> mailbox.Maildir:
        """The Maildir, created on first use: a folder that cannot be created is then a failed
        delivery attempt, reported and retried like an SMTP server that is down."""
        if self._opened is None:
            try:
                self._opened = mailbox.Maildir(str(self.path), factory=None, create=True)
            except OSError as exc:
                raise DeliveryError(f"cannot create Maildir {self.path}: {exc.strerror or exc}",
                                    reply=str(exc)) from None
        return self._opened

    def _files(self) -> dict[str, Path]:
        """key -> file of every message in new/ and cur/. Listed directly rather than through
        Maildir.keys(), whose table rebuild made each delivery cost O(n) Python work."""
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            with os.scandir(self.path / sub) as entries:
                for entry in entries:
                    # Only regular files: a FIFO would block the open, a symlink could lead to
                    # /dev/zero or to any file of the user's.
                    if not entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                        files[entry.name.split(self._box.colon, 1)[0]] = Path(entry.path)
        return files

    def _scan(self) -> None:
        parser = BytesHeaderParser(policy=policy.default)
        files = self._files()
        for gone in set(self._ids) - set(files):
            del self._ids[gone]
        for key in set(files) - set(self._ids):
            head = _message_head(files[key])
            if head is None:
                # Moved (new/ -> cur/) or deleted by a mail client since the listing: look again.
                moved = self._files().get(key)
                head = _message_head(moved) if moved else None
                if head is None:
                    continue
            self._ids[key] = str(parser.parsebytes(head).get("Message-ID", "")).strip()

    def send(self, msg: EmailMessage) -> str:
        message_id = str(msg.get("Message-ID", "")).strip()
        box = self._box
        try:
            # flock keeps two clusterwatch processes from both finding the id absent and both
            # adding it; mail clients ignore a dot-file at the Maildir's top.
            with open_lock(self.path / self._LOCK_NAME) as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if message_id:
                    self._scan()
                    for key, seen in self._ids.items():
                        if seen == message_id:
                            return f"maildir: {message_id} already present as {key}"
                key = box.add(_without_bcc(msg))
                self._ids[key] = message_id
                return f"maildir: delivered as {key}"
        except OSError as exc:
            raise DeliveryError(f"cannot deliver into Maildir {self.path}: {exc}", reply=str(exc)) from exc


HEAD_LIMIT = 256 * 1024  # a message's header block is far smaller; no more is ever read


def _message_head(path: Path) -> bytes | None:
    """The header block of the message file ``path`` (at most HEAD_LIMIT bytes), or None when it is
    gone or is not a regular file. Never follows a symlink, never blocks on a FIFO, never reads
    the body."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        head = b""
        while len(head) < HEAD_LIMIT:
            chunk = fh.read(8192)
            if not chunk:
                break
            head += chunk
            end = re.search(rb"\r?\n\r?\n", head)
            if end:
                return head[: end.end()]
        return head[:HEAD_LIMIT]


def password_from_env(var: str | None) -> str | None:
    """The password held in environment variable ``var`` (None when unnamed, unset or empty).
    Only the variable's name is ever logged."""
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        log.warning("password variable %s is not set or empty", var)
        return None
    return value
