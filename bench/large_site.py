"""A large Government Site Builder replica for benchmarks, generated into a folder.

The chrome (head, cookie banner, navigation, footer) is cut from the bundled BMWE replica's own
pages, so the crawler parses exactly the markup it meets in tests and on the real site; only the
listing cards, the article heads and the article texts are generated. Texts are composed from
sentence fragments with random names, places, figures and dates, so that no two articles are
near-duplicates (dedup must do its real work: every article is a new row, none a sighting).

Layout (the conventions of monitor.replica.SiteServer):
- ``SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html`` and ``…@gtp=N``: listings of
  ``per_page`` cards, newest first, linked by ``ul.pagination a[aria-label="Next"]``;
- ``Redaktion/DE/Pressemitteilungen/YYYY/YYYYMMDD-slug.html``: the articles.
"""

from __future__ import annotations

import html
import random
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_SITE = ROOT / "data" / "snapshot" / "bmwe"
LISTING_REL = "SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html"
LISTING_PATH = "/" + LISTING_REL
TEMPLATE_LISTING = TEMPLATE_SITE / (LISTING_REL + "@gtp=2")
TEMPLATE_ARTICLE = (TEMPLATE_SITE / "Redaktion" / "DE" / "Pressemitteilungen" / "2014"
                    / "20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html")


class TemplateError(Exception):
    """The bundled replica page no longer has the structure the generator cuts it at."""


# --- vocabulary --------------------------------------------------------------------------------

FIRST = ("Anna Maria Jonas Katharina Lukas Sabine Thomas Petra Michael Julia Stefan Claudia Andreas "
         "Birgit Felix Miriam Tobias Ulrike Matthias Sophie Hendrik Gesine Florian Ines Carsten Nora "
         "Dirk Verena Ralf Anke Bernd Kerstin Jens Leonie Holger Tanja Volker Svenja Malte Heike").split()
LAST = ("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein "
        "Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner "
        "Krause Meier Lehmann Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz "
        "Möller Weiß Jung Hahn Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz").split()
PLACES = ("Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dortmund Essen Bremen "
          "Dresden Hannover Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster Mannheim Karlsruhe "
          "Augsburg Wiesbaden Aachen Kiel Chemnitz Magdeburg Freiburg Lübeck Erfurt Rostock Mainz Kassel "
          "Saarbrücken Potsdam Oldenburg Osnabrück Heidelberg Darmstadt Regensburg Würzburg Ingolstadt "
          "Ulm Jena Cottbus Schwerin Gießen Siegen Paderborn Trier Konstanz Göttingen Passau Flensburg").split()
REGIONS = ("Nordwest Mitteldeutschland Rhein-Neckar Oberfranken Ostwestfalen-Lippe Lausitz Vorpommern "
           "Südwestfalen Bodensee Emsland Allgäu Erzgebirge Niederrhein Ruhr Saar Thüringen Weser-Ems "
           "Brandenburg Sachsen-Anhalt Schleswig-Holstein Mittelhessen Oberpfalz Schwaben Eifel").split()
FIELDS = ("Automotive Medizintechnik Photonik Leichtbau Logistik Wasserstoff Mikroelektronik "
          "Kunststofftechnik Biotechnologie Luftfahrt Maritime Wirtschaft Umwelttechnologie Sensorik "
          "Robotik Ernährungswirtschaft Holzwirtschaft Energiespeicher Kreislaufwirtschaft Textiltechnik "
          "Gesundheitswirtschaft Cybersicherheit Quantentechnologie Oberflächentechnik Bahntechnik").split()
ORG_KINDS = ["Innovationscluster", "Kompetenznetz", "Netzwerk", "Clusterinitiative", "Verbund",
             "Forschungsallianz", "Technologieplattform"]
