"""Sends to Apprise channels (Slack, Teams workflows, Matrix, ntfy, json:// webhooks, mailto:).

Apprise only sends here: each message goes straight to the service's own ``notify`` (Apprise's
retry loop lives in its dispatcher, which is not used), and the retry count of every service is
set to 0 besides, so that the outbox stays the one place that retries and a timeout never becomes
a second copy.

A channel URL is stored as configured, with its secrets as ``${VAR}`` placeholders; the values
are read from the environment for each send, percent-encoded (one variable, one URL part), and
every value is cut out of any error text before it is reported or stored.
"""

from __future__ import annotations

import copy
import logging
import os
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from crawler.config import PLACEHOLDER
from monitor.alerts.redact import MARK
from monitor.alerts.transport import DeliveryError, SmtpSettings, SmtpTransport

log = logging.getLogger(__name__)

# Header that carries the outbox's stable id to webhooks (json://), so that a receiver can drop
# the copy sent again after a delivery died between the send and its commit.
ID_HEADER = "X-Clusterwatch-Id"
# How the message is shaped for a channel: the full email, a JSON document, or chat text.
MAIL, JSON, CHAT = "mail", "json", "chat"


def channel_format(url: str) -> str:
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("mailto", "mailtos"):
        return MAIL
    if scheme in ("json", "jsons"):
        return JSON
    return CHAT


def _asset() -> Any:
    import apprise

    # No retries inside Apprise (the outbox retries); no persistent storage of tokens.
    return apprise.AppriseAsset(default_service_retry=0, storage_mode="memory")


def parse_channel(url: str) -> Any | None:
    """The Apprise service for ``url``, or None when Apprise cannot read the URL."""
    import apprise

    with _quiet_apprise():
        try:
            plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
        except Exception:  # noqa: BLE001  # a URL Apprise chokes on is simply not a channel
            return None
    if plugin is None:
        return None
    plugin.retry = 0  # even a ?retry=N written into the URL: the outbox is the one that retries
    return plugin


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.lines.append(record.getMessage())


class _quiet_apprise:  # noqa: N801  # used as a context manager, named like one
    """Apprise's log records (which may show a URL with its token at debug level) go to a capture
    of this send only, never to clusterwatch's log."""

    def __enter__(self) -> _Capture:
        self.logger = logging.getLogger("apprise")
        self.capture = _Capture()
        self.saved = (self.logger.propagate, self.logger.level)
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self.capture)
        return self.capture

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.capture)
        self.logger.propagate, level = self.saved
        self.logger.setLevel(level)


@dataclass
class Expanded:
    url: str
    secrets: list[str]


def expand(template: str) -> Expanded:
    """The URL with each ${VAR} replaced by the variable's value, percent-encoded. A variable that
    is unset is a failed attempt (retried once it is set), naming the variable only."""
    secrets: list[str] = []

    def value(match: Any) -> str:
        name = match.group(1)
        raw = os.environ.get(name)
        if not raw:
            raise DeliveryError(f"environment variable {name} is not set or empty (used in channel"
                                f" {template.split('://', 1)[0]}://…)", reply=f"{name} not set")
        encoded = quote(raw, safe="")
        secrets.extend({raw, encoded})
        return encoded

    return Expanded(PLACEHOLDER.sub(value, template), sorted(secrets, key=len, reverse=True))


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MARK)
    return text


def describe(template: str) -> str:
    """A channel named in messages and reports: the URL as configured (no secret values)."""
    return template


@dataclass
class Payload:
    """One message in the forms a channel may need; the channel picks its own."""

    title: str
    text: str  # plain text with links (chat)
    document: str  # the JSON document (json:// webhooks)
    email: EmailMessage | None  # the full multipart email (mailto:)
    message_id: str


def send(template: str, payload: Payload, *, sender: str, timeout: float = 30.0) -> str:
    """Send ``payload`` to the channel ``template``; raises DeliveryError on any failure."""
    expanded = expand(template)
    try:
        return _send(expanded, payload, sender=sender, timeout=timeout)
    except DeliveryError as exc:
        raise DeliveryError(scrub(str(exc), expanded.secrets), permanent=exc.permanent,
                            reply=scrub(exc.reply, expanded.secrets)) from None
    except Exception as exc:  # noqa: BLE001  # any fault is a failed attempt, its text without secrets
        text = scrub(f"{type(exc).__name__}: {exc}", expanded.secrets)
        raise DeliveryError(text, reply=text) from None


def _send(expanded: Expanded, payload: Payload, *, sender: str, timeout: float) -> str:
    import apprise

    where = describe(expanded.url.split("://", 1)[0] + "://…")
    plugin = parse_channel(expanded.url)
    if plugin is None:
        raise DeliveryError(f"{where}: Apprise cannot read this channel URL", permanent=True,
                            reply="unreadable channel URL")
    form = channel_format(expanded.url)
    if form == MAIL:
        return _send_mail(plugin, expanded.url, payload, sender=sender, timeout=timeout)
    headers = getattr(plugin, "headers", None)
    if isinstance(headers, dict):
        headers[ID_HEADER] = payload.message_id.strip("<>")
    if form == JSON:
        body, body_format = payload.document, apprise.NotifyFormat.TEXT
    else:
        body, body_format = payload.text, apprise.NotifyFormat.TEXT
    with _quiet_apprise() as capture:
        try:
            ok = plugin.notify(body=body, title=payload.title, body_format=body_format)
        except Exception as exc:  # noqa: BLE001  # a plugin's fault is a failed attempt
            ok = False
            capture.lines.append(f"{type(exc).__name__}: {exc}")
    if not ok:
        detail = "; ".join(capture.lines[-2:]) or "the service did not accept the message"
        raise DeliveryError(f"{plugin.service_name} channel {where}: {detail}", reply=detail[:500])
    return f"{plugin.service_name}: accepted"


def _send_mail(plugin: Any, url: str, payload: Payload, *, sender: str, timeout: float) -> str:
    """A mailto: channel gets the same full multipart email as an `email` subscriber, through
    the server the URL names (Apprise reads the URL; our SMTP transport sends)."""
    if payload.email is None:
        raise DeliveryError("no email form of this message", permanent=True, reply="no email form")
    security = {"ssl": "ssl", "starttls": "starttls"}.get(str(getattr(plugin, "secure_mode", "")), "none")
    from_addr = getattr(plugin, "from_addr", None)
    explicit = "from" in parse_qs(urlsplit(url).query)
    targets = [t[1] for t in getattr(plugin, "targets", []) if isinstance(t, (tuple, list)) and len(t) > 1]
    if not targets:
        raise DeliveryError("mailto channel names no recipient", permanent=True, reply="no recipient")
    smtp = SmtpTransport(SmtpSettings(host=plugin.smtp_host, port=int(plugin.port or 25), security=security,
                                      # A user without a password names the sender, not a login (as in Apprise).
                                      username=plugin.user if plugin.password else None,
                                      password=plugin.password, timeout=timeout))
    replies = []
    try:
        for target in targets:
            msg = copy.deepcopy(payload.email)
            del msg["To"], msg["From"]
            # The URL's from= when given, else the configured sender (not Apprise's default name).
            msg["From"] = str(from_addr[1]) if explicit and isinstance(from_addr, (tuple, list)) else sender
            msg["To"] = target
            replies.append(smtp.send(msg))
    finally:
        smtp.close()
    return "; ".join(replies)
