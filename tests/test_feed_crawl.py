"""Real crawls of feeds served on loopback, through the command line, into a real dataset."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import write_config

LONG = (
    "Das Bundesministerium für Wirtschaft und Energie hat heute {n} weitere Innovationscluster in "
    "das Exzellenzprogramm „go-cluster“ aufgenommen. Die Netzwerke stammen aus Sachsen, Bayern und "
    "Nordrhein-Westfalen und bündeln Kompetenzen in Mikroelektronik, Medizintechnik und Logistik. "
    "Die Aufnahme setzt ein anspruchsvolles Auswahlverfahren voraus, in dem Strategie, Strukturen "
    "und Leistungen des Clustermanagements geprüft werden. Mit der Mitgliedschaft erhalten die "
    "Cluster Zugang zu Seminaren, Beratung und einer größeren Sichtbarkeit gegenüber Politik, "
    "Wirtschaft und Wissenschaft. Kleine und mittlere Unternehmen profitieren besonders davon."
)

OTHER = (
    "Zum Auftakt der Clusterwoche öffnen Netzwerke aus ganz Deutschland ihre Türen. Besucherinnen "
    "und Besucher erleben Werkstattgespräche, Laborführungen und Matchmaking-Formate, in denen "
    "Start-ups auf etablierte Industriepartner treffen. Schwerpunkte sind in diesem Jahr die "
    "Wasserstoffwirtschaft, die Kreislaufwirtschaft und digitale Zwillinge in der Produktion. Die "
    "Veranstalter rechnen mit mehreren tausend Gästen in Präsenz und online; das vollständige "
    "Programm steht auf der Clusterplattform bereit und wird laufend ergänzt."
)

BILANZ = (
    "Die Jahresbilanz des Programms fällt positiv aus: {n} Netzwerke haben im vergangenen Jahr das "
    "europäische Silber-Label erneuert, zwei erhielten erstmals das Gold-Label. Der Projektträger "
    "lobt die Professionalisierung der Clustermanagements, mahnt aber eine stärkere Einbindung "
    "kleiner Betriebe aus ländlichen Regionen an. Für das kommende Jahr plant das Ministerium "
    "neue Austauschformate zu Fachkräftesicherung und Internationalisierung sowie eine "
    "Auswertung der bisherigen Förderprojekte im Bereich cross clustering."
)

PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title} - Ministerium</title></head>
<body><nav><a href="/">Startseite</a> <a href="/presse">Presse</a></nav>
<main><article><h1>{title}</h1>
<p>{p1}</p><p>{p2}</p><p>{p3}</p></article></main>
<footer>Impressum · Datenschutz · Kontakt</footer></body></html>"""


