"""Throughput of the page-to-text layer on a typical 40 kB ministry page.

The page is the GSB press-release fixture grown to the size of a real www.bmwe.de article
page: most of those bytes are the mega-menu navigation and teaser boxes, plus a body of
a dozen paragraphs.  Prints pages per second for decode_html, extract_article and both, and
for each fixture page under tests/pages. Run:

    python bench/bench_extract.py [--seconds 3] [--size 40000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.encoding import decode_html  # noqa: E402
from crawler.extract import extract_article  # noqa: E402

PAGES = Path(__file__).resolve().parents[1] / "tests" / "pages"
URL = "https://www.bmwe.de/Redaktion/DE/Pressemitteilungen/2019/20190411-cluster.html"

_TOPICS = [
    "Energiewende",
    "Mittelstand",
    "Digitalisierung",
    "Außenwirtschaft",
    "Industrie",
    "Technologie",
    "Innovation",
    "Wettbewerb",
    "Fachkräfte",
    "Klimaschutz",
    "Wasserstoff",
    "Gründungen",
    "Handwerk",
    "Tourismus",
    "Raumfahrt",
    "Luftfahrt",
]
_PARAGRAPH = (
    "<p>Das Programm „go-cluster“ unterstützt seine Mitglieder bei der Weiterentwicklung des "
    "Clustermanagements hin zu mehr Exzellenz. Qualität und Leistungsfähigkeit der Mitglieder "
    "werden an anspruchsvollen Kriterien gemessen; davon profitieren insbesondere kleine und "
    "mittlere Unternehmen in Gießen, Jena und Bremen ({n}. Absatz).</p>\n"
)


def typical_page(size: int) -> bytes:
    """The GSB fixture padded with mega-menu entries and body paragraphs to ``size`` bytes."""
    html = (PAGES / "gsb_pressemitteilung.html").read_text(encoding="utf-8")
    html = html.replace(
        "<p>Weitere Informationen zur Clusterpolitik",
        "".join(_PARAGRAPH.format(n=n) for n in range(2, 10)) + "<p>Weitere Informationen zur Clusterpolitik",
    )
    menu: list[str] = []
    i = 0
    while len(html.encode()) + sum(len(m.encode()) for m in menu) < size:
        topic = _TOPICS[i % len(_TOPICS)]
        menu.append(
            f'<li><a href="/Redaktion/DE/Dossier/{topic.lower()}-{i}.html" '
            f'title="{topic} – Dossier">{topic}: Förderprogramme und Beratung {i}</a></li>\n'
        )
        i += 1
    return html.replace("</ul>\n  </nav>", "".join(menu) + "</ul>\n  </nav>", 1).encode()


def rate(fn: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Calls per second and median milliseconds per call over about ``seconds``."""
    fn()  # warm-up: lxml, trafilatura and ftfy load lazily
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return len(times) / sum(times), statistics.median(times) * 1000


def _decode_extract(raw: bytes) -> object:
    return extract_article(decode_html(raw), URL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--size", type=int, default=40_000)
    args = parser.parse_args()

    body = typical_page(args.size)
    html = decode_html(body, "text/html;charset=UTF-8")
    words = len(extract_article(html, URL).text.split())
    print(f"typical page: {len(body) / 1000:.1f} kB, {words} words of body text")
    for name, fn in [
        ("decode_html", lambda: decode_html(body, "text/html;charset=UTF-8")),
        ("extract_article", lambda: extract_article(html, URL)),
        ("decode+extract", lambda: extract_article(decode_html(body, None), URL)),
    ]:
        pps, ms = rate(fn, args.seconds)
        print(f"  {name:<16} {pps:8.1f} pages/s   median {ms:6.2f} ms")

    print("fixture pages (decode+extract):")
    for path in sorted(PAGES.glob("*.html")):
        raw = path.read_bytes()
        pps, ms = rate(partial(_decode_extract, raw), args.seconds / 3)
        print(f"  {path.name:<32} {len(raw) / 1000:5.1f} kB {pps:8.1f} pages/s   {ms:6.2f} ms")


if __name__ == "__main__":
    main()
