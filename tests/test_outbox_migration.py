"""A dataset written before the outbox (alerts, digests and health notices in their own tables,
each with its own states) migrates without losing or re-sending anything: what was sent stays
sent, what was pending or failed is sent once, with the Message-ID it had."""

from __future__ import annotations

import sqlite3

from crawler.items import AnnouncementItem
from crawler.store import Store, now_iso
from monitor.alerts.message import stable_message_id
from monitor.events import EventRecorder
from monitor.migrations import migrations
from tests.conftest import write_config
from tests.test_channels import email_section, smtp  # noqa: F401  # the fixture
from tests.test_notify import SEED, pytestmark  # noqa: F401  # skipped with the seed missing

DOMAIN = "example.org"
SUBSCRIBERS = """
[[subscribers]]
email = "ana@example.org"

[[subscribers]]
email = "ben@example.org"

[[subscribers]]
email = "carla@example.org"

[[subscribers]]
email = "dora@example.org"
digest = "daily"
events = []
"""


def old_dataset(path) -> dict[str, int]:
    """The dataset as the release before the outbox left it, mid-outage."""
    store = Store(path)
    store.ingest(AnnouncementItem(url="https://aggregator.example/?p=2871", source="aggregator",
                                  title="go-cluster: das 100. Mitglied", body=SEED, published="2014-11-17"))
    migrations.apply(store.db, stop_before="0003_outbox")
    EventRecorder(store.db).run()
    conn = store.db.conn
    event_id, key = conn.execute("SELECT id, coalesce(milestone_key, key) FROM events WHERE milestone = 1").fetchone()
    ids = {}
    for alert_id, email, state, attempts in ((7, "ana@example.org", "sent", 1), (8, "ben@example.org", "failed", 3),
                                             (9, "carla@example.org", "pending", 0)):
        conn.execute("INSERT INTO alerts (id, event_id, subscriber, state, message_id, attempts, next_attempt,"
                     " created, sent) VALUES (?,?,?,?,?,?,?,?,?)",
                     (alert_id, event_id, email, state, stable_message_id(key, email, domain=DOMAIN), attempts,
                      now_iso(), now_iso(), now_iso() if state == "sent" else None))
        ids[email] = alert_id
    for n, state in enumerate(("sent", "failed", "empty")):
        conn.execute("INSERT INTO digests (subscriber, period, since, until, state, message_id, items, created, sent)"
                     " VALUES (?,?,?,?,?,?,?,?,?)",
                     ("dora@example.org", "daily", f"200{n}-01-01T00:00:00+00:00", f"2{n}99-01-01T00:00:00+00:00",
                      state, f"<digest{n}@{DOMAIN}>", 0 if state == "empty" else 1, now_iso(),
                      now_iso() if state == "sent" else None))
    conn.execute("INSERT INTO health_notices (source, state, detail, created, sent) VALUES"
                 " ('press', 'broken', 'failed 3 runs in a row', ?, ?)", (now_iso(), now_iso()))
    conn.execute("INSERT INTO health_notices (source, state, detail, created) VALUES"
                 " ('gsb', 'broken', 'failed 3 runs in a row', ?)", (now_iso(),))
    store.close()
    return ids


def test_an_old_dataset_migrates_and_sends_exactly_what_was_still_owed(tmp_path, cli, smtp) -> None:  # noqa: F811
    ids = old_dataset(tmp_path / "data.db")
    conn = sqlite3.connect(tmp_path / "data.db")
    owed_ids = {r[0]: r[1] for r in conn.execute("SELECT subscriber, message_id FROM alerts")}
    conn.close()
    extra = email_section(smtp).replace("cw@example.org", f"cw@{DOMAIN}") + 'admin = "ops@example.org"\n'
    config = write_config(tmp_path / "cw.toml", [], extra=extra + SUBSCRIBERS)
    result = cli("notify", config=config)
    assert result.code == 0, result.err
    assert result.out.strip() == "sent 4, failed 0, rejected 0"
    received = {(m.rcpt_tos[0], m.message["Message-ID"]) for m in smtp.messages}
    gsb = sqlite3.connect(tmp_path / "data.db").execute("SELECT id FROM health_notices WHERE source = 'gsb'").fetchone()[0]
    assert received == {
        ("ben@example.org", owed_ids["ben@example.org"]),  # failed before: sent once, same Message-ID
        ("carla@example.org", owed_ids["carla@example.org"]),  # pending before
        ("dora@example.org", f"<digest1@{DOMAIN}>"),  # the failed digest, not the sent nor the empty one
        ("ops@example.org", stable_message_id("health", str(gsb), "gsb", domain=DOMAIN)),  # the unsent notice
    }
    assert cli("notify", config=config).out.strip() == "sent 0, failed 0, rejected 0"
    listed = {a["subscriber"]: a for a in cli("alerts", "--json", config=config).json() if a["message"] != "health"}
    # Alert ids are kept: `clusterwatch alerts retry 8` still names ben's alert.
    assert {email: listed[email]["id"] for email in ids} == ids
    assert listed["ben@example.org"]["attempts"] == 4 and listed["ana@example.org"]["attempts"] == 1
    # Queries written against the old table keep working.
    conn = sqlite3.connect(tmp_path / "data.db")
    assert sorted(conn.execute("SELECT subscriber, state FROM alerts")) == [
        ("ana@example.org", "sent"), ("ben@example.org", "sent"), ("carla@example.org", "sent")]
    conn.close()
