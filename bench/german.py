"""Generated German press releases for the benchmarks: realistic in what the indexes see.

Real announcements are not stored in the repository (their texts belong to their publishers), so
the benchmarks generate texts with the properties that decide index size and search cost: German
function words at their real frequencies (Zipf-like), a long tail of compounds made of real stems
("Wasserstoffnetzwerk", "Clustermanagerin"), names, places, dates and numbers, sentences of 8-30
words, releases of 150-600 words with a title. A seeded generator gives the same texts every run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from crawler.items import AnnouncementItem

FUNCTION = (
    "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er"
    " hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber vor"
    " zur bis mehr durch man sein wurde sei kann gegen vom können schon wenn habe seine ihre dann unter wir"
    " soll ich eines jahr zwei jahre diese dieser wieder keine seiner worden will zwischen immer millionen"
    " prozent sowie damit heute rund neue neuen gemeinsam sollen weitere bereits"
).split()
STEMS = (
    "Wasserstoff Netzwerk Cluster Innovation Mitglied Programm Unternehmen Forschung Wirtschaft Energie Region"
    " Mittelstand Förderung Ministerium Digital Mobilität Logistik Medizin Technik Kooperation Exzellenz"
    " Gründung Fachkräfte Transfer Hochschule Institut Projekt Plattform Strategie Wettbewerb Standort Zukunft"
    " Technologie Industrie Produktion Nachhaltigkeit Kreislauf Klima Wärme Strom Speicher Batterie Halbleiter"
    " Chip Software Daten Sicherheit Gesundheit Bio Chemie Werkstoff Leichtbau Luftfahrt Raumfahrt Maritim"
    " Automobil Maschinen Elektronik Optik Photonik Sensor Robotik Automatisierung Landwirtschaft Ernährung"
    " Handwerk Tourismus Kultur Kreativ Management Verbund Allianz Initiative Zentrum Agentur Verband Rat"
    " Bündnis Partner Gesellschaft Anwendung Entwicklung Markt Kunde Lösung Prozess Qualität Wissen Bildung"
).split()
SUFFIXES = ("", "", "", "s", "en", "n", "e", "er", "ung", "in", "innen")
VERBS = (
    "fördert stärkt begrüßt startet eröffnet unterstützt verbindet entwickelt präsentiert vergibt erweitert"
    " beschließt feiert gewinnt initiiert koordiniert vernetzt bündelt treibt plant zeigt nutzt baut"
).split()
ADJ = (
    "neue innovative regionale digitale nachhaltige gemeinsame wichtige erfolgreiche internationale starke"
    " zentrale europäische deutsche kleine mittlere große junge führende moderne"
).split()
PLACES = (
    "Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dortmund Essen Bremen Dresden Hannover"
    " Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster Karlsruhe Mannheim Augsburg Wiesbaden Gießen"
    " Kiel Aachen Magdeburg Freiburg Lübeck Erfurt Rostock Kassel Potsdam Saarbrücken Jena Würzburg Ulm"
).split()
NAMES = (
    "Anna Bernd Claudia Dieter Eva Frank Gabriele Hans Ines Jürgen Katrin Lars Monika Norbert Olga Peter"
    " Sabine Thomas Ulrike Volker Wiebke Xaver Yvonne Zoltan"
).split()
SURNAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein"
    " Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier"
).split()


class Generator:
    def __init__(self, seed: int = 7, pool: int = 60_000):
        self.rng = random.Random(seed)
        # A Zipf-like weight per function word: the first is the most frequent.
        self.fw_weights = [1 / (i + 1) for i in range(len(FUNCTION))]
        # Most sentences come from a pool (a million releases would otherwise take 20 minutes to
        # write); one fresh sentence per release keeps every release its own text.
        self.pool = [self.sentence() for _ in range(pool)]

    def compound(self) -> str:
        r = self.rng
        parts = r.sample(STEMS, r.choice((1, 1, 2, 2, 2, 3)))
        word = parts[0] + "".join(p.lower() for p in parts[1:])
        return word + r.choice(SUFFIXES)

    def sentence(self) -> str:
        r = self.rng
        words: list[str] = []
        for _ in range(r.randint(8, 30)):
            roll = r.random()
            if roll < 0.55:
                words.append(r.choices(FUNCTION, self.fw_weights)[0])
            elif roll < 0.80:
                words.append(self.compound())
            elif roll < 0.86:
                words.append(r.choice(ADJ))
            elif roll < 0.91:
                words.append(r.choice(VERBS))
            elif roll < 0.95:
                words.append(r.choice(PLACES))
            elif roll < 0.97:
                words.append(f"{r.choice(NAMES)} {r.choice(SURNAMES)}")
            else:
                words.append(str(r.choice((r.randint(2, 300), r.randint(1990, 2026)))))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def release(self, n: int) -> tuple[str, str]:
        r = self.rng
        subject = f"{r.choice(ADJ).capitalize()} {self.compound()}"
        title = f"{r.choice(PLACES)}: {subject} {r.choice(VERBS)} {self.compound()}"
        paragraphs = []
        words = 0
        target = r.randint(150, 600)
        while words < target:
            para = " ".join(r.choices(self.pool, k=r.randint(2, 5)))
            words += para.count(" ") + 1
            paragraphs.append(para)
        paragraphs.insert(r.randrange(len(paragraphs)), self.sentence())
        return title, "\n\n".join(paragraphs)

    def items(self, count: int, *, source: str = "bench", start: int = 0) -> Iterator[AnnouncementItem]:
        """``count`` releases, dated one per 20 minutes back from 2026."""
        for i in range(start, start + count):
            title, body = self.release(i)
            day = 20260101 - i // 72  # not a real calendar walk; only the order matters
            published = f"{day // 10000:04d}-{max(1, day // 100 % 100 % 13):02d}-{max(1, day % 100 % 29):02d}"
            yield AnnouncementItem(url=f"https://{source}.example/pm/{i}", source=source, title=title, body=body,
                                   published=published)
