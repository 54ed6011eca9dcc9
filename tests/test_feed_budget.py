"""Feed entries are never lost to the page budget: a feed of 30 short entries with max_pages = 10
ends with all 30 announcements, full text included, after the runs it takes, and no run says
`ok` while a page is outstanding."""

from __future__ import annotations

import random

from tests.conftest import write_config
from tests.test_feed_crawl import rows

WORDS = ("Cluster Netzwerk Mitglied Forschung Industrie Region Wasserstoff Logistik Medizintechnik Batterie "
         "Halbleiter Photonik Robotik Textil Holz Chemie Energie Mobilität Software Sensorik Luftfahrt Maritim "
         "Agrar Lebensmittel Kunststoff Optik Quanten Gesundheit Umwelt Bau Handwerk Tourismus Kreativ Design").split()


def paragraph(n: int) -> str:
    # Each page its own words: near-duplicate detection must see 30 different announcements.
    rng = random.Random(n)
    return " ".join(f"{rng.choice(WORDS)}{rng.randint(1, 10_000)}" for _ in range(120))


def make_feed(site, count: int = 30) -> None:
    (site.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    items = "".join(
        f"<item><title>Meldung {n}</title><link>{{{{BASE}}}}/m/{n}.html</link><guid>{{{{BASE}}}}/m/{n}.html</guid>"
        f"<pubDate>Mon, 0{1 + n % 9} Apr 2024 10:00:00 +0200</pubDate><description>Kurzfassung {n}.</description></item>"
        for n in range(count))
    (site.root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>{{{{BASE}}}}/</link><description>d</description>{items}</channel></rss>", encoding="utf-8")
    (site.root / "m").mkdir()
    for n in range(count):
        (site.root / "m" / f"{n}.html").write_text(
            f"<html><body><main><article><h1>Meldung {n}</h1><p>{paragraph(n)}</p></article></main></body></html>",
            encoding="utf-8")


def kinds(db) -> dict[str, int]:
    return dict(rows(db, "SELECT text_kind, count(*) FROM announcements GROUP BY text_kind"))


def test_thirty_entries_with_max_pages_ten_are_all_stored_and_completed(tmp_path, site_copy, cli) -> None:
    site = site_copy()
    make_feed(site)
    config = write_config(tmp_path / "cw.toml", [
        {"name": "press", "kind": "feed", "url": site.url + "/feed.xml", "max_pages": 10}])
    db = tmp_path / "data.db"

    first = cli("crawl", "--json", config=config).json()[0]
    # Every entry is stored at once; those whose page did not fit, from the feed's own text.
    assert sum(kinds(db).values()) == 30
    assert first["status"] == "incomplete", first
    assert first["error_messages"][0].startswith("warning: ") and "entries stored from the feed's own text" in \
        first["error_messages"][0]
    deferred = int(first["error_messages"][0].split()[1])
    assert deferred == kinds(db).get("summary", 0) + kinds(db).get("title", 0) > 0

    statuses = [first["status"]]
    for _ in range(8):
        if kinds(db).get("full") == 30:
            break
        run = cli("crawl", "--json", config=config).json()[0]
        statuses.append(run["status"])
        assert run["not_modified"] == 0  # validators are not saved while pages are outstanding
        assert run["status"] == ("ok" if kinds(db).get("full") == 30 else "incomplete"), (run, kinds(db))
    assert kinds(db) == {"full": 30}
    assert statuses[-1] == "ok" and set(statuses[:-1]) == {"incomplete"}
    assert len(statuses) <= 6

    # Only now are the validators kept: the next run costs one 304.
    site.reset_log()
    last = cli("crawl", "--json", config=config).json()[0]
    assert (last["status"], last["not_modified"]) == ("ok", 1)
    assert [p for p in site.paths() if p.startswith("/m/")] == []