def rss(items: list[dict[str, str]]) -> str:
    entries = "".join(
        f"""<item><title>{i['title']}</title><link>{{{{BASE}}}}{i['path']}</link>
        <guid>{{{{BASE}}}}{i['path']}</guid><pubDate>{i['date']}</pubDate>
        <description>{i['summary']}</description>
        {f"<content:encoded><![CDATA[{i['content']}]]></content:encoded>" if i.get('content') else ''}
        </item>"""
        for i in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Pressemitteilungen</title><link>{{{{BASE}}}}/</link><description>Test</description>
{entries}</channel></rss>"""


ITEMS = [
    {"title": "Drei neue Mitglieder bei go-cluster", "path": "/presse/2019/20190411-drei-neue.html",
     "date": "Thu, 11 Apr 2019 10:00:00 +0200", "summary": "Drei Cluster neu im Programm."},
    {"title": "Clusterwoche eröffnet", "path": "/presse/2019/20190402-clusterwoche.html",
     "date": "Tue, 02 Apr 2019 09:30:00 +0200", "summary": "Die Clusterwoche beginnt."},
    {"title": "Jahresbilanz go-cluster", "path": "/presse/2019/20190301-bilanz.html",
     "date": "Fri, 01 Mar 2019 12:00:00 +0100", "summary": "Kurz.", "content": BILANZ.format(n="Vier")},
]


def make_site(site) -> None:
    root = site.root
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (root / "feed.xml").write_text(rss(ITEMS), encoding="utf-8")
    for n, i in enumerate(ITEMS[:2]):
        page = root / i["path"].lstrip("/")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(PAGE.format(title=i["title"], p1=[LONG.format(n="drei"), OTHER][n],
                                    p2="Weitere Informationen folgen in Kürze auf der Plattform.",
                                    p3=f"Meldung Nummer {n + 1} des Tages."), encoding="utf-8")


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_feed_twice_stores_once_then_304_then_revision(tmp_path, site_copy, cli) -> None:
    site = site_copy()
    make_site(site)
    config = write_config(tmp_path / "cw.toml", [
        {"name": "press", "kind": "feed", "url": site.url + "/feed.xml"},
    ])
    db = tmp_path / "data.db"

    first = cli("crawl", "--json", config=config)
    assert first.code == 0, first.err
    run = first.json()[0]
    assert (run["source"], run["status"], run["new"], run["errors"]) == ("press", "ok", 3, 0)
    stored = rows(db, "SELECT title, published, published_evidence, text_kind, body FROM announcements ORDER BY published")
    assert [r[0] for r in stored] == ["Jahresbilanz go-cluster", "Clusterwoche eröffnet", "Drei neue Mitglieder bei go-cluster"]
    assert stored[2][1:4] == ("2019-04-11T10:00:00+02:00", "feed:published", "full")
    # The short entries were completed from their pages, without the pages' chrome.
    assert "Mikroelektronik" in stored[2][4] and "Impressum" not in stored[2][4]
    assert "Vier Netzwerke haben" in stored[0][4]

    site.reset_log()
    second = cli("crawl", "--json", config=config)
    assert second.code == 0, second.err
    run = second.json()[0]
    assert (run["new"], run["updated"], run["not_modified"]) == (0, 0, 1)
    feed_requests = [r for r in site.requests if r[1] == "/feed.xml"]
    assert len(feed_requests) == 1 and "If-None-Match" in feed_requests[0][2]
    assert [p for p in site.paths() if p.startswith("/presse")] == []  # known articles not fetched again
    assert rows(db, "SELECT count(*) FROM announcements") == [(3,)]

    ITEMS[2]["content"] = BILANZ.format(n="Fünf")
    try:
        (site.root / "feed.xml").write_text(rss(ITEMS), encoding="utf-8")
        third = cli("crawl", "--json", config=config)
    finally:
        ITEMS[2]["content"] = BILANZ.format(n="Vier")
    run = third.json()[0]
    assert (run["new"], run["updated"]) == (0, 1)
    assert rows(db, "SELECT count(*) FROM announcements") == [(3,)]
    revisions = rows(db, "SELECT r.body FROM revisions r")
    assert len(revisions) == 1 and "Vier Netzwerke" in revisions[0][0]
    assert "Fünf Netzwerke" in rows(db, "SELECT body FROM announcements WHERE title = 'Jahresbilanz go-cluster'")[0][0]


def test_a_broken_source_does_not_stop_the_others(tmp_path, site_copy, cli) -> None:
    good = site_copy()
    make_site(good)
    bad = site_copy()
    (bad.root / "notafeed.xml").write_text("<html><body><h1>Willkommen</h1><p>Keine Nachrichten.</p></body></html>")
    (bad.root / "notafeed.xml.headers").write_text("Content-Type: text/html; charset=utf-8\n")
    (bad.root / "broken.xml").write_text(rss(ITEMS[:2])[:-60], encoding="utf-8")  # cut mid-document
    config = write_config(tmp_path / "cw.toml", [
        {"name": "good", "kind": "feed", "url": good.url + "/feed.xml"},
        {"name": "html", "kind": "feed", "url": bad.url + "/notafeed.xml"},
        {"name": "missing", "kind": "feed", "url": bad.url + "/gone.xml"},
        {"name": "truncated", "kind": "feed", "url": bad.url + "/broken.xml", "full_text": False},
    ])
    result = cli("crawl", "--json", config=config)
    assert result.code == 1  # a source failed
    assert "Traceback" not in result.err
    runs = {r["source"]: r for r in result.json()}
    assert (runs["good"]["status"], runs["good"]["new"]) == ("ok", 3)
    assert runs["html"]["status"] == "failed"
    assert "notafeed.xml: not a feed (text/html" in runs["html"]["error_messages"][0]
    assert runs["missing"]["status"] == "failed"
    assert runs["missing"]["error_messages"] == [f"{bad.url}/gone.xml: HTTP 404"]
    # The readable entries of a truncated feed are still stored, with a warning.
    assert runs["truncated"]["new"] == 2
    assert any("malformed feed" in m for m in runs["truncated"]["error_messages"])

    table = cli("crawl", config=config)
    assert "html: " in table.err and "not a feed" in table.err
    assert "Traceback" not in table.err


def test_robots_txt_is_obeyed(tmp_path, site_copy, cli) -> None:
    site = site_copy()
    make_site(site)
    (site.root / "robots.txt").write_text("User-agent: *\nDisallow: /feed.xml\n")
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}])
    result = cli("crawl", "--json", config=config)
    run = result.json()[0]
    assert run["status"] == "failed"
    assert "blocked by robots.txt" in run["error_messages"][0]
    assert "/feed.xml" not in site.paths()
    ua = {h.get("User-Agent") for _, _, h in site.requests}
    assert all(u and u.startswith("clusterwatch/") for u in ua)
