"""Datasette's canned search (data/metadata.yml, search_announcements): a word followed by * is
looked up in the word vocabulary and stands for at most 60 index words, so that a prefix does
not make FTS5 merge the postings of thousands of words; what it finds is what FTS5 finds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from crawler.items import AnnouncementItem
from crawler.resources import data_file
from crawler.store import Store
from monitor.export import browse_metadata

TEXTS = [
    "Das Netzwerk begrüßt ein neues Mitglied aus Bremen.",
    "Die Mitglieder des go-cluster trafen sich in Berlin.",
    "Zwölf Mitgliedsunternehmen zeigen Wasserstoff-Projekte.",
    "Die Mitgliederversammlung wählte einen neuen Vorstand.",
    "Förderung für Netzwerke: die Mitgliedschaft lohnt sich.",
    "Ein Förderprogramm für Cluster ohne ein einziges passendes Wort.",
    "Wasserstoffnetzwerke im Norden: Netzwerkarbeit und Netzwerktreffen.",
    "Ein Text über Mitgliedergewinnung im go-cluster Exzellenzprogramm.",
]


def canned_sql() -> str:
    metadata = yaml.safe_load(data_file("metadata.yml").read_text(encoding="utf-8"))
    return str(metadata["databases"]["clusterwatch"]["queries"]["search_announcements"]["sql"])


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    store = Store(tmp_path / "data.db")
    for i, text in enumerate(TEXTS):
        store.ingest(AnnouncementItem(url=f"https://example.org/{i}", source="s", title=f"Meldung {i}", body=text))
    # Many words that start alike, more than the 50 a prefix stands for.
    filler = " ".join(f"Zukunftswort{chr(97 + k // 26)}{chr(97 + k % 26)}" for k in range(80))
    store.ingest(AnnouncementItem(url="https://example.org/many", source="s", title="Viele", body=filler))
    store.close()
    return tmp_path / "data.db"


def urls(conn: sqlite3.Connection, sql: str, q: str) -> set[str]:
    return {row[3] for row in conn.execute(sql, {"q": q}).fetchall()}


def fts5(conn: sqlite3.Connection, q: str) -> set[str]:
    return {row[0] for row in conn.execute(
        "SELECT a.url FROM announcements_fts JOIN announcements a ON a.id = announcements_fts.rowid"
        " WHERE announcements_fts MATCH ?", (q,))}


@pytest.mark.parametrize("q", [
    "Mitglied*", "mitglied*", "Netzwerk*", "Netz*", "Förder*", '"go-cluster" Mitglied*', "Mitglied* Bremen",
    "Mitglied* OR Cluster", "Mitglied* NOT Versammlung", "Mitglieder", '"Mitglieder des"', "Wasserstoff* Netz*",
    '"neues Mitglied"', "title:Meldung", "Mitglied* AND (Bremen OR Berlin)", "Zukunftswortaa*",
])
def test_the_canned_search_finds_what_fts5_finds(dataset: Path, q: str) -> None:
    conn = sqlite3.connect(dataset)
    found = urls(conn, canned_sql(), q)
    assert found == fts5(conn, q)
    conn.close()


def test_a_prefix_stands_for_its_forms_and_at_most_fifty_more_words(dataset: Path) -> None:
    conn = sqlite3.connect(dataset)
    assert fts5(conn, "Zukunftswort*") == {"https://example.org/many"}
    sql = canned_sql()
    head = sql.partition("\nselect\n")[0]
    expanded = conn.execute(head + "\nselect q from query", {"q": "Zukunftswort* Viele"}).fetchone()[0]
    assert expanded.startswith("(") and expanded.endswith(") AND Viele")
    # Its ten German forms (not looked up: FTS5 finds an absent word at no cost) and 50 of the 80
    # words it starts, the first in alphabetical order.
    assert expanded.count(" OR ") == 59
    assert '"zukunftswortaa"' in expanded and '"zukunftswortbx"' in expanded and '"zukunftswortby"' not in expanded
    assert '"zukunftswort"' in expanded and '"zukunftswortern"' in expanded
    # Forms first, whatever their place in the alphabet; a phrase is left alone.
    expanded = conn.execute(head + "\nselect q from query", {"q": 'Mitglied* "go Netz*"'}).fetchone()[0]
    assert '"mitglieder"' in expanded and '"mitgliedsunternehmen"' in expanded
    assert expanded.endswith(' "go Netz*"')
    assert conn.execute(sql, {"q": ""}).fetchall() == []
    conn.close()


def test_browse_on_a_dataset_without_the_vocabulary_searches_as_fts5_does(dataset: Path) -> None:
    conn = sqlite3.connect(dataset)
    conn.execute("DROP TABLE announcements_fts_vocab")  # as made before migration 0011
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0011_word_vocabulary'")
    conn.commit()
    sql = browse_metadata(dataset)["databases"][dataset.stem]["queries"]["search_announcements"]["sql"]
    assert "announcements_fts_vocab" not in sql
    assert urls(conn, sql, "Mitglied*") == fts5(conn, "Mitglied*")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        conn.execute(canned_sql(), {"q": "Mitglied*"}).fetchall()
    conn.close()
    Store(dataset).close()  # any command that writes migrates it
    assert "announcements_fts_vocab" in \
        browse_metadata(dataset)["databases"][dataset.stem]["queries"]["search_announcements"]["sql"]
