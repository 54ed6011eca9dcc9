"""The detector over every page of the bundled offline snapshot (data/snapshot).

The expected events come from data/snapshot/README.md ("Milestones a reader should find") and
from reading the pages: each page must yield exactly its set of (kind, programme, number), so a
look-alike page (ZIM's 10.000. Kooperationsprojekt, go-Inno's 1.000 Beratungen, "Fünf
go-cluster-Mitglieder präsentierten", "150 Teilnehmer", a cluster's count of member companies)
fails the test as soon as it produces anything. "In der Initiative haben sich rund 100 Netzwerke
zusammengeschlossen" is the count of Kompetenznetze Deutschland's members, as the real-page labels
(bench/realworld) count "vereint 80 Innovationscluster".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import decode_html, extract_article
from monitor.detection import Event, detect

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "snapshot"
BMWE = "bmwe/Redaktion/DE/Pressemitteilungen/"
NEWS = "clusterplattform/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles/"
GO = "go-cluster"

ORD_50 = ("member_ordinal", GO, 50)
ORD_100 = ("member_ordinal", GO, 100)
NEW = ("new_member", GO, None)

KN_100 = ("member_count", "initiative kompetenznetze deutschland", 100)

# Pages not listed here must yield no event at all.
EXPECTED: dict[str, set[tuple[str, str | None, int | None]]] = {
    BMWE + "2011/20111208-zehn-jahre-kompetenznetze-deutschland.html": {KN_100},
    BMWE + "2012/20120125-jahreswirtschaftsbericht-2012-innovation-als-wachstumsmotor.html": {KN_100},
    # go-cluster starts with 41 clusters ("Zum Start gehören dem Programm 41 Cluster an").
    BMWE + "2012/20120711-bundeswirtschaftsministerium-startet-exzellenzprogramm-go-cluster.html":
        {("member_count", GO, 41)},
    # "Das Netzwerk … vereint heute 64 Unternehmen": the newcomer's own members, not go-cluster's.
    BMWE + "2012/20121122-kunststoff-cluster-ist-50-mitglied-bei-go-cluster.html":
        {ORD_50, ("member_count", GO, 50), ("member_count", "netzwerk polymermat thüringen", 64)},
    # "Zwölf neue Innovationscluster": newcomers the release does not name are one event by number.
    BMWE + "2013/20131015-go-cluster-waechst-auf-87-mitglieder.html":
        {("member_count", GO, 87), ("new_member", GO, 12)},
    "aggregator/index.html@p=1544": {("member_count", GO, 87), ("new_member", GO, 12)},
    NEWS + "2014/1_Quartal/20140313_vier_neue_mitglieder_go_cluster.html":
        {("member_count", GO, 93), ("new_member", GO, 4)},
    BMWE + "2014/20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html": {ORD_100},
    BMWE + "2014/20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html"
    "@view=renderPrint": {ORD_100},
    "aggregator/index.html@p=2871": {ORD_100},
    # "… zählt das Exzellenzprogramm go-cluster jetzt 100 Mitglieder": the count the text states
    # beside the ordinal (one milestone in the store, see test_events)
    NEWS + "2014/4_Quartal/20141118_automotive_nordwest_100_mitglied.html": {ORD_100, ("member_count", GO, 100)},
    NEWS + "2014/4_Quartal/20141118_automotive_nordwest_100_mitglied.html@view=renderPrint":
        {ORD_100, ("member_count", GO, 100)},
    # The back-reference repeats the ordinal; merging it into one milestone is the store's job.
    NEWS + "2015/1_Quartal/20150212_clustererfolge_automotive_nordwest.html": {ORD_100},
    BMWE + "2015/20150618-go-cluster-ueber-100-mitglieder-setzen-auf-cross-clustering.html":
        {("member_count", GO, 100)},
    "aggregator/index.html@p=3342": {("member_count", GO, 100)},
    NEWS + "2015/2_Quartal/20150619_wettbewerb_cross_clustering.html": {("member_count", GO, 100)},
    NEWS + "2016/1_Quartal/20160210_neue_mitglieder_go_cluster.html":
        {NEW, ("member_count", GO, 101)},
    "clusterplattform/CLUSTER/Navigation/DE/Clusterpolitik/Bund/go-cluster/go-cluster.html":
        {("member_count", GO, 101)},
    # Listings: their teasers repeat the headlines and lead sentences of the releases.
    "aggregator/index.html": {ORD_100, ("member_count", GO, 100), ("member_count", GO, 87), ("new_member", GO, 12)},
    "bmwe/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html": {("member_count", GO, 100)},
    "bmwe/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html@gtp=2":
        {ORD_100, ("member_count", GO, 87), ("new_member", GO, 12)},
    "bmwe/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html@gtp=3": {ORD_50},
    "clusterplattform/CLUSTER/Navigation/DE/Aktuelles/Kurzmeldungen/kurzmeldungen.html@gtp=2":
        {ORD_100, ("member_count", GO, 100)},
}


def _is_page(path: Path) -> bool:
    name = path.name
    return path.is_file() and not name.endswith(".headers") and (
        name.endswith(".html") or ".html@" in name
    )


PAGES = sorted(str(p.relative_to(SNAPSHOT)) for p in SNAPSHOT.rglob("*") if _is_page(p))


def _content_type(page: Path) -> str | None:
    headers = page.with_name(page.name + ".headers")
    if not headers.exists():
        return None
    for line in headers.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-type":
            return value.strip()
    return None


def _events(rel: str) -> list[Event]:
    page = SNAPSHOT / rel
    article = extract_article(decode_html(page.read_bytes(), _content_type(page)), "http://127.0.0.1/" + rel)
    return detect(article.text or "", article.title)


def test_every_expected_page_exists() -> None:
    assert set(EXPECTED) <= set(PAGES)
    assert len(PAGES) > 40


@pytest.mark.parametrize("rel", PAGES)
def test_page_events(rel: str) -> None:
    got = {(e.kind, e.programme, e.number) for e in _events(rel)}
    assert got == EXPECTED.get(rel, set()), [e.evidence for e in _events(rel)]


@pytest.mark.parametrize(
    "rel",
    [
        BMWE + "2014/20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html",
        "aggregator/index.html@p=2871",
        NEWS + "2014/4_Quartal/20141118_automotive_nordwest_100_mitglied.html",
    ],
)
def test_hundredth_member_names_member_and_town(rel: str) -> None:
    (event,) = [e for e in _events(rel) if e.kind == "member_ordinal"]
    assert event.member == "Innovationscluster Automotive Nordwest e. V."
    assert event.place == "Bremen"


def test_fiftieth_member_names_member_and_town() -> None:
    (event,) = [e for e in _events(BMWE + "2012/20121122-kunststoff-cluster-ist-50-mitglied-bei-go-cluster.html")
                if e.kind == "member_ordinal"]
    assert event.member is not None and "PolymerMat Thüringen" in event.member
    assert event.place == "Rudolstadt"


def test_no_programme_is_a_ministry() -> None:
    for rel in PAGES:
        for event in _events(rel):
            assert event.programme is not None and "minister" not in event.programme, event


def test_new_member_is_a_name_not_an_adverbial() -> None:
    # The release names two new members; both are reported, each by its name.
    members = {e.member for e in _events(NEWS + "2016/1_Quartal/20160210_neue_mitglieder_go_cluster.html")
               if e.kind == "new_member"}
    assert members == {"Netzwerk Smart Textiles Sachsen", "Cluster Bioökonomie Rheinland"}
