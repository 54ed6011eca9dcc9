"""The document model: which organisation a text is about, and what "der Verein", "unser
Verband", "sein 250. Mitglied" or "the Association" refer back to.

The headline names the organisation most releases are about ("Die Allianz Südwind legt zu");
later sentences refer to it with a generic noun or a possessive. A reference is resolved to the
latest organisation named before it whose name contains the same head noun ("der Verein" ->
"Rollenspielverein Biberach e. V."), else to the text's topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon import CLUB_ABBREVIATIONS, MEMBERSHIP_BODY, NOT_PROGRAMMES, ORG_HEADS
from .names import generic, sentence_phrases
from .programmes import is_owner

LEGAL_TAIL = re.compile(
    # after a space or comma: "AIAG" keeps its "AG"
    r"(?:\s+|\s*,\s*)(?:e\.\s?V\.|gGmbH|GmbH\s?&\s?Co\.\s?KG|GmbH|AG|KG|SE|eG|UG|OHG|GbR|mbH|Inc\.?|Ltd\.?|LLC|plc|"
    r"e\.\s?G\.)\s*$"
)
_ACRONYM_DEF = re.compile(r"\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü0-9&-]{1,11})\)")


def without_legal_form(name: str) -> str:
    return LEGAL_TAIL.sub("", name).strip(" ,„“”\"")


@dataclass
class Mention:
    name: str
    sentence: int


@dataclass
class Document:
    topic: str | None = None
    topic_source: str = ""
    mentions: list[Mention] = field(default_factory=list)
    # Text units (sentences, or whole paragraphs without a cue) whose names are read only when
    # an event needs them: most documents have no event and never pay for it.
    units: list[str] = field(default_factory=list)
    scanned: int = 0
    topic_unit: int = -1  # the unit that named the topic
    _topic_settled: bool = False
    _body: str | None = None  # see not_a_programme

    @property
    def not_a_programme(self) -> str:
        """The parliament or union the text is about, when it names one before any organisation
        ("Mitglied des Deutschen Bundestages … seiner Mitglieder"): its members are no programme's.
        Worked out on first use; most documents never ask."""
        if self._body is None:
            # Names are read only as far as they were needed; the units up to the topic (or all,
            # when none is known yet) are searched for the body's name, a cheap literal pattern.
            upto = self.topic_unit if self.topic_unit >= 0 else len(self.units)
            units = self.units[:upto + 1]
            if self.topic_unit >= 0 and self.topic and units:
                # in the topic's own unit, only what stands before the topic ("Der Hospizverein …, die
                # seinerzeit Abgeordnete im Landtag war" is about the club)
                at = units[-1].find(self.topic)
                units = units[:-1] + [units[-1][:at] if at >= 0 else units[-1]]
            body = next((m for u in units if (m := _PUBLIC_BODY.search(u[:2000].lower()))), None)
            self._body = body.group(0) if body else ""
        return self._body

    def add(self, text: str) -> int:
        self.units.append(text)
        return len(self.units) - 1

    def scan(self, upto: int) -> None:
        while self.scanned <= min(upto, len(self.units) - 1):
            for name in names_in(self.units[self.scanned][:2000]):
                self.note(name, self.scanned)
            self.scanned += 1

    def _settle_topic(self) -> None:
        """The organisation the text names most often is what it is about; the first named wins a
        tie. ("Auszeichnung mit dem Label der European Cluster Excellence Initiative" in the lead
        of a release that names TechnologyMountains five times is not its topic.) Decided once,
        when an event first needs it, by counting in the whole text."""
        if self.topic is None:
            self.scan(len(self.units))
        if self._topic_settled:
            return
        self._topic_settled = True
        # Only the names read so far (up to the event) are weighed: reading every sentence's
        # names would double the detector's time on ordinary releases.
        if len(self.mentions) < 2:
            return
        text = "\n".join(self.units)
        first: dict[str, int] = {}
        for m in self.mentions:
            if len(m.name) >= 3 and m.name.lower() not in _NOT_TOPICS and not place_body(m.name):
                first.setdefault(m.name, m.sentence)
            if len(first) >= 12:
                break  # the topic is among the first names a text gives
        if not first:
            return
        counts = {name: _occurrences(_core(name), text) for name in first}
        best = max(first, key=lambda name: (counts[name], -first[name]))
        if best != self.topic and counts[best] >= 2 and counts[best] > counts.get(self.topic or "", 1):
            self.topic, self.topic_unit = best, first[best]
            self.topic_source = f"the organisation the text names most often ({counts[best]} times)"
        if self.topic is not None and COMPANY.search(self.topic) and not MEMBERSHIP_BODY.search(self.topic):
            # "Gelsenwasser AG tritt dem h2-netzwerk-ruhr bei": a firm named first is a member more
            # often than the body whose members it counts; the body the text names is the topic
            bodies = [name for name in first if MEMBERSHIP_BODY.search(name) and not COMPANY.search(name)]
            if bodies:
                body = max(bodies, key=lambda name: (counts[name], -first[name]))
                self.topic, self.topic_unit = body, first[body]
                self.topic_source = f"the membership body the text names (sentence {first[body] + 1})"

    def note(self, name: str, sentence: int) -> None:
        if _usable(name):
            self.mentions.append(Mention(name, sentence))
            if self.topic is None and not place_body(name):
                self.topic, self.topic_source = name, f"first organisation named (sentence {sentence + 1})"
                self.topic_unit = sentence

    def fuller(self, word: str, sentence: int, members: frozenset[str] = frozenset()) -> str | None:
        """The one name before ``sentence`` that ``word`` starts and says more ("dem Heimatverein" after
        "Der Heimatverein Talbach …"); None when there are several (two clubs) or only a member's. (In
        the same sentence, "Frau Berger vom Heimatverein Oberau ist dem Heimatverein beigetreten", it
        is another club.)"""
        self.scan(sentence)
        low = word.lower() + " "
        skip = {m.lower() for m in members}
        names = {m.name for m in self.mentions if m.sentence < sentence and m.name.lower().startswith(low)
                 and m.name.lower() not in skip}
        return names.pop() if len(names) == 1 else None

    def resolve(self, ref: str | None, sentence: int, exclude: str | None = None,
                members: frozenset[str] = frozenset(), count: bool = False) -> tuple[str | None, str]:
        """The organisation a reference points to, and why; (None, reason) when nothing fits.
        ``exclude`` is the member of the event: an organisation is never its own member; nor is
        the text about one it reports as joining (``members``: every member the text names)."""
        self.scan(sentence)
        head = (ref or "").split()[-1] if ref else ""
        skip = [m.lower() for m in {exclude, *members} if m]
        if head and head not in _POSSESSIVE_WORDS:
            stem = _HEAD_STEMS.get(head, head)  # "das Netzwerk" is the "Textilnetz Vogtland"
            for m in reversed(self.mentions):
                company = COMPANY.search(m.name) is not None
                # A count's "das Netzwerk" may be a newcomer named just before (not a firm): "X ist als
                # 50. Mitglied aufgenommen worden. Das Netzwerk vereint heute 64 Unternehmen" counts X's
                if m.sentence <= sentence and stem in m.name.lower() and not (stem != head and company) \
                        and (not _overlaps(m.name, skip) or count and not company):
                    return m.name, f"'{ref}' refers back to {m.name} (sentence {m.sentence + 1})"
            for m in reversed(self.mentions):
                if m.sentence <= sentence and (head in ("verein", "association") and "e. v" in m.name.lower()
                                               or head in ("verein", "club", "klub") and _CLUB.match(m.name)) \
                        and not _overlaps(m.name, skip):
                    return m.name, f"'{ref}' refers back to {m.name} (sentence {m.sentence + 1})"
            # Named only later in the text: "The Chamber welcomed … The Riverside Chamber of Commerce …"
            self.scan(len(self.units))
            for m in self.mentions:
                if m.sentence > sentence and head in m.name.lower() and not _overlaps(m.name, skip):
                    return m.name, f"'{ref}' is {m.name}, named in sentence {m.sentence + 1}"
        self._settle_topic()
        if head in _KIND_NOUNS and self.topic is not None and head not in _plain(self.topic) \
                and not any(head in _plain(m.name) for m in self.mentions):
            # "der Initiative" in a text that names no initiative: guessing the first organisation
            # named would give the event to someone else (often a member the text reports).
            return None, f"'{ref}' refers to an organisation the text does not name"
        if self.topic is not None and _overlaps(self.topic, skip):
            other = next((m for m in self.mentions if not _overlaps(m.name, skip)), None)
            if other is not None:
                return other.name, f"the text is about {other.name} (named in sentence {other.sentence + 1})"
            return None, "every organisation the text names is reported as a member"
        if self.not_a_programme:
            return None, f"the text is about {self.not_a_programme}, whose members are no programme's"
        if self.topic is not None:
            how = f"'{ref}' refers to" if ref else "the sentence names no organisation; the text is about"
            return self.topic, f"{how} {self.topic} ({self.topic_source})"
        return None, "the text does not say whose membership it is"


# A town or district is where a text happens, rarely whose members it counts ("Kreis Warendorf" in a
# release of an employers' association): never the topic by being named first or most often.
_STATES = (r"bund und land|baden-württemberg|bayern|berlin|brandenburg|bremen|hamburg|hessen|mecklenburg-vorpommern|"
           r"niedersachsen|nordrhein-westfalen|rheinland-pfalz|saarland|sachsen|sachsen-anhalt|schleswig-holstein|"
           r"thüringen|landkreis")
_PLACE_BODY = re.compile(r"(?:Kreis|Landkreis|Stadt|Gemeinde|Bezirk|Landeshauptstadt|Hansestadt|Markt|Amt|Region|"
                         rf"Bundesland|Land)\s|(?i:{_STATES}|region)$")
# Territories that are never whose membership a sentence names (a region may be an association:
# "Der Region Stuttgart gehören 179 Kommunen an")
_TERRITORY = re.compile(rf"(?:Kreis|Landkreis|Bezirk|Bundesland)\s|(?i:{_STATES})$")


def place_body(name: str, *, named: bool = False) -> bool:
    """A town, district or region ("Kreis Warendorf", "Region Leipzig-Halle", "Bayern"): where a text
    happens, never what it is about; ``named``: the narrower test for a name a sentence gives as whose
    membership it is. A legal form or an organisation's noun after the first word makes it an
    organisation ("Land Rover Club Deutschland", "Region Oderland e. V.")."""
    if "/" in name and not named:  # a dateline's "Lilienthal/Landkreis Osterholz"
        return any(place_body(part.strip()) for part in name.split("/") if part.strip())
    if not (_TERRITORY if named else _PLACE_BODY).match(name) or LEGAL_TAIL.search(name):
        return False
    return not any(ORG_HEADS.search(w) for w in name.split()[1:])


# A firm's legal form (an association's "e. V." is no firm's)
COMPANY = re.compile(r"\b(?:GmbH|AG|KG|SE|Ltd|Inc|LLC|plc|UG)\b")
_HEAD_STEMS = {"netzwerk": "netz", "netzwerks": "netz"}
# Words that look like names and are never what a text is about: currencies, laws.
_NOT_TOPICS = frozenset("euro eur usd dollar eeg dsgvo gdpr".split())
# Nouns that say what kind of organisation a reference points to ("der Initiative", "the Alliance").
_KIND_NOUNS = frozenset(
    "initiative allianz bündnis netzwerk cluster kammer alliance network chamber coalition initiative "
    "partnerschaft kooperation plattform forum".split()
)
_POSSESSIVE_WORDS = frozenset(
    "unser unsere unserem unseren unserer our its their sein seine seinem seinen seiner ihr ihre "
    "ihrem ihren ihrer".split()
)


_CAPITALS = re.compile(r"[A-ZÄÖÜ]{5,}(?:-[A-ZÄÖÜ]+)?")


def _dateline(sentence: str, word: str) -> bool:
    """ "SEATTLE, Wash. –", "BERLIN (dpa) –", "ADVERTISEMENT": a place or a label in capitals, no name
    (also after the date a page puts first: "31.03.2021 SEATTLE – …")."""
    start = _LEADING_DATE.sub("", sentence.lstrip(), count=1)
    return word in _LABELS or start.startswith(word) and start[len(word):][:2].strip()[:1] \
        in (",", "–", "—", "-", "(", ":")


_LEADING_DATE = re.compile(r"^(?:date\s+)?(?:\d{4}-\d{2}-\d{2}|\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|"
                           r"\d{1,2}/\d{1,2}/\d{2,4})\s+", re.IGNORECASE)


# A dateline before a sentence of the body is no part of it: "DENVER (June 2, 2020) - Fourteen companies
# have joined …", "SAARBRÜCKEN Das Netzwerk … ist beigetreten", "Eutin – Seit kurzem ist der Kreis …"
# (its place would be read as the subject). A place in mixed case only before a dash and a sentence.
_DATELINE = re.compile(
    r"^\s*(?:(?:[A-ZÄÖÜ]{4,}|[A-ZÄÖÜ]{2,}(?:[ -][A-ZÄÖÜ]{2,})+)(?:,\s*(?:[A-Z][a-z]{1,12}\.?|[A-Z]{2}\b))?"
    r"(?:\s*\([^()]{1,40}\))?(?:\s*[-–—:]+\s*|\s+(?=[A-ZÄÖÜ][a-zäöüß]))"
    r"|[A-ZÄÖÜ][a-zäöüß]+(?:[ -][A-ZÄÖÜ][a-zäöüß]+)?(?:\s*\([^()]{1,30}\))?\s+[–—]\s+(?=[A-ZÄÖÜ]))")


def without_dateline(sentence: str) -> str:
    """``sentence`` without a dateline before it, when a sentence of the body follows."""
    m = _DATELINE.match(sentence)
    if m is None:
        return sentence
    rest = sentence[m.end():]
    # (only before a sentence of the body: "Weserkraft – Neues Mitglied im Bündnis" is a headline)
    return rest if len(rest.split()) >= 5 and rest.rstrip("“”\"' ").endswith((".", "!")) else sentence


_LABELS = frozenset("ADVERTISEMENT ANZEIGE WERBUNG UPDATE KONTAKT IMPRESSUM HINWEIS SPONSORED".split())
# "SV Wittenberg-Piesteritz", "TSV 1860", "1. FC Köln": a club by its abbreviation ("der Verein")
_CLUB = re.compile(rf"(?:{'|'.join(sorted(CLUB_ABBREVIATIONS, key=len, reverse=True))}|1\.\s?FC)\b")


def _occurrences(name: str, text: str) -> int:
    # A plain count is several times faster than a pattern; short names need word boundaries
    # ("GNI" inside a word).
    if len(name) >= 5:
        return text.count(name)
    return len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text))


def _core(name: str) -> str:
    """What a text repeats of a name: "Clusterinitiative HydroNordic e. V." is "HydroNordic"."""
    core = without_legal_form(name)
    words = core.split()
    if len(words) == 2 and generic(words[0]) and len(words[1]) >= 3:
        return words[1]
    return core


def _overlaps(name: str, members: list[str]) -> bool:
    low = _plain(name)
    return any(member and (low in _plain(member) or _plain(member) in low or _inflected(low, _plain(member)))
               for member in members)


def _inflected(a: str, b: str) -> bool:
    """The same name in another case: "den Landkreisen Gießen" and "der Landkreis Gießen"."""
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and all(
        (x.startswith(y) or y.startswith(x)) and abs(len(x) - len(y)) <= 3 for x, y in zip(wa, wb, strict=True))


@lru_cache(maxsize=4096)
def _plain(name: str) -> str:
    """A name without quotes and spacing differences: 'Regionalverband „Südlicher Oberrhein“'."""
    return " ".join(re.sub(r"[„“”\"'‚‘’«»]", "", name.lower()).split())


# (whole words: "Parlamentarischer Staatssekretär" hands over certificates, no parliament is the topic)
_PUBLIC_BODY = re.compile(r"\b(?:bundestag|landtag|parliament|bundesrat)(?:e?s)?\b|parlament(?!ari)|"
                          r"europäischen? union|european union|\bnato\b|vereinten nationen|united nations")
# Page furniture and wire services that look like organisations: "GLOBE NEWSWIRE", "Association
# News", "Mehr anzeigen Weniger anzeigen". The text is never about them.
_FURNITURE = re.compile(r"\b(?:\w*newswire|business wire|news|nachrichte?n?|anzeigen|presse\w*|press|cookies?|"
                        r"login|men[üu]|startseite|home|newsletter|redaktion|dpa|epd|afp|reuters|yumpu|issuu|scribd|slideshare|"
                        r"\w*(?:foto|photo)\d*|img\w*)\b",
                        re.IGNORECASE)


def _usable(name: str) -> bool:
    return bool(name) and not is_owner(name) and NOT_PROGRAMMES.search(name) is None and len(name) <= 120 \
        and _FURNITURE.search(name) is None and PERSON_TITLE.search(name) is None


# "Chamber President Scott Hamilton", "Photo: Tim Wood": a person or a credit, never what a text is about
PERSON_TITLE = re.compile(r"\b(?:president|präsident\w*|chair\w*|director|ceo|vorsitzende\w*|"
                           r"geschäftsführer\w*|photo|foto|minister|ministerin|mayor|bürgermeister(?:in)?|"
                           r"oberbürgermeister(?:in)?|governor|senator|staatssekretär(?:in)?|landrat|landrätin)\b",
                           re.IGNORECASE)


def names_in(sentence: str) -> list[str]:
    """Organisation names in a sentence (for the document model; cheap when there are none)."""
    if not ORG_HEADS.found(sentence) and _ACRONYM_DEF.search(sentence) is None \
            and not re.search(r"\b[A-ZÄÖÜ]{2,}\b", sentence) and "e.V." not in sentence:
        return []
    # (a club by its abbreviation, "TV Waldgirmes", and a name in capitals, "EUROCITIES", are
    # organisations too, though no organisation noun says so)
    out = [p.text for p in sentence_phrases(sentence)
           if (p.org or _CLUB.match(p.text) and " " in p.text or _CAPITALS.fullmatch(p.text))
           and not (p.text.isupper() and _dateline(sentence, p.text))  # "ANN ARBOR, MI --"
           and not (p.bracketed and " " in p.text and _mostly_capitals(p.text))  # a credit "(PETER VON DÖLLEN)"
           and len(p.text.split()) <= 10]
    # (the agency or station in a dateline's brackets is no organisation of the text: "OAK RIDGE (WATE) –")
    wire = _DATELINE_SOURCE.match(_LEADING_DATE.sub("", sentence.lstrip(), count=1))
    if wire is not None:
        out = [n for n in out if n != wire.group(1)]
    # a brand written in lower case is a name when a legal form ends it: "h2-netzwerk-ruhr e.V."
    out += [m.group(0) for m in _LOWER_LEGAL.finditer(sentence)]
    return [n for n in out if not generic(n)]


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


_DATELINE_SOURCE = re.compile(r"[A-ZÄÖÜ][A-ZÄÖÜ .,/-]{2,40}\(([^()]{1,20})\)\s*[-–—:]")
_LOWER_LEGAL = re.compile(r"(?<![\w.-])[a-zäöü][\w&+]*(?:[-.][\w&+]+)+\s+(?:e\.\s?V\.|gGmbH|GmbH|AG|eG)(?!\w)")
