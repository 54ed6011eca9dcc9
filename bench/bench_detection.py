"""Precision/recall of the detector over tests/cases/detection, and documents per second.

Run: python bench/bench_detection.py [--seconds N]
An event is a true positive when kind, programme and number match an expected event.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.detection import detect  # noqa: E402

CASES = ROOT / "tests" / "cases" / "detection"


def _key(ev: dict) -> tuple:
    return (ev["kind"], ev["programme"], ev["number"])


def quality(docs: list[tuple[Path, str]]) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    misses: list[str] = []
    for path, text in docs:
        expected = Counter(
            _key(e) for e in json.loads(path.with_suffix(".json").read_text("utf-8"))["events"]
        )
        got = Counter(_key(e.to_dict()) for e in detect(text))
        hit = sum((expected & got).values())
        tp += hit
        fp += sum(got.values()) - hit
        fn += sum(expected.values()) - hit
        if expected != got:
            misses.append(f"{path.name}: expected {dict(expected)} got {dict(got)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, misses


# Body paragraphs of the kind that surround a membership sentence in a ministry or cluster
# release: funding, events, quotes, figures and dates, "Cluster" on every other line.
FILLER = [
    """Das Bundesministerium für Wirtschaft und Energie unterstützt mit dem Programm die
Weiterentwicklung der Clustermanagements. Seit 2012 wurden dafür rund 12,5 Mio. Euro
bereitgestellt. Im Mittelpunkt stehen Internationalisierung, Digitalisierung und die
Zusammenarbeit von Unternehmen mit Hochschulen.""",
    """„Innovative Ideen lassen sich viel schneller in Produkte und Dienstleistungen umsetzen,
wenn alle Beteiligten an einem Strang ziehen“, sagte die Parlamentarische Staatssekretärin
am Dienstag in Berlin. „Cluster sind ein wichtiger Baustein unserer Innovationspolitik.“""",
    """Die Veranstaltung findet am 24. März 2016 von 10:00 bis 16:30 Uhr im Haus der Wirtschaft
statt. Die Teilnahme ist kostenfrei, eine Anmeldung bis zum 10. März ist erforderlich.
Weitere Informationen unter www.clusterplattform.de <http://www.clusterplattform.de>.""",
    """Im Rahmen des Projekts entwickeln drei Partner aus Forschung und Industrie ein neues
Verfahren zur Herstellung leichter Faserverbundbauteile. Das Vorhaben hat eine Laufzeit
von 36 Monaten und wird mit 2,4 Millionen Euro gefördert.""",
    """Qualität und Leistungsfähigkeit werden an anspruchsvollen Kriterien gemessen. Durch die
Einbindung in wirtschaftspolitische Initiativen des Bundes sind die Cluster international
sichtbarer und werden von Entscheidungsträgern aus Politik und Wissenschaft besser
wahrgenommen.""",
    """Die Region verfügt über eine lange industrielle Tradition. Rund 45.000 Beschäftigte
arbeiten in der Branche, der Umsatz lag 2015 bei 8,3 Milliarden Euro. Der Exportanteil
beträgt mehr als 60 Prozent.""",
    """Pressekontakt: Referat Öffentlichkeitsarbeit, Tel. 030 18615-6121, E-Mail
presse@bmwi.bund.de. Bildnachweis: © BMWi/Susanne Eriksson. Quelle: bmwi.bund.de""",
    """The European Cluster Conference brings together policy makers, cluster managers and
companies from across Europe. This year's edition focuses on resilience, green transition
and digital skills, with more than 40 sessions over two days.""",
    """Ein aktueller Förderschwerpunkt ist das cross clustering, also die Unterstützung
clusterübergreifender Kooperationen, welche die Innovationskraft und Wettbewerbsfähigkeit
der Unternehmen stärken. Davon profitieren insbesondere kleine und mittlere Unternehmen.""",
    """Marktorientierte Öffentlichkeitsarbeit sowie die Unterstützung bei der Vernetzung auf
nationaler und europäischer Ebene runden das Angebot ab. Das Clustermanagement berät
zudem bei Förderanträgen und organisiert Delegationsreisen, zuletzt im Oktober nach Japan.""",
]


def realistic_mix(docs: list[tuple[Path, str]]) -> list[str]:
    """Press-release-sized documents (~3,000 characters): each case document (the
    membership news) wrapped in ordinary release paragraphs, as real releases are."""
    mix: list[str] = []
    for i, (_, text) in enumerate(docs):
        parts = [text]
        j = i
        while sum(len(p) for p in parts) < 2900:
            parts.insert(len(parts) // 2 + 1, FILLER[j % len(FILLER)])
            j += 3
        mix.append("\n\n".join(parts))
    return mix


def dense_mix(docs: list[tuple[Path, str]]) -> list[str]:
    """Worst case: ~3,000 characters of nothing but membership sentences (case texts)."""
    texts = [t for _, t in docs]
    mix: list[str] = []
    i = 0
    while len(mix) < 150:
        parts: list[str] = []
        while sum(len(p) for p in parts) < 3000:
            parts.append(texts[i % len(texts)])
            i += 7
        mix.append("\n\n".join(parts)[:3200])
    return mix


def throughput(mix: list[str], seconds: float) -> tuple[float, float, float, float]:
    """(mean, best, first, mean characters): documents per CPU second of this single-threaded
    process, over the passes through the mix after a first one, for the fastest pass, and for the
    first pass alone. CPU time rather than wall time, and the best pass beside the mean (as timeit
    does), so that other work on a shared machine distorts the figure less. The first pass fills
    the caches of word forms (lemmas, parts of speech) that a running service has long filled; it
    is reported apart, not hidden."""
    t0 = time.process_time()
    for text in mix:
        detect(text)
    first = len(mix) / (time.process_time() - t0)
    passes: list[float] = []
    start = time.process_time()
    while time.process_time() - start < seconds:
        t0 = time.process_time()
        for text in mix:
            detect(text)
        passes.append(time.process_time() - t0)
    mean = len(mix) * len(passes) / sum(passes)
    best = len(mix) / min(passes)
    return mean, best, first, sum(map(len, mix)) / len(mix)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("-v", "--verbose", action="store_true", help="list mismatching cases")
    args = ap.parse_args()
    docs = [(p, p.read_text("utf-8")) for p in sorted(CASES.glob("*.txt"))]
    precision, recall, misses = quality(docs)
    print(f"cases: {len(docs)}")
    print(f"precision: {precision:.3f}")
    print(f"recall:    {recall:.3f}")
    if args.verbose:
        for line in misses:
            print("  ", line)
    seed = next(t for p, t in docs if p.name.startswith("000-seed"))
    for label, mix, share in (
        ("realistic releases", realistic_mix(docs), 1.0),
        ("the seed release alone", [seed] * 50, 0.5),
        ("worst case, membership sentences only", dense_mix(docs), 0.5),
    ):
        mean, best, first, avg = throughput(mix, args.seconds * share)
        print(f"throughput, {label} (mean {avg:,.0f} characters): "
              f"{mean:,.0f} documents/s (best pass {best:,.0f}, first pass {first:,.0f}) on one core")


if __name__ == "__main__":
    main()
