"""Events in the dataset: one event per milestone however many announcements report it, the
milestone rule, and re-analysis that never raises a second alert."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import MilestoneConfigError, MilestoneRule
from crawler.items import AnnouncementItem
from crawler.store import Store
from monitor.events import EventRecorder, list_events, open_dataset, timeline


def add(store: Store, url: str, text: str, published: str | None, source: str = "s") -> None:
    # Short texts on purpose: long look-alike texts would be one announcement (near-duplicates).
    store.ingest(AnnouncementItem(url=url, source=source, title=None, body=text,
                                  published=published, published_evidence="test" if published else None))


@pytest.fixture
def dataset(tmp_path: Path):
    store = Store(tmp_path / "d.db")
    yield store, tmp_path / "d.db"
    store.close()


def run(path: Path, rule: MilestoneRule | None = None, created: list | None = None, all_again: bool = False):
    db = open_dataset(path)
    try:
        hook = (lambda conn, event_id, info: created.append((event_id, info))) if created is not None else None
        return EventRecorder(db, rule, on_event=hook).run(all_again=all_again)
    finally:
        db.conn.close()


def events(path: Path) -> list[dict]:
    db = open_dataset(path)
    try:
        return list(list_events(db.conn))
    finally:
        db.conn.close()


def test_one_event_from_several_announcements_with_the_earliest_date(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Der Verein Hanse Logistik e. V. aus Hamburg ist als 120. Mitglied in das "
        "Exzellenzprogramm „go-cluster“ aufgenommen worden.", "2016-05-03")
    add(store, "https://b.example/2", "Mit Hanse Logistik e. V. aus Hamburg begrüßt das Programm go-cluster sein "
        "120. Mitglied, teilte die Geschäftsstelle mit, die den Neuzugang im Frühjahr vorgestellt hatte.",
        "2016-05-01")
    created: list = []
    run(path, created=created)
    found = [e for e in events(path) if e["kind"] == "member_ordinal"]
    assert len(found) == 1
    event = found[0]
    assert (event["programme"], event["number"], event["published"]) == ("go-cluster", 120, "2016-05-01")
    assert set(event["sources"]) == {"https://a.example/1", "https://b.example/2"}
    assert len(event["all_evidence"]) == 2
    assert [info["milestone"] for _, info in created] == [True]  # one alert-worthy event, created once


def test_an_ordinal_and_a_later_count_of_the_same_number_are_one_milestone(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Das Netzwerk Nordholz e. V. aus Cuxhaven ist als 150. Mitglied in das "
        "Exzellenzprogramm „go-cluster“ aufgenommen worden.", "2017-01-10")
    add(store, "https://a.example/2", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 150 Mitglieder aus "
        "allen Bundesländern.", "2017-03-01")
    run(path)
    milestones = [e for e in events(path) if e["milestone"]]
    assert [(e["kind"], e["number"]) for e in milestones] == [("member_ordinal", 150)]


def test_an_ordinal_and_its_count_in_one_text_are_two_events_and_one_alert(dataset) -> None:
    # The detector keeps both (the text states both); the store makes them one milestone, even where
    # the count's sentence names the programme shorter ("Allianz Lausitz" beside "Allianz Lausitz Süd").
    store, path = dataset
    add(store, "https://a.example/1", "Die Brunnert Metallbau GmbH aus Cottbus ist als 200. Mitglied der Allianz "
        "Lausitz Süd beigetreten. Damit zählt die Allianz Lausitz jetzt 200 Mitglieder.", "2021-09-14")
    created: list = []
    run(path, created=created)
    found = sorted((e["kind"], e["programme"], e["number"]) for e in events(path))
    assert found == [("member_count", "allianz lausitz süd", 200), ("member_ordinal", "allianz lausitz süd", 200)]
    assert [info["milestone"] for _, info in created] == [True]


def test_counts_raise_a_milestone_only_when_they_first_cross_a_threshold(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 87 Mitglieder aus "
        "ganz Deutschland.", "2013-10-15")
    add(store, "https://a.example/2", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen über 100 Mitglieder "
        "aus ganz Deutschland.", "2015-06-18")
    add(store, "https://a.example/3", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 98 Mitglieder, "
        "nachdem einige Netzwerke ausgeschieden sind.", "2016-01-01")
    add(store, "https://a.example/4", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 104 Mitglieder aus "
        "ganz Deutschland.", "2016-09-01")
    run(path)
    counts = {e["number"]: e["milestone"] for e in events(path) if e["kind"] == "member_count"}
    # 87 is the first number known: a baseline, not the moment 50 was reached.
    assert counts == {87: False, 100: True, 98: False, 104: False}


def test_thresholds_are_configurable_per_programme(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 70 Mitglieder aus "
        "ganz Deutschland.", "2013-01-01")
    add(store, "https://a.example/2", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 80 Mitglieder aus "
        "ganz Deutschland.", "2013-06-01")
    run(path, MilestoneRule.from_config({"default": 50, "go-cluster": [75, 90]}))
    assert [(e["number"], e["milestone"]) for e in events(path)] == [(70, False), (80, True)]
    with pytest.raises(MilestoneConfigError, match="positive whole number"):
        MilestoneRule.from_config({"go-cluster": "often"})


def test_detect_all_again_never_creates_a_second_alert(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Der Verein Hanse Logistik e. V. aus Hamburg ist als 120. Mitglied in das "
        "Exzellenzprogramm „go-cluster“ aufgenommen worden.", "2016-05-03")
    created: list = []
    run(path, created=created)
    first = run(path, created=created, all_again=True)
    assert first["announcements"] == 1 and first["new_events"] == 0
    assert len(created) == 1
    assert len(events(path)) == 1


def test_only_new_announcements_are_analysed(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Der Verein Hanse Logistik e. V. aus Hamburg ist als 120. Mitglied in das "
        "Exzellenzprogramm „go-cluster“ aufgenommen worden.", "2016-05-03")
    assert run(path)["announcements"] == 1
    assert run(path)["announcements"] == 0
    add(store, "https://a.example/2", "Ein Bericht über die Clusterkonferenz in Berlin mit Vorträgen und "
        "Workshops zu Wasserstoff und Digitalisierung.", "2016-06-01")
    assert run(path)["announcements"] == 1


def test_timeline_lists_numbers_in_date_order(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/2", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen über 100 Mitglieder "
        "aus ganz Deutschland.", "2015-06-18")
    add(store, "https://a.example/1", "Das Exzellenzprogramm „go-cluster“ zählt inzwischen 87 Mitglieder aus "
        "ganz Deutschland.", "2013-10-15")
    run(path)
    db = open_dataset(path)
    try:
        points = timeline(db.conn, "go-cluster")
    finally:
        db.conn.close()
    assert [(p["date"], p["number"]) for p in points] == [("2013-10-15", 87), ("2015-06-18", 100)]


def test_a_first_count_that_is_itself_a_threshold_announces_reaching_it(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/1", "Die Allianz Industrie 4.0 Baden-Württemberg zählt inzwischen 300 Mitglieder.",
        "2020-02-02")
    run(path)
    assert [(e["number"], e["milestone"]) for e in events(path)] == [(300, True)]


def test_unnamed_newcomers_are_one_event_per_batch_and_year(dataset) -> None:
    store, path = dataset
    add(store, "https://a.example/n1", "Das Netzwerk Küstenenergie hat im Frühjahr elf neue Mitglieder "
        "aufgenommen.", "2021-04-12")
    add(store, "https://b.example/n1-copy", "Elf neue Mitglieder: Das Netzwerk Küstenenergie nahm im Frühjahr "
        "elf weitere Unternehmen als Mitglieder auf, meldet der Verband.", "2021-04-20")
    add(store, "https://a.example/n2", "Erneut sind dem Netzwerk Küstenenergie elf neue Mitglieder beigetreten, "
        "teilte die Geschäftsstelle nach der Herbstsitzung mit.", "2023-10-02")
    created: list = []
    run(path, created=created)
    found = [e for e in events(path) if e["kind"] == "new_member"]
    # The release and its copy are one batch; the same number two years later is a new batch.
    assert sorted((e["programme"], e["number"], e["member"], e["published"]) for e in found) == [
        ("netzwerk küstenenergie", 11, None, "2021-04-12"),
        ("netzwerk küstenenergie", 11, None, "2023-10-02"),
    ]
    assert [info["kind"] for _, info in created] == ["new_member", "new_member"]