TOPICS = ["die Digitalisierung des Mittelstands", "den Aufbau einer Wasserstoffwirtschaft",
          "die Sicherung von Fachkräften", "den Transfer von Forschungsergebnissen",
          "die Internationalisierung kleiner Unternehmen", "nachhaltige Lieferketten",
          "die Dekarbonisierung der Industrie", "den Ausbau der Ladeinfrastruktur",
          "künstliche Intelligenz in der Produktion", "die Kreislaufwirtschaft",
          "resiliente Halbleiterversorgung", "den Bürokratieabbau", "Gründungen aus Hochschulen",
          "die Modernisierung der Stromnetze", "die Energieeffizienz in Gebäuden",
          "klimaneutrale Prozesswärme", "die Versorgung mit kritischen Rohstoffen",
          "die Erprobung autonomer Fahrzeuge", "digitale Verwaltungsleistungen für Unternehmen",
          "den Schutz vor Cyberangriffen"]
VERBS = ["stärkt", "fördert", "unterstützt", "begleitet", "bündelt", "beschleunigt", "erweitert",
         "vernetzt", "erprobt", "finanziert", "koordiniert", "bewertet"]
OPENERS = ["Nach Angaben des Ministeriums", "Im laufenden Jahr", "Bereits im Frühjahr", "Zum Jahresende",
           "In der ersten Förderphase", "Seit dem Start des Programms", "Im Vergleich zum Vorjahr",
           "Nach einer ersten Auswertung", "Auf Initiative der Länder", "Gemeinsam mit den Kammern",
           "Im Rahmen der Hightech-Strategie", "Mit Blick auf die kommenden Jahre"]
TITLE_PATTERNS = [
    "{org} aus {place} ist {n}. Mitglied bei go-cluster",
    "{minister} eröffnet Kompetenzzentrum {field} in {place}",
    "{n} Millionen Euro für {topic_short} in der Region {region}",
    "Clusterkonferenz in {place}: Netzwerke für {topic_short}",
    "ZIM: {n} neue Kooperationsprojekte im Bereich {field}",
    "Förderaufruf {field}: Bewerbungen bis {deadline} möglich",
    "{org} erhält Gold-Label für exzellentes Clustermanagement",
    "Mittelstand {field}: Bilanz nach {n} Monaten",
]
TOPIC_SHORT = ["Digitalisierung", "Wasserstoff", "Fachkräftesicherung", "Technologietransfer",
               "Export", "Lieferketten", "Klimaschutz", "Ladeinfrastruktur", "Künstliche Intelligenz",
               "Kreislaufwirtschaft", "Halbleiter", "Gründungen", "Netzausbau", "Energieeffizienz"]


@dataclass(frozen=True)
class Article:
    index: int
    published: date
    path: str  # site path, starting with /
    title: str
    teaser: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]


