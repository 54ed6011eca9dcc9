"""Store benchmark: ingest rate, and the cost of a near-duplicate lookup as the dataset grows.

    python bench/bench_store.py            # 10,000 and 100,000 documents (a few minutes)
    python bench/bench_store.py --sizes 2000 10000

Documents are synthetic press-release-length texts (about 300 words from a German vocabulary);
each lookup is a republication of a stored document (so the answer is known), measured with the
dataset at each size.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler import fingerprint  # noqa: E402
from crawler.items import AnnouncementItem  # noqa: E402
from crawler.store import Store  # noqa: E402

WORDS = (
    "Cluster Innovation Mitglied Programm Netzwerk Unternehmen Forschung Wirtschaft Energie Region "
    "Mittelstand Förderung Bundesministerium Digitalisierung Wasserstoff Mobilität Logistik Medizintechnik "
    "Kooperation Exzellenz Gründung Fachkräfte Transfer Hochschule Institut Projekt Plattform Strategie "
    "Wettbewerb Standort Zukunft Technologie Industrie Produktion Nachhaltigkeit Kreislauf Klima Wärme "
    "Strom Netz Speicher Batterie Halbleiter Chip Software Daten Sicherheit Gesundheit Biotechnologie "
    "Chemie Werkstoff Leichtbau Luftfahrt Raumfahrt Maritime Automotive Maschinenbau Elektronik Optik "
    "Photonik Sensorik Robotik Automatisierung Landwirtschaft Ernährung Handwerk Tourismus Kultur Kreativ"
).split() + [f"w{i}" for i in range(3000)]


def document(rng: random.Random, n: int = 300) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def republish(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(4):  # a dateline, a byline, a stray word, a source line
        words.insert(rng.randrange(len(words)), rng.choice(["Berlin:", "redaktion", "steckdose", "Quelle:"]))
    return "Berlin: " + " ".join(words) + " Quelle: bmwi.bund.de"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--lookups", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        stored: list[str] = []
        total_time = 0.0
        for size in sorted(args.sizes):
            batch = []
            while len(stored) + len(batch) < size:
                batch.append(document(rng))
            start = time.perf_counter()
            for i, text in enumerate(batch, len(stored)):
                store.ingest(AnnouncementItem(url=f"https://www.bmwe.de/pm/{i}.html", source="bench",
                                              title=f"Meldung {i}", body=text))
            elapsed = time.perf_counter() - start
            total_time += elapsed
            stored += batch
            print(f"ingested {len(batch):>7} new documents in {elapsed:7.1f} s: "
                  f"{len(batch) / elapsed:8.0f} announcements/s (dataset now {len(stored)})")

            samples = rng.sample(range(len(stored)), args.lookups)
            hits = 0
            start = time.perf_counter()
            for idx in samples:
                sig = fingerprint.signature(fingerprint.normalise_text(republish(stored[idx], rng)))
                assert sig is not None
                found = store._nearest(sig)
                hits += found is not None and found[0] == idx + 1
            lookup = (time.perf_counter() - start) / args.lookups
            print(f"near-duplicate lookup with {len(stored):>7} stored: {lookup * 1000:6.2f} ms per lookup "
                  f"(MinHash + LSH probe + verification), {hits}/{args.lookups} republications found")
        store.close()


if __name__ == "__main__":
    main()
