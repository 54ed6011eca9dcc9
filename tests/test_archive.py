"""The CDX client against the archive replica (monitor/archive_replica.py) over real HTTP on
127.0.0.1: paging, filters, one capture per digest, retries on 429 and on truncated records."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.archive import ArchiveError, Capture, CDXClient, Limits, RateLimit, cdx_timestamp
from monitor.archive_replica import ArchiveReplica

ARCHIVE = Path(__file__).parent / "archives" / "wayback"
PROG = "https://www.clusterplattform.de/CLUSTER/Navigation/DE/Clusterpolitik/Bund/go-cluster/go-cluster.html"
NO_WAIT = Limits(search_per_minute=0, fetch_per_minute=0, timeout=5, retries=2, backoff=0.01)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[ArchiveReplica]:
    shutil.copytree(ARCHIVE, tmp_path / "archive")
    replica = ArchiveReplica(tmp_path / "archive").start()
    yield replica
    replica.stop()


def client(replica: ArchiveReplica, limits: Limits = NO_WAIT) -> tuple[CDXClient, list[float]]:
    slept: list[float] = []
    return CDXClient(replica.cdx_url, replica.wayback_url, limits=limits, user_agent="clusterwatch-test",
                     sleep=slept.append), slept


def test_cdx_pages_filters_and_one_capture_per_digest(archive: ArchiveReplica) -> None:
    cdx, slept = client(archive)
    found = list(cdx.captures(PROG, match_type="exact"))
    # 7 distinct texts; the second 2017 capture has the first one's digest; the http:// redirect
    # and the 404 are left out by the status filter.
    assert [c.timestamp[:4] for c in found] == ["2013", "2015", "2017", "2018", "2019", "2021", "2023"]
    assert all(c.statuscode == "200" and c.mimetype == "text/html" for c in found)
    # 10 rows matched at 3 per page: 4 pages, each asked for, plus the page count; the first
    # request was answered 429 and retried.
    assert len(archive.searches()) == 1 + 1 + 4
    assert cdx.requests["retries"] == 1 and slept


def test_prefix_search_leaves_out_other_types(archive: ArchiveReplica) -> None:
    cdx, _ = client(archive)
    found = list(cdx.captures("https://www.clusterplattform.de/CLUSTER/Redaktion/DE/"))
    assert [c.original.rsplit("/", 1)[1] for c in found] == [
        "20140313_vier_neue_mitglieder_go_cluster.html", "20141118_automotive_nordwest_100_mitglied.html"]


def test_from_and_to_bound_the_search(archive: ArchiveReplica) -> None:
    cdx, _ = client(archive)
    found = list(cdx.captures(PROG, match_type="exact", start=cdx_timestamp("2017"), end=cdx_timestamp("2019-05")))
    assert [c.timestamp[:4] for c in found] == ["2017", "2018", "2019"]
    with pytest.raises(ValueError):
        cdx_timestamp("2019-13")
    with pytest.raises(ValueError):
        cdx_timestamp("19")


def test_fetch_returns_the_original_bytes(archive: ArchiveReplica) -> None:
    cdx, _ = client(archive)
    first = next(iter(cdx.captures(PROG, match_type="exact")))
    got = cdx.fetch(first)
    assert got.status == 200 and b"nutzen 68 Mitglieder" in got.body
    assert archive.fetched() == [f"/web/20130301101500id_/{PROG}"]
    # A timestamp the archive has no capture for redirects to the nearest one.
    near = cdx.fetch(Capture("20130302000000", PROG, "text/html", "200", "x"))
    assert near.status == 200 and b"nutzen 68 Mitglieder" in near.body


def test_truncated_record_is_retried_then_reported(archive: ArchiveReplica) -> None:
    cdx, slept = client(archive)
    truncated = next(c for c in cdx.captures("https://www.clusterplattform.de/CLUSTER/Redaktion/DE/")
                     if "vier_neue" in c.original)
    with pytest.raises(ArchiveError, match="truncated record .*gave up after 3 attempts"):
        cdx.fetch(truncated)
    assert len([p for p in archive.fetched() if "vier_neue" in p]) == 3
    assert slept[-2:] == [0.01, 0.02]  # backoff doubles


def test_rate_limit_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    rate = RateLimit(20, sleep=sleep, clock=lambda: now[0])
    for _ in range(4):
        rate.wait()
    assert slept == [3.0, 3.0, 3.0]  # 20 a minute: one every 3 s
    now[0] += 10
    rate.wait()
    assert slept == [3.0, 3.0, 3.0]  # a pause since the last request counts


def test_an_index_that_cannot_page_is_read_by_resumption_key(tmp_path: Path) -> None:
    import json

    shutil.copytree(ARCHIVE, tmp_path / "archive")
    index = json.loads((tmp_path / "archive" / "index.json").read_text(encoding="utf-8"))
    index["paging"] = False
    (tmp_path / "archive" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    replica = ArchiveReplica(tmp_path / "archive").start()
    try:
        cdx, _ = client(replica, Limits(search_per_minute=0, fetch_per_minute=0, timeout=5, retries=2,
                                        backoff=0.01, resume_limit=2))
        found = list(cdx.captures(PROG, match_type="exact"))
        assert [c.timestamp[:4] for c in found] == ["2013", "2015", "2017", "2018", "2019", "2021", "2023"]
        searches = replica.searches()
        assert "showNumPages=true" in searches[0] and any("resumeKey=" in s for s in searches)
        # Resumed requests carry the key exactly as the archive sent it.
        assert any("resumeKey=de%2Cclusterplattform%29" in s for s in searches)
    finally:
        replica.stop()