class TextGenerator:
    """German press-release prose: sentences assembled from fragments and random particulars."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def org(self) -> str:
        r = self.rng
        suffix = r.choice(["e. V.", "GmbH", "", ""])
        return " ".join(p for p in (r.choice(ORG_KINDS), r.choice(FIELDS), r.choice(REGIONS), suffix) if p)

    def number(self) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.3:
            return str(r.randint(3, 480))
        if choice < 0.6:
            return f"{r.randint(1, 950)},{r.randint(0, 9)}"
        return f"{r.randint(1, 99)}.{r.randint(0, 999):03d}"

    def sentence(self) -> str:
        r = self.rng
        forms = [
            lambda: (f"{r.choice(OPENERS)} {r.choice(VERBS)} das {r.choice(ORG_KINDS)} {r.choice(FIELDS)} "
                     f"{r.choice(TOPICS)} mit {self.number()} Millionen Euro."),
            lambda: (f"{self.person()}, Geschäftsführerin des {self.org()}, sagte in {r.choice(PLACES)}: "
                     f"„Wir wollen {r.choice(TOPICS)} gemeinsam mit {r.randint(12, 380)} Partnern voranbringen.“"),
            lambda: (f"Beteiligt sind {r.randint(8, 240)} Unternehmen aus {r.choice(PLACES)}, "
                     f"{r.choice(PLACES)} und {r.choice(PLACES)} sowie {r.randint(2, 19)} Hochschulen."),
            lambda: (f"Das Vorhaben in der Region {r.choice(REGIONS)} läuft bis {r.randint(2026, 2034)} "
                     f"und {r.choice(VERBS)} vor allem {r.choice(TOPICS)}."),
            lambda: (f"Staatssekretär {self.person()} betonte, {r.choice(TOPICS)} sei für den Standort "
                     f"{r.choice(PLACES)} von zentraler Bedeutung."),
            lambda: (f"Im Jahr {r.randint(2008, 2025)} wurden bundesweit {self.number()} Anträge im Bereich "
                     f"{r.choice(FIELDS)} gestellt, davon {r.randint(11, 89)} Prozent von kleinen Betrieben."),
            lambda: (f"Der {self.org()} {r.choice(VERBS)} seit {r.randint(2005, 2024)} "
                     f"{r.choice(TOPICS)} und zählt inzwischen {r.randint(40, 900)} Mitglieder."),
            lambda: (f"Weitere Schwerpunkte sind {r.choice(TOPICS)} und {r.choice(TOPICS)}, wie "
                     f"{self.person()} vom {self.org()} in {r.choice(PLACES)} erläuterte."),
            lambda: (f"Die Förderquote beträgt bis zu {r.randint(25, 70)} Prozent; Anträge nimmt der "
                     f"Projektträger in {r.choice(PLACES)} bis zum {r.randint(1, 28)}.{r.randint(1, 12)}."
                     f"{r.randint(2015, 2027)} entgegen."),
            lambda: (f"Nach einer Umfrage unter {r.randint(150, 4200)} Betrieben in {r.choice(REGIONS)} "
                     f"rechnen {r.randint(10, 90)} Prozent mit steigenden Umsätzen im Bereich {r.choice(FIELDS)}."),
            lambda: (f"Ein Pilotprojekt in {r.choice(PLACES)} soll zeigen, wie {r.choice(TOPICS)} und "
                     f"{r.choice(TOPICS)} zusammenwirken können."),
            lambda: (f"Bis Ende {r.randint(2024, 2030)} sollen in {r.choice(PLACES)} rund {self.number()} "
                     f"neue Arbeitsplätze entstehen, teilte {self.person()} mit."),
        ]
        return r.choice(forms)()

    def paragraphs(self, chars: int) -> tuple[str, ...]:
        out: list[str] = []
        total = 0
        while total < chars:
            para = " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))
            out.append(para)
            total += len(para)
        return tuple(out)

    def title(self, published: date) -> str:
        r = self.rng
        return r.choice(TITLE_PATTERNS).format(
            org=self.org(), place=r.choice(PLACES), n=r.randint(2, 250), minister=f"Minister {r.choice(LAST)}",
            field=r.choice(FIELDS), topic_short=r.choice(TOPIC_SHORT), region=r.choice(REGIONS),
            deadline=(published + timedelta(days=r.randint(20, 90))).strftime("%d.%m.%Y"),
        )


def slugify(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60]


def make_articles(count: int, *, seed: int = 3, text_chars: int = 2000,
                  newest: date = date(2025, 6, 30)) -> list[Article]:
    """``count`` distinct articles, newest first, a few per working day going back in time."""
    rng = random.Random(seed)
    gen = TextGenerator(rng)
    articles = []
    day = newest
    for index in range(count):
        if rng.random() < 0.45:
            day -= timedelta(days=rng.randint(1, 3))
        title = gen.title(day)
        path = (f"/Redaktion/DE/Pressemitteilungen/{day.year}/"
                f"{day:%Y%m%d}-{slugify(title)}-{index}.html")
        paragraphs = gen.paragraphs(text_chars)
        articles.append(Article(index, day, path, title, paragraphs[0].split(". ")[0] + ".", paragraphs,
                                tuple(rng.sample(["Cluster", "Innovation", "Mittelstand", "go-cluster",
                                                  "Energie", "Digitalisierung", "Förderung"], 3))))
    return articles


# --- templates cut from the bundled replica ------------------------------------------------------

def _split(text: str, start: str, end: str, what: str) -> tuple[str, str]:
    """(text before ``start``, text from ``end`` on), where ``end`` follows ``start``."""
    i = text.find(start)
    j = text.find(end, i)
    if i < 0 or j < 0:
        raise TemplateError(f"{what}: cannot find {start!r} … {end!r}")
    return text[:i], text[j:]


class Templates:
    def __init__(self, listing: str, article: str):
        self.listing_head, rest = _split(listing, '<p class="search-result-count">', "</main>", "listing")
        self.listing_tail = rest
        self.article_head, self.article_tail = _split(article, '<main id="main"', "</main>", "article")
        self.article_tail = self.article_tail[len("</main>"):]

    @classmethod
    def from_replica(cls) -> Templates:
        return cls(TEMPLATE_LISTING.read_text(encoding="utf-8"), TEMPLATE_ARTICLE.read_text(encoding="utf-8"))

    def listing(self, page: int, pages: int, total: int, items: list[Article], session: str) -> str:
        cards = []
        for a in items:
            href = a.path + (f";jsessionid={session}" if a.index % 3 == 0 else "")
            t = html.escape(a.title)
            cards.append(
                '<li class="media-space-list-item">\n<div class="card card-media-space">\n<div class="card-block">\n'
                f'<p class="topline"><span class="date">{a.published:%d.%m.%Y}</span> '
                '<span class="topline-descriptor">Pressemitteilung</span></p>\n'
                f'<h2 class="card-title">{t}</h2>\n<p class="card-text">{html.escape(a.teaser)}</p>\n'
                f'<a class="card-link-overlay" href="{href}">'
                f'<span class="sr-only">Zur Pressemitteilung: {t}</span></a>\n'
                "</div>\n</div>\n</li>"
            )
        def url(n: int) -> str:
            return LISTING_PATH if n == 1 else f"{LISTING_PATH}?gtp={n}"

        nav = ['<nav aria-label="Seitennavigation">', '<ul class="pagination">']
        if page > 1:
            nav.append('<li class="page-item"><a class="page-link" aria-label="Previous" '
                       f'href="{url(page - 1)}">Zurück</a></li>')
        for n in range(max(1, page - 2), min(pages, page + 2) + 1):
            if n == page:
                nav.append(f'<li class="page-item active"><span class="page-link" aria-current="page">{n}</span></li>')
            else:
                nav.append(f'<li class="page-item"><a class="page-link" href="{url(n)}">{n}</a></li>')
        if page < pages:
            nxt = f"{LISTING_PATH};jsessionid={session}?gtp={page + 1}"
            nav.append(f'<li class="page-item"><a class="page-link" aria-label="Next" href="{nxt}">Weiter</a></li>')
        nav += ["</ul>", "</nav>"]
        head = self.listing_head.replace('href="/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html?gtp=2"',
                                         f'href="{url(page)}"')
        return (head + f'<p class="search-result-count">{total} Ergebnisse, Seite {page} von {pages}</p>\n'
                '<ul class="card-list-media-space">\n' + "\n".join(cards) + "\n</ul>\n" + "\n".join(nav)
                + "\n</div>\n" + self.listing_tail)

    def article(self, a: Article, related: list[Article]) -> str:
        t = html.escape(a.title)
        head = re.sub(r"<title>.*?</title>", f"<title>BMWE - {t}</title>", self.article_head, count=1)
        head = re.sub(r'<meta name="description" content="[^"]*">',
                      f'<meta name="description" content="{html.escape(a.teaser)}">', head, count=1)
        head = re.sub(r'<link rel="canonical" href="[^"]*">', f'<link rel="canonical" href="{a.path}">', head, count=1)
        head = re.sub(r'(<li class="breadcrumb-item active" aria-current="page"><span>).*?(</span>)',
                      lambda m: m.group(1) + t + m.group(2), head, count=1)
        tags = "\n".join(
            f'<a class="tag" href="{LISTING_PATH}?templateQueryString={tag}"><span>{html.escape(tag)}</span></a>'
            for tag in a.tags)
        paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs)
        teasers = "\n".join(
            f'<li class="teaser">\n<p class="topline"><span class="date">{r.published:%d.%m.%Y}</span> '
            f'<span class="topline-descriptor">Pressemitteilung</span></p>\n'
            f'<h3 class="teaser-title">{html.escape(r.title)}</h3>\n'
            f'<a class="teaser-link" href="{r.path}">Jetzt lesen</a>\n</li>' for r in related)
        main = (
            '<main id="main" class="main">\n<div class="main-head">\n'
            f'<p class="topline"><span class="date">{a.published:%d.%m.%Y}</span> '
            '<span class="topline-descriptor">Pressemitteilung</span></p>\n'
            f'<div class="tags">\n{tags}\n</div>\n<h1 class="title">{t}</h1>\n</div>\n'
            '<div class="main-content">\n<div class="content">\n<div class="picture">\n'
            f'<img src="/SiteGlobals/Frontend/Images/platzhalter.gif" alt="Symbolbild {t}" title="Symbolbild {t}">\n'
            f'<p class="picture-caption">Symbolbild: {t}</p>\n<p class="picture-credit">© BMWE/Referat Presse</p>\n'
            f"</div>\n{paras}\n"
            '<div class="contact-box">\n<h2>Pressekontakt</h2>\n<p>Pressestelle des Bundesministeriums für '
            "Wirtschaft und Energie<br>Telefon: 030 18615-6121<br>E-Mail: presse@bmwe.bund.de</p>\n</div>\n</div>\n"
            '<div class="share-bar">\n<p class="share-title">Seite teilen</p>\n<ul class="share-list">\n'
            f'<li><a class="share-mail" href="mailto:?subject={t}">E-Mail</a></li>\n'
            f'<li><a class="share-print" href="{a.path}?view=renderPrint">Drucken</a></li>\n</ul>\n</div>\n</div>\n'
            '<aside class="related-content">\n<h2 class="related-title">Das könnte Sie auch interessieren</h2>\n'
            f'<ul class="teaser-list">\n{teasers}\n</ul>\n</aside>\n</main>'
        )
        return head + main + self.article_tail


def generate_site(target: Path, articles: int, *, per_page: int = 10, seed: int = 3,
                  text_chars: int = 2000) -> list[Article]:
    """Write the replica into ``target`` (created; the bundled site's other pages copied along)."""
    shutil.copytree(TEMPLATE_SITE, target, ignore=shutil.ignore_patterns("Pressemitteilungen*", "RSSFeed"))
    templates = Templates.from_replica()
    items = make_articles(articles, seed=seed, text_chars=text_chars)
    pages = max(1, -(-len(items) // per_page))
    listing_dir = target / LISTING_REL
    listing_dir.parent.mkdir(parents=True, exist_ok=True)
    for page in range(1, pages + 1):
        chunk = items[(page - 1) * per_page : page * per_page]
        name = LISTING_REL if page == 1 else f"{LISTING_REL}@gtp={page}"
        (target / name).write_text(templates.listing(page, pages, len(items), chunk, f"S{seed}X{page:05d}"),
                                   encoding="utf-8")
    for a in items:
        related = [items[j] for j in (a.index - 1, a.index + 1, a.index + 2) if 0 <= j < len(items)][:3]
        path = target / a.path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(templates.article(a, related), encoding="utf-8")
    return items
