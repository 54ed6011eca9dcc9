"""One outbox for every message, delivered to real receivers on loopback: the SMTP server
(aiosmtpd), a webhook (Apprise's json://) and a chat endpoint (Apprise's ntfy://, a self-hosted
ntfy server being a plain HTTP endpoint) served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.config import load
from crawler.items import AnnouncementItem
from crawler.store import Store
from monitor.alerts.digest import queue_digests
from tests.conftest import write_config
from tests.http_receiver import HttpReceiver
from tests.smtp_server import SmtpTestServer
from tests.test_notify import SEED

pytestmark = pytest.mark.skipif(SEED is None, reason="../shared/seeds is not beside this checkout")


@pytest.fixture
def smtp():
    server = SmtpTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def chat():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


def email_section(smtp: SmtpTestServer) -> str:
    return (f'\n[email]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
            f'sender = "clusterwatch <cw@example.org>"\ntimeout = 5\n')


def subscriber(email: str | None = "ana@example.org", channels: tuple[str, ...] = (), **extra: object) -> str:
    lines = ["", "[[subscribers]]"]
    if email:
        lines.append(f'email = "{email}"')
    if channels:
        lines.append("channels = [" + ", ".join(json.dumps(c) for c in channels) + "]")
    for key, value in extra.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def seed(tmp_path: Path, extra: str, *, source: str = "aggregator") -> Path:
    config = write_config(tmp_path / "cw.toml", [], extra=extra)
    store = Store(tmp_path / "data.db")
    store.ingest(AnnouncementItem(url="https://aggregator.example/?p=2871", source=source,
                                  title="Staatssekretär Beckmeyer begrüßt das 100. Mitglied bei go-cluster",
                                  body=SEED, published="2014-11-17", published_evidence="test"))
    store.close()
    return config


def outbox(tmp_path: Path) -> list[dict]:
    conn = sqlite3.connect(tmp_path / "data.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM outbox ORDER BY id")]
    finally:
        conn.close()


def test_one_milestone_reaches_email_webhook_and_chat_exactly_once_each(tmp_path, cli, smtp, hook, chat) -> None:
    config = seed(tmp_path, email_section(smtp) + subscriber(
        channels=(f"json://{hook.url}/hook", f"ntfy://{chat.url}/clusterwatch")))
    assert cli("detect", config=config).code == 0
    first = cli("notify", config=config)
    assert first.code == 0, first.err
    assert first.out.strip() == "sent 3, failed 0, rejected 0"
    assert [m.rcpt_tos for m in smtp.messages] == [["ana@example.org"]]
    assert len(hook.requests) == 1 and len(chat.requests) == 1

    # The webhook: a JSON document with every event field, its id also in a header.
    posted = hook.requests[0]
    assert posted.path == "/hook"
    document = json.loads(posted.json()["message"])
    assert document["type"] == "milestone" and document["recipient"] == "ana@example.org"
    assert posted.headers["x-clusterwatch-id"] == document["id"]
    event = document["event"]
    assert (event["programme"], event["number"], event["kind"]) == ("go-cluster", 100, "member_ordinal")
    assert event["member"].startswith("Innovationscluster Automotive Nordwest")
    assert event["published"] == "2014-11-17" and event["milestone"] is True
    assert "als 100. Mitglied" in event["evidence"]
    assert event["sources"][0]["url"] == "https://aggregator.example/?p=2871"
    assert event["sources"][0]["source"] == "aggregator"
    assert {"id", "key", "milestone_key", "first_detected", "place", "qualifier", "rule"} <= set(event)

    # The chat endpoint (ntfy's JSON publish form): plain text with the link, no HTML.
    published = chat.requests[0].json()
    assert published["topic"] == "clusterwatch"
    assert published["title"].startswith("go-cluster: 100. Mitglied — Innovationscluster Automotive Nordwest")
    text = published["message"]
    assert "https://aggregator.example/?p=2871" in text and "als 100. Mitglied" in text
    assert "<" not in text and "{" not in text

    second = cli("notify", config=config)
    assert second.code == 0 and second.out.strip() == "sent 0, failed 0, rejected 0"
    assert len(smtp.messages) == 1 and len(hook.requests) == 1 and len(chat.requests) == 1
    assert {(r["channel"].split("://")[0], r["state"]) for r in outbox(tmp_path)} == {
        ("email", "sent"), ("json", "sent"), ("ntfy", "sent")}


def test_with_the_webhook_down_notify_fails_and_the_next_delivers_exactly_once(tmp_path, cli, smtp, hook, chat) -> None:
    config = seed(tmp_path, email_section(smtp) + subscriber(
        channels=(f"json://{hook.url}/hook", f"ntfy://{chat.url}/clusterwatch")))
    cli("detect", config=config)
    hook.stop()
    down = cli("notify", config=config)
    assert down.code == 1
    assert down.out.strip() == "sent 2, failed 1, rejected 0"
    assert "json://" in down.err and "will retry" in down.err and "Traceback" not in down.err
    assert len(smtp.messages) == 1 and len(chat.requests) == 1
    failed = [r for r in outbox(tmp_path) if r["state"] == "failed"]
    assert len(failed) == 1 and failed[0]["channel"].startswith("json://") and failed[0]["attempts"] == 1
    assert failed[0]["next_attempt"] and failed[0]["last_error"]
    hook.start()
    back = cli("notify", config=config)
    assert back.code == 0, back.err
    assert back.out.strip() == "sent 1, failed 0, rejected 0"
    assert len(hook.requests) == 1
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
    assert len(smtp.messages) == 1 and len(hook.requests) == 1 and len(chat.requests) == 1


def test_a_webhook_that_answers_500_is_a_failed_attempt_retried_later(tmp_path, cli, hook) -> None:
    # Apprise's own retries stay off even when the URL asks for them: the outbox is the one that retries.
    config = seed(tmp_path, subscriber(email=None, name="team", channels=(f"json://{hook.url}/hook?retry=3",)))
    cli("detect", config=config)
    hook.status = 500
    assert cli("notify", config=config).code == 1
    assert len(hook.requests) == 1
    hook.status = 200
    assert cli("notify", config=config).out.strip() == "sent 1, failed 0, rejected 0"
    ids = {r.headers["x-clusterwatch-id"] for r in hook.requests}
    assert len(hook.requests) == 2 and len(ids) == 1  # the same message, the same id


def test_a_digest_whose_transport_fails_is_retried_like_an_alert_and_the_others_are_delivered(
        tmp_path, cli, smtp, hook) -> None:
    from monitor.alerts.outbox import deliver

    extra = (email_section(smtp)
             + subscriber("ana@example.org", channels=(f"json://{hook.url}/digest",), digest="daily",
                          keywords=["Wasserstoff"], events=["new_member"])
             + subscriber("ben@example.org"))
    config = seed(tmp_path, extra)
    first_seen = datetime.now(UTC) - timedelta(minutes=1)
    assert queue_digests(load(config), now=first_seen) == 0
    store = Store(tmp_path / "data.db")
    store.ingest(AnnouncementItem(url="https://a.example/h2", source="bmwe", title="Wasserstoff-Netzwerk gegründet",
                                  body="Ein neues Netzwerk für Wasserstoff.", published="2026-11-20"))
    store.close()
    assert cli("detect", config=config).code == 0
    assert queue_digests(load(config), now=first_seen + timedelta(days=1)) == 1
    hook.stop()
    down = cli("notify", config=config)
    assert down.code == 1 and "digest" in down.err and "will retry" in down.err
    # The other messages went out: ana's emailed digest and ben's milestone alert.
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["ana@example.org", "ben@example.org"]
    failed = next(r for r in outbox(tmp_path) if r["state"] == "failed")
    assert failed["kind"] == "digest" and failed["attempts"] == 1
    # Backoff, as for an alert: the service's delivery (due_only) leaves it until it is due.
    hook.start()
    cfg = load(config)
    assert deliver(cfg, due_only=True).sent == 0 and not hook.requests
    due = datetime.fromisoformat(failed["next_attempt"]) + timedelta(seconds=1)
    report = deliver(cfg, due_only=True, now=due)
    assert (report.sent, report.failed) == (1, 0)
    assert len(hook.requests) == 1
    document = json.loads(hook.requests[0].json()["message"])
    assert document["type"] == "digest" and document["items"][0]["title"] == "Wasserstoff-Netzwerk gegründet"
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
    assert len(hook.requests) == 1 and len(smtp.messages) == 2


def test_killed_between_send_and_commit_the_resend_carries_the_same_id(tmp_path, cli, hook) -> None:
    config = seed(tmp_path, subscriber(email=None, name="team", channels=(f"json://{hook.url}/hook",)))
    cli("detect", config=config)
    pidfile = tmp_path / "notify.pid"

    def kill_sender(request) -> None:
        # The receiver has the message; the sender dies before it can record that.
        if len(hook.requests) == 1:
            os.kill(int(pidfile.read_text()), signal.SIGKILL)

    hook.on_request = kill_sender
    import subprocess
    import sys

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")},
           "CLUSTERWATCH_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "notify"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pidfile.write_text(str(proc.pid))
    assert proc.wait(timeout=120) == -signal.SIGKILL
    assert [r["state"] for r in outbox(tmp_path)] == ["sending"]
    hook.on_request = None
    again = cli("notify", config=config)
    assert again.code == 0 and again.out.strip() == "sent 1, failed 0, rejected 0"
    ids = [r.headers["x-clusterwatch-id"] for r in hook.requests]
    documents = [json.loads(r.json()["message"])["id"] for r in hook.requests]
    # One copy beyond the first, which the receiver can drop by its id.
    assert len(ids) == 2 and len(set(ids)) == 1 and documents == ids
    assert [r["state"] for r in outbox(tmp_path)] == ["sent"]


def test_channel_secrets_come_from_the_environment_and_never_reach_the_dataset_or_output(
        tmp_path, cli, hook) -> None:
    secret = "s3cr3t/pa ss"
    config = seed(tmp_path, subscriber(email=None, name="team",
                                       channels=(f"json://hookuser:${{HOOK_PASSWORD}}@{hook.url}/hook",)))
    cli("detect", config=config)
    unset = cli("notify", config=config)
    assert unset.code == 1 and "HOOK_PASSWORD is not set" in unset.err and not hook.requests
    hook.stop()
    down = cli("notify", config=config, env={"HOOK_PASSWORD": secret})
    assert down.code == 1 and "will retry" in down.err
    hook.start()
    sent = cli("notify", config=config, env={"HOOK_PASSWORD": secret})
    assert sent.code == 0, sent.err
    import base64

    assert hook.requests[0].headers["authorization"] == "Basic " + base64.b64encode(
        f"hookuser:{secret}".encode()).decode()
    listed = cli("alerts", "--json", config=config, env={"HOOK_PASSWORD": secret})
    for text in (unset.out + unset.err, down.out + down.err, sent.out + sent.err, listed.out):
        assert secret not in text and "s3cr3t" not in text
    for path in tmp_path.glob("data.db*"):
        assert b"s3cr3t" not in path.read_bytes()
    assert outbox(tmp_path)[0]["channel"] == f"json://hookuser:${{HOOK_PASSWORD}}@{hook.url}/hook"


def test_a_password_written_into_a_channel_url_or_an_unknown_service_is_refused_in_one_line(tmp_path, cli) -> None:
    for channel, expected in (("json://user:hunter2@127.0.0.1/hook", "password in the URL"),
                              ("nosuchservice://x/y", "not a URL Apprise can send to"),
                              ("ana@example.org", "must be an Apprise URL")):
        config = seed(tmp_path, subscriber(channels=(channel,)))
        result = cli("detect", config=config)
        assert result.code == 1 and expected in result.err, result.err
        assert "Traceback" not in result.err and "hunter2" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_routing_by_programme_source_and_event_kind(tmp_path, cli, hook) -> None:
    extra = (subscriber(email=None, name="press-only", channels=(f"json://{hook.url}/press",), sources=["bmwe-press"])
             + subscriber(email=None, name="aggregator", channels=(f"json://{hook.url}/agg",),
                          sources=["aggregator"], programmes=["go-cluster"])
             + subscriber(email=None, name="other-programme", channels=(f"json://{hook.url}/other",),
                          programmes=["Allianz Industrie 4.0"])
             + subscriber(email=None, name="new-members-only", channels=(f"json://{hook.url}/new",),
                          events=["new_member"]))
    config = seed(tmp_path, extra, source="aggregator")
    cli("detect", config=config)
    assert cli("notify", config=config).code == 0
    assert sorted(r.path for r in hook.requests) == ["/agg"]


def _runs(db: Path, source: str, items: list[int], new: list[int], start: datetime, every: timedelta) -> None:
    store = Store(db)  # the crawler's migrations: crawl_runs as a crawl writes it
    store.close()
    conn = sqlite3.connect(db)
    for n, (count, fresh) in enumerate(zip(items, new, strict=True)):
        started = (start + n * every).isoformat(timespec="seconds")
        conn.execute("INSERT INTO crawl_runs (source, started, finished, status, pages, items, new)"
                     " VALUES (?,?,?,?,?,?,?)", (source, started, started, "ok", 1, count, fresh))
    conn.commit()
    conn.close()


HEALTH = '\n[health]\nemail = false\nchannels = ["json://{url}/health"]\n'


def _notices(hook: HttpReceiver) -> list[dict]:
    return [json.loads(r.json()["message"]) for r in hook.requests]


def test_a_source_whose_items_fall_far_below_its_median_is_reported_once_and_its_recovery_once(
        tmp_path, cli, hook) -> None:
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": "https://a.example/f"}],
                          extra=HEALTH.format(url=hook.url))
    db = tmp_path / "data.db"
    start = datetime(2026, 11, 1, tzinfo=UTC)
    _runs(db, "press", [20, 22, 19, 21, 20, 20], [1] * 6, start, timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
    _runs(db, "press", [2], [1], start + timedelta(hours=36), timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 1, failed 0, rejected 0"
    _runs(db, "press", [3], [1], start + timedelta(hours=42), timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"  # still quiet: told once
    _runs(db, "press", [21], [1], start + timedelta(hours=48), timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 1, failed 0, rejected 0"
    notices = _notices(hook)
    assert [(n["source"], n["state"]) for n in notices] == [("press", "quiet"), ("press", "recovered")]
    assert "2 items in the last run, far below its recent median of 20" in notices[0]["detail"]


def test_a_source_that_stops_producing_new_items_for_longer_than_its_rhythm_is_reported_once(
        tmp_path, cli, hook) -> None:
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": "https://a.example/f"}],
                          extra=HEALTH.format(url=hook.url))
    db = tmp_path / "data.db"
    start = datetime(2026, 10, 1, tzinfo=UTC)
    # New items about once a day, crawled every 6 hours; then 5 days of runs without anything new.
    _runs(db, "press", [10] * 24, [1, 0, 0, 0] * 6, start, timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
    _runs(db, "press", [10] * 20, [0] * 20, start + timedelta(days=6), timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 1, failed 0, rejected 0"
    _runs(db, "press", [10], [0], start + timedelta(days=11), timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
    _runs(db, "press", [10], [2], start + timedelta(days=11, hours=6), timedelta(hours=6))
    assert cli("notify", config=config).out.strip() == "sent 1, failed 0, rejected 0"
    notices = _notices(hook)
    assert [n["state"] for n in notices] == ["quiet", "recovered"]
    assert "no new items for" in notices[0]["detail"] and "usually came every 24 hours" in notices[0]["detail"]


def test_a_mailto_channel_gets_the_full_multipart_email_with_the_stable_message_id(tmp_path, cli, smtp) -> None:
    config = seed(tmp_path, '\n[email]\nsender = "clusterwatch <cw@example.org>"\n' + subscriber(
        email=None, name="desk", channels=(f"mailto://example.org:{smtp.port}?smtp=127.0.0.1&to=desk@example.org&from=cw@example.org",)))
    cli("detect", config=config)
    result = cli("notify", config=config)
    assert result.code == 0, result.err
    assert [m.rcpt_tos for m in smtp.messages] == [["desk@example.org"]]
    message = smtp.messages[0].message
    assert message["To"] == "desk@example.org" and "cw@example.org" in message["From"]
    assert message["Message-ID"] == outbox(tmp_path)[0]["message_id"]
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    assert any(part.get_content_type() == "image/png" for part in message.walk())  # the timeline chart
    assert message["Subject"].startswith("go-cluster: 100. Mitglied")
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
