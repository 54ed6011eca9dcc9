"""Micro-benchmark of crawler.dates.find_published over a realistic mix of pages.

Prints calls per second, mean time per call, and the share of calls that reached
dateparser (the slow path, about 1 ms a call). Run:

    python bench/bench_dates.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler import dates  # noqa: E402
from crawler.dates import BERLIN, find_published  # noqa: E402

CRAWL = datetime(2026, 11, 24, 9, 30, tzinfo=BERLIN)
SEED = Path("/work/shared/seeds/000_0337014357feef00.txt")

_PARAGRAPH = (
    "Das Programm „go-cluster“ unterstützt seit Mitte 2012 seine Mitglieder bei der "
    "Weiterentwicklung des Clustermanagements hin zu mehr Exzellenz. Qualität und "
    "Leistungsfähigkeit der Mitglieder werden an anspruchsvollen Kriterien gemessen, "
    "rund 1.000 Unternehmen sind beteiligt (Tel. 030 18615-0, Richtlinie § 12.3).\n"
)
_BODY = _PARAGRAPH * 8  # about 2.5 kB, a typical press release


def _seed_text() -> str:
    if SEED.exists():
        return SEED.read_text(encoding="utf-8")
    return "Berlin:\n\nDas Cluster ist heute als 100. Mitglied aufgenommen worden.\n" + _BODY


def pages() -> list[tuple[str, int, dict[str, Any]]]:
    """(label, weight, find_published kwargs): weights approximate a crawl's mix."""
    gsb = "https://www.bmwi.de/Redaktion/DE/Pressemitteilungen/2019/20190411-doerr-voss.html"
    cluster = (
        "https://www.clusterplattform.de/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles/"
        "2021/3_quartal/20210728_slug.html;jsessionid=0A1B2C3D"
    )
    caption = "Innovationscluster im Dialog\nInnovationscluster im Dialog\n© BMWi/Name\n"
    return [
        ("gsb press release", 30, dict(
            url=gsb, topline="Pressemitteilung 11.04.2019",
            text=caption + "Staatssekretärin Dörr-Voß hat heute in Berlin …\n" + _BODY)),
        ("cluster platform news", 20, dict(
            url=cluster, topline="Meldung 28.07.2021", text=caption + _BODY)),
        ("feed entry", 15, dict(
            url=gsb, feed="Thu, 11 Apr 2019 08:00:00 +0200", topline="11.04.2019",
            text=_BODY)),
        ("wordpress republication", 10, dict(
            url="https://aggregator.example/?p=4711", text=_seed_text())),
        ("press portal", 5, dict(
            url="https://presse.example/pressemeldung/283",
            text="Pressemeldung der Firma Bundesministerium\nMELDUNG/283: Cluster\n" + _BODY
            + "Quelle: BMWi-Pressemitteilung vom 29. März 2012")),
        ("regional dateline", 5, dict(
            url="https://region.example/news/cluster.html",
            text="Gießen | 16.04.2012\n" + _BODY)),
        ("meta published_time", 5, dict(
            url="https://news.example/a/cluster",
            meta={"og:title": "Cluster", "article:published_time": "2022-07-05T10:00:00+02:00"},
            text=_BODY)),
        ("english aggregator", 4, dict(
            url="https://eu.example/node/991",
            text="Cluster news\nSubmitted by redaktion on 05 July 2022\n" + _BODY)),
        ("undated programme page", 4, dict(
            url="https://www.clusterplattform.de/CLUSTER/Navigation/DE/Clusterpolitik/Bund/"
            "go-cluster/go-cluster.html",
            text="Gegenwärtig nutzen 100 Mitglieder das Programm.\n" + _BODY + "Stand 12/2025")),
        ("odd topline (dateparser)", 2, dict(
            url="https://eu.example/node/992", topline="19-Sep-2016", text=_BODY)),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    mix = pages()
    rng = random.Random(args.seed)
    workload = rng.choices(mix, weights=[w for _, w, _ in mix], k=2000)

    reached = {"call": False, "n": 0}
    real = dates._dateparser_date_data

    def counting(s: str, base: datetime | None):
        reached["call"] = True
        reached["n"] += 1
        return real(s, base)

    dates._dateparser_date_data = counting  # type: ignore[assignment]
    try:
        for _label, _w, kw in mix:  # warm-up: dateparser's import and first parse are slow
            find_published(crawl_time=CRAWL, **kw)
        reached["n"] = 0
        calls = with_dp = 0
        evidence: Counter[str] = Counter()
        deadline = time.perf_counter() + args.seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            for label, _w, kw in workload[:200]:
                reached["call"] = False
                r = find_published(crawl_time=CRAWL, **kw)
                calls += 1
                with_dp += reached["call"]
                evidence[f"{label}: {r.evidence or 'none'}"] += 1
            workload = workload[200:] + workload[:200]
        elapsed = time.perf_counter() - start
    finally:
        dates._dateparser_date_data = real  # type: ignore[assignment]

    print(f"find_published: {calls / elapsed:,.0f} calls/s "
          f"({elapsed / calls * 1e6:.0f} µs/call, {calls} calls in {elapsed:.2f} s)")
    print(f"calls that reached dateparser: {with_dp / calls:.1%} "
          f"({reached['n']} dateparser calls in total)")
    print("evidence by page kind:")
    for key, n in sorted(evidence.items(), key=lambda kv: -kv[1]):
        print(f"  {n / calls:6.1%}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
