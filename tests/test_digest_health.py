"""Digests (the new announcements matching a subscriber, grouped by source; nothing when nothing is
new) and source-health notices to the admin, delivered by `clusterwatch notify`."""

from __future__ import annotations

import mailbox
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.config import load
from crawler.items import AnnouncementItem
from crawler.store import Store
from monitor.alerts.digest import queue_digests
from tests.conftest import write_config

EXTRA = """
[email]
maildir = "mail"
admin = "ops@example.org"

[[subscribers]]
email = "ana@example.org"
digest = "daily"
keywords = ["Wasserstoff"]
programmes = ["go-cluster"]

[[subscribers]]
email = "ben@example.org"
digest = "off"
"""


def add(path: Path, url: str, title: str, body: str, source: str) -> None:
    store = Store(path)
    store.ingest(AnnouncementItem(url=url, source=source, title=title, body=body, published="2026-11-20"))
    store.close()


def maildir(tmp_path: Path) -> list:
    return list(mailbox.Maildir(tmp_path / "mail", create=True))


def test_daily_digest_lists_matching_news_by_source_and_nothing_when_nothing_is_new(tmp_path, cli) -> None:
    config = write_config(tmp_path / "cw.toml", [], extra=EXTRA)
    db = tmp_path / "data.db"
    # The subscriber is first seen a minute before the news; the first digest is due a day later.
    first_seen = datetime.now(UTC) - timedelta(minutes=1)
    assert queue_digests(load(config), now=first_seen) == 0
    add(db, "https://a.example/1", "Wasserstoff-Netzwerk gegründet", "Ein neues Netzwerk für Wasserstoff.", "bmwe")
    add(db, "https://b.example/2", "go-cluster-Tagung", "Die Mitglieder von go-cluster trafen sich.", "cp")
    add(db, "https://c.example/3", "Haushalt beschlossen", "Der Bundestag beschloss den Haushalt.", "bmwe")
    tomorrow = first_seen + timedelta(days=1)
    assert queue_digests(load(config), now=tomorrow) == 1
    result = cli("notify", config=config)
    assert result.code == 0, result.err
    digests = [m for m in maildir(tmp_path) if "ana@example.org" in m["To"]]
    assert len(digests) == 1
    text = digests[0].get_payload()[0].get_payload(decode=True).decode("utf-8")
    assert "Wasserstoff-Netzwerk gegründet" in text and "go-cluster-Tagung" in text
    assert "Haushalt beschlossen" not in text
    assert text.index("bmwe") < text.index("Wasserstoff-Netzwerk") < text.index("cp")
    assert not [m for m in maildir(tmp_path) if "ben@example.org" in m["To"]]
    # A day later with nothing new: no digest is sent.
    assert queue_digests(load(config), now=tomorrow + timedelta(days=1, minutes=1)) == 0
    cli("notify", config=config)
    assert len([m for m in maildir(tmp_path) if "ana@example.org" in m["To"]]) == 1


def test_admin_hears_when_a_source_breaks_and_when_it_recovers(tmp_path, site_copy, cli) -> None:
    from tests.test_feed_crawl import make_site

    site = site_copy()
    make_site(site)
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}],
                          extra=EXTRA)
    cli("crawl", config=config)
    feed = site.root / "feed.xml"
    good = feed.read_text(encoding="utf-8")
    feed.unlink()
    for _ in range(3):
        cli("crawl", config=config)
    cli("notify", config=config)
    notices = [m for m in maildir(tmp_path) if m["To"] == "ops@example.org"]
    assert len(notices) == 1 and "press" in str(notices[0]["Subject"])
    cli("notify", config=config)  # told once, not on every run
    assert len([m for m in maildir(tmp_path) if m["To"] == "ops@example.org"]) == 1
    feed.write_text(good, encoding="utf-8")
    cli("crawl", "--full", config=config)
    cli("notify", config=config)
    notices = [m for m in maildir(tmp_path) if m["To"] == "ops@example.org"]
    assert len(notices) == 2
    assert any("recovered" in str(m["Subject"]).lower() or "wieder" in str(m["Subject"]).lower() for m in notices)


def test_a_new_installations_first_weekly_digest_is_due_a_week_after_the_subscriber_was_first_seen(
        tmp_path, cli) -> None:
    # The first notify of a new installation sent a weekly digest at once, of everything the
    # first crawl had just stored.
    config = write_config(tmp_path / "cw.toml", [], extra=EXTRA.replace('digest = "daily"', 'digest = "weekly"'))
    db = tmp_path / "data.db"
    add(db, "https://a.example/1", "go-cluster: Archivmeldung", "Aus dem Archiv von go-cluster.", "bmwe")
    time.sleep(1.1)  # times are kept to the second: the archive, the first notify and the news each get their own
    first = cli("notify", config=config)
    assert first.code == 0, first.err
    assert not [m for m in maildir(tmp_path) if "ana@example.org" in m["To"]]
    time.sleep(1.1)
    add(db, "https://b.example/2", "go-cluster-Tagung", "Die Mitglieder von go-cluster trafen sich.", "cp")
    assert queue_digests(load(config), now=datetime.now(UTC) + timedelta(days=6)) == 0
    assert queue_digests(load(config), now=datetime.now(UTC) + timedelta(days=7)) == 1
    assert cli("notify", config=config).code == 0
    digests = [m for m in maildir(tmp_path) if "ana@example.org" in m["To"]]
    assert len(digests) == 1
    text = digests[0].get_payload()[0].get_payload(decode=True).decode("utf-8")
    assert "go-cluster-Tagung" in text and "Archivmeldung" not in text
