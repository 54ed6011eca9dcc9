"""Untrusted text stays inert wherever it goes: terminal, email subject, CSV export, memory."""

from __future__ import annotations

import csv
import io
import mailbox
import sqlite3

import pytest

from crawler.items import AnnouncementItem
from crawler.store import Store
from tests.conftest import SHARED, write_config

HOSTILE = "\x1b[2J\x1b[31mRot\x07 \u202egnal\u202c Mit\u200bglied\ufeff"
LONG = "Das Innovationscluster wächst weiter. " * 2000  # 76,000 characters


def feed(title: str, body: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
            "<link>{{BASE}}/</link><description>d</description>"
            f"<item><title>{title}</title><link>{{{{BASE}}}}/a.html</link>"
            f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item></channel></rss>")


def test_control_bidi_and_zero_width_characters_never_reach_the_dataset_or_terminal(tmp_path, site_copy, cli) -> None:
    site = site_copy()
    (site.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    # XML 1.0 cannot carry ESC or BEL literally; feeds that carry them anyway are read leniently.
    (site.root / "feed.xml").write_text(feed(HOSTILE, HOSTILE + " " + LONG), encoding="utf-8")
    config = write_config(tmp_path / "cw.toml", [{"name": "agg", "kind": "feed", "url": site.url + "/feed.xml"}],
                          crawler={"max_text_chars": 50_000})
    run = cli("crawl", "--json", config=config).json()[0]
    assert run["new"] == 1, run
    title, body = sqlite3.connect(tmp_path / "data.db").execute("SELECT title, body FROM announcements").fetchone()
    assert title == "[2J[31mRot gnal Mitglied"
    for ch in "\x1b\x07\u202e\u202c\u200b\ufeff":
        assert ch not in title and ch not in body
    assert 49_900 < len(body) <= 50_000  # cut at crawler.max_text_chars (then the hostile characters removed)
    assert f"warning: {site.url}/a.html: text cut to max_text_chars = 50000 characters" in run["error_messages"]
    shown = cli("search", "Rot", config=config)
    assert "\x1b" not in shown.out + shown.err and "Rot gnal Mitglied" in shown.out


SEED_FILE = SHARED / "seeds" / "000_0337014357feef00.txt"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="../shared/seeds is not beside this checkout")
def test_an_email_subject_carries_no_bidi_override_or_zero_width_character(tmp_path, cli) -> None:
    seed = SEED_FILE.read_text(encoding="utf-8")
    # The member's name is where the detector takes the subject from.
    seed = seed.replace("Innovationscluster Automotive Nordwest", "Innovations\u202ecluster\u202c Auto\u200bmotive Nordwest")
    assert "\u202e" in seed
    config = write_config(tmp_path / "cw.toml", [], extra='\n[email]\nmaildir = "mail"\nsender = "cw@example.org"\n'
                                                          '\n[[subscribers]]\nemail = "ana@example.org"\n')
    store = Store(tmp_path / "data.db")
    store.ingest(AnnouncementItem(url="https://aggregator.example/?p=2871", source="aggregator",
                                  title="Staatssekretär begrüßt das 100. Mitglied bei go-cluster\u202e\x1b[5m",
                                  body=seed, published="2014-11-17", published_evidence="test"))
    store.close()
    assert cli("detect", config=config).code == 0
    assert cli("notify", config=config).code == 0
    messages = list(mailbox.Maildir(tmp_path / "mail", create=False))
    assert len(messages) == 1
    subject = str(messages[0]["Subject"])
    assert "Innovationscluster Automotive Nordwest" in subject
    assert not any(ch in subject for ch in "\u202e\u202c\u200b\x1b")


def test_csv_export_neutralises_formula_cells(tmp_path, cli) -> None:
    config = write_config(tmp_path / "cw.toml", [])
    store = Store(tmp_path / "data.db")
    titles = ["=HYPERLINK(\"http://evil.example\",\"klick\")", "+49 30 1234", "-1", "@SUM(A1:A9)", "Normal"]
    for n, title in enumerate(titles):
        store.ingest(AnnouncementItem(url=f"https://a.example/{n}", source="s", title=title,
                                      body=f"Text Nummer {n} über etwas ganz anderes {n * 7919}."))
    store.close()
    result = cli("export", "--what", "announcements", "--format", "csv", config=config)
    assert result.code == 0, result.err
    table = list(csv.DictReader(io.StringIO(result.out)))
    assert sorted(r["title"] for r in table) == sorted(
        ["'=HYPERLINK(\"http://evil.example\",\"klick\")", "'+49 30 1234", "'-1", "'@SUM(A1:A9)", "Normal"])
    # JSON keeps the text as it is: only a spreadsheet runs formulas.
    assert "=HYPERLINK" in {r["title"][:10] for r in cli("export", "--what", "announcements", "--format", "json",
                                                         config=config).json()}
