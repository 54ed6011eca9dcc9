"""Transports against a real SMTP server (aiosmtpd on 127.0.0.1) and a real Maildir."""

from __future__ import annotations

import logging
import mailbox
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from monitor.alerts.message import MilestoneContext, build_milestone_message, stable_message_id
from monitor.alerts.transport import (
    DeliveryError,
    MaildirTransport,
    SmtpSettings,
    SmtpTransport,
    password_from_env,
)
from tests.smtp_server import SmtpTestServer

# aiosmtpd warns (from its server thread) about AUTH without TLS, which the plain case needs.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USER, PASSWORD = "clusterwatch", "Pa55-wörd-ÄÖÜ"
RECIPIENT = "analyst@example.com"


def milestone(recipient: str = RECIPIENT, event: str = "event-1", member: str = "Innovationscluster Automotive "
              "Nordwest e. V.") -> EmailMessage:
    ctx = MilestoneContext(
        programme="go-cluster", kind="member_ordinal", number=100, member=member, place="Bremen",
        evidence="Das Innovationscluster Automotive Nordwest e. V. aus Bremen ist heute als 100. Mitglied "
                 "in das Exzellenzprogramm „go-cluster“ aufgenommen worden.",
        published="2014-03-20", sources=[("100. Mitglied", "bmwe-press", "https://www.bmwi.de/a")],
        timeline=[("2012-07-01", 40), ("2014-03-20", 100)], chart_png=b"\x89PNG\r\n\x1a\nchart",
    )
    return build_milestone_message(ctx, sender="clusterwatch <alerts@clusterwatch.example>", recipient=recipient,
                                   message_id=stable_message_id(event, recipient, domain="clusterwatch.example"),
                                   unsubscribe="mailto:admin@clusterwatch.example")


def plain_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[SmtpTestServer]:
    security, auth = getattr(request, "param", ("none", False))
    with SmtpTestServer(security=security, auth=(USER, PASSWORD) if auth else None) as srv:
        yield srv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- SMTP ------------------------------------------------------------------------------------

MODES = [(security, auth) for security in ("none", "starttls", "ssl") for auth in (False, True)]


@pytest.mark.parametrize("server", MODES, indirect=True, ids=[f"{s}-{'auth' if a else 'noauth'}" for s, a in MODES])
def test_delivery_in_every_mode(server: SmtpTestServer) -> None:
    msg = milestone()
    settings = server.settings(username=USER if server.auth else None, password=PASSWORD if server.auth else None)
    with SmtpTransport(settings) as transport:
        reply = transport.send(msg)
    assert reply.startswith("250 ") and "queued as Q00001" in reply
    assert len(server.messages) == 1
    got = server.messages[0]
    assert got.mail_from == "alerts@clusterwatch.example" and got.rcpt_tos == [RECIPIENT]
    received = got.message
    assert received["Message-ID"] == msg["Message-ID"]
    assert received["Subject"] == msg["Subject"]
    # CRLF on the wire, LF in the built message: same lines
    assert plain_text(received).splitlines() == plain_text(msg).splitlines()
    assert server.logins == ([USER] if server.auth else [])


def test_ascii_credentials_use_smtplib_login() -> None:
    # PASSWORD above is non-ASCII (sent as UTF-8 AUTH PLAIN); this covers smtplib's own login path.
    with SmtpTestServer(security="starttls", auth=("plain-user", "plain-pass")) as srv:
        SmtpTransport(srv.settings(username="plain-user", password="plain-pass")).send(milestone())
        assert srv.logins == ["plain-user"] and len(srv.messages) == 1


@pytest.mark.parametrize("server", [("none", True), ("starttls", True), ("ssl", True)], indirect=True)
def test_wrong_password_is_a_non_permanent_error_that_hides_the_password(server: SmtpTestServer) -> None:
    wrong = "wrong-Secret-123"
    with pytest.raises(DeliveryError) as caught:
        SmtpTransport(server.settings(username=USER, password=wrong)).send(milestone())
    assert not caught.value.permanent  # the recipient is fine; the configuration is not
    assert caught.value.reply.startswith("535")
    assert wrong not in str(caught.value) and wrong not in caught.value.reply and wrong not in repr(caught.value)
    assert server.messages == []


@pytest.mark.parametrize("server", [("starttls", True)], indirect=True)
def test_auth_without_tls_is_refused_by_a_starttls_server(server: SmtpTestServer) -> None:
    settings = server.settings(username=USER, password=PASSWORD)
    settings.security = "none"
    with pytest.raises(DeliveryError):
        SmtpTransport(settings).send(milestone())
    assert server.messages == []


@pytest.mark.parametrize("server", [("ssl", False), ("starttls", False)], indirect=True)
def test_untrusted_certificate_is_refused(server: SmtpTestServer) -> None:
    settings = server.settings()
    settings.ssl_context = None  # the system trust store does not know the test CA
    with pytest.raises(DeliveryError) as caught:
        SmtpTransport(settings).send(milestone())
    assert not caught.value.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert server.messages == []


def test_recipient_rejected_with_550_is_permanent(server: SmtpTestServer) -> None:
    server.reject("gone@example.com")
    with SmtpTransport(server.settings()) as transport:
        with pytest.raises(DeliveryError) as caught:
            transport.send(milestone("gone@example.com"))
        assert caught.value.permanent
        assert caught.value.reply == "550 5.1.1 mailbox unavailable"
        # the session survives a refusal: the next subscriber still gets their message
        transport.send(milestone())
    assert [m.rcpt_tos for m in server.messages] == [[RECIPIENT]]


def test_recipient_deferred_with_451_is_temporary(server: SmtpTestServer) -> None:
    server.reject(RECIPIENT, "451 4.3.0 try again later")
    with pytest.raises(DeliveryError) as caught:
        SmtpTransport(server.settings()).send(milestone())
    assert not caught.value.permanent and caught.value.reply.startswith("451")
    server.accept(RECIPIENT)
    SmtpTransport(server.settings()).send(milestone())
    assert len(server.messages) == 1


def test_server_down_is_temporary() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    with pytest.raises(DeliveryError) as caught:
        SmtpTransport(settings).send(milestone())
    assert not caught.value.permanent
    assert "refused" in caught.value.reply.lower()


def test_one_session_for_many_messages_and_recovery_after_a_restart(server: SmtpTestServer) -> None:
    transport = SmtpTransport(server.settings())
    for n in range(3):
        transport.send(milestone(event=f"event-{n}"))
    assert len(server.messages) == 3
    server.stop()
    with pytest.raises(DeliveryError) as caught:
        transport.send(milestone(event="event-3"))
    assert not caught.value.permanent
    server.start()  # same port
    assert transport.send(milestone(event="event-3")).startswith("250")
    transport.close()
    ids = [m.message["Message-ID"] for m in server.messages]
    assert len(ids) == 4 == len(set(ids))


def test_header_injection_sends_to_one_recipient_only(server: SmtpTestServer) -> None:
    msg = milestone(member="Evil e. V.\r\nBcc: evil@example.com\r\nTo: other@example.com")
    SmtpTransport(server.settings()).send(msg)
    got = server.messages[0]
    assert got.rcpt_tos == [RECIPIENT]
    assert got.message.get_all("To") == [RECIPIENT] and got.message["Bcc"] is None


def test_a_bcc_header_is_not_transmitted(server: SmtpTestServer) -> None:
    msg = milestone()
    msg["Bcc"] = "audit@example.com"
    SmtpTransport(server.settings()).send(msg)
    got = server.messages[0]
    assert sorted(got.rcpt_tos) == sorted(["audit@example.com", RECIPIENT])
    assert b"audit@example.com" not in got.data
    assert msg["Bcc"] == "audit@example.com"  # the caller's message is untouched


def test_non_ascii_envelope_address_is_a_permanent_error(server: SmtpTestServer) -> None:
    msg = milestone()
    msg.replace_header("To", "Ä <änalyst@example.com>")
    with pytest.raises(DeliveryError) as caught:
        SmtpTransport(server.settings()).send(msg)
    assert caught.value.permanent and server.messages == []


def test_password_is_masked() -> None:
    settings = SmtpSettings(host="mail.example", username=USER, password=PASSWORD)
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
    assert "'********'" in repr(settings)
    assert PASSWORD not in repr(SmtpTransport(settings))
    assert "password=None" in repr(SmtpSettings(host="mail.example"))
    with pytest.raises(ValueError):
        SmtpSettings(host="mail.example", security="tls")


def test_password_from_env(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CW_SMTP_PASSWORD", PASSWORD)
    assert password_from_env("CW_SMTP_PASSWORD") == PASSWORD
    assert password_from_env(None) is None and password_from_env("") is None
    monkeypatch.delenv("CW_SMTP_PASSWORD")
    assert password_from_env("CW_SMTP_PASSWORD") is None
    assert "CW_SMTP_PASSWORD" in caplog.text and PASSWORD not in caplog.text


# -- Maildir -----------------------------------------------------------------------------------

def test_maildir_delivery_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "alerts"
    reply = MaildirTransport(path).send(milestone())
    assert reply.startswith("maildir: delivered as ")
    box = mailbox.Maildir(path, factory=None, create=False)
    assert len(box) == 1
    stored = next(iter(box))
    assert stored["Message-ID"] == milestone()["Message-ID"]
    from email import message_from_bytes

    parsed = message_from_bytes(stored.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "go-cluster: 100. Mitglied — Innovationscluster Automotive Nordwest e. V. (Bremen)"
    assert "2014-03-20" in plain_text(parsed)


def test_maildir_is_idempotent_per_message_id(tmp_path: Path) -> None:
    path = tmp_path / "alerts"
    transport = MaildirTransport(path)
    transport.send(milestone())
    assert "already present" in transport.send(milestone())
    # a new process (fresh transport) after the message was read and moved to cur/
    box = mailbox.Maildir(path, factory=None, create=False)
    key = next(iter(box.keys()))
    read = box.get_message(key)
    read.set_subdir("cur")
    read.add_flag("S")
    box[key] = read
    assert list((path / "cur").iterdir()) and not list((path / "new").iterdir())
    assert "already present" in MaildirTransport(path).send(milestone())
    MaildirTransport(path).send(milestone(event="event-2"))
    MaildirTransport(path).send(milestone(recipient="other@example.com"))
    ids = sorted(m["Message-ID"] for m in mailbox.Maildir(path, factory=None, create=False))
    assert len(ids) == 3 == len(set(ids))


def test_maildir_that_cannot_be_created_raises_delivery_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DeliveryError):
        MaildirTransport(blocker / "alerts").send(milestone())
