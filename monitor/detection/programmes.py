"""Which programme or organisation a membership belongs to, and one spelling for it.

„go-cluster“, go-cluster, "Programm go-cluster" and "Exzellenzprogramm ‚go-cluster‘" must be
one programme, otherwise the milestone table would count the same milestone several times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_QUOTES = "„“”‚‘’\"'«»‹›"
# Generic words in front of a name that are not part of it.
_GENERIC_PREFIX = re.compile(
    r"^(?:(?:das|dem|den|der|des|die|the|im|in|beim|bei|von|vom|of)\s+)?"
    r"(?:(?:bundes|exzellenz|förder|cluster|innovations)?programms?|exzellenzinitiative|"
    r"programme|program)\s+",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(?:das|dem|den|der|des|die|the)\s+", re.IGNORECASE)
# German genitive on the head noun: "des Netzwerks XY" is "Netzwerk XY".
_GENITIVE = re.compile(
    r"^(netzwerk|verein|verband|cluster|programm|bündnis|forum|kompetenznetz)(?:e?s)\b",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s,.;:!?)\-–]+$")
_SPACES = re.compile(r"\s+")
_GO_CLUSTER = re.compile(r"go[\s-]?cluster", re.IGNORECASE)

# Bodies whose "members" are people or states, not the members clusterwatch watches.
NOT_PROGRAMMES = re.compile(
    r"\b(?:bundestag\w*|landtag\w*|parlament\w*|parliament|bundesrat\w*|stadtrat\w*|"
    r"gemeinderat\w*|kabinett\w*|vorstand\w*|vorstände|aufsichtsrat\w*|präsidium\w*|jury|beirat\w*|"
    r"beirats|kuratorium\w*|geschäftsführung|familie\w*|family|board|team\w*|"
    r"europäischen union|europäische union|eu|european union|nato|vereinten nationen|"
    r"united nations|mitgliedstaat\w*|member states?|fraktion\w*|regierung\w*|kommission|"
    r"commission|senat\w*|ausschuss\w*|committee|gremium\w*|gremien|jury)\b",
    re.IGNORECASE,
)


# Ministries own programmes ("das Programm des Bundeswirtschaftsministeriums"); a membership
# is never in the ministry itself, so such names are owners and never the programme.
OWNERS = re.compile(
    r"ministeri|\bministry\b|\bbundesregierung\b|\bbmw[aiek]\b|\bbmbf\b|"
    r"\bfederal government\b",
    re.IGNORECASE,
)


def is_owner(name: str) -> bool:
    """True for a ministry or government: the programme's owner, not a programme."""
    return OWNERS.search(name) is not None


_QUOTE_TABLE = str.maketrans({q: " " for q in _QUOTES})


@lru_cache(maxsize=65_536)
def normalise_programme(name: str) -> str:
    """Canonical, lower-case programme name ("Programm „go-cluster“" -> "go-cluster")."""
    text = _SPACES.sub(" ", name.translate(_QUOTE_TABLE)).strip()
    if _GO_CLUSTER.search(text) and len(text) <= 40:
        return "go-cluster"
    for _ in range(2):
        text = _GENERIC_PREFIX.sub("", text)
        text = _ARTICLE.sub("", text)
    text = _GENITIVE.sub(lambda m: m.group(1), text)
    text = _TRAILING.sub("", text)
    return _SPACES.sub(" ", text).strip().lower()


def is_programme_like(name: str) -> bool:
    """False for parliaments, boards, the EU, families: membership there is not tracked."""
    return bool(name) and NOT_PROGRAMMES.search(name) is None


_QUOTED = r"[„“\"‚‘«»](?P<q>[^„“”\"‚‘’«»]{2,60})[“”\"‘’«»]"
# Words that end a capitalised name run: German capitalises every noun, so "dem Netzwerk
# Energie Bayern Anfang Mai bei" must stop before "Anfang".
_STOP = (
    r"(?!(?:Anfang|Ende|Mitte|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|"
    r"November|Dezember|Mitglied\w*|Member\w*|Seit|Im|Am|In|Mit|Als|Zum|Zur|Das|Die|Der|Den|Dem|"
    r"Es|Er|Sie|Wir|Ich|Heute|Jahr\w*|The|As|Since|In|On|At|This|It|We|Damit|Dazu)\b)"
)
_NAME_WORD = _STOP + r"(?:[A-ZÄÖÜ][\w.&+/'’-]{0,40}|\d[\d.]{0,6}(?<!\.)|go-cluster)"
_NAME_FIRST = _STOP + r"(?:[A-ZÄÖÜ][\w.&+/'’-]{0,40}|go-cluster)"
_NAME_RUN = (
    rf"(?P<n>{_NAME_FIRST}(?:\s+(?:(?:für|und|of|for|and|&)\s+)?{_NAME_WORD}){{0,5}})"
)
# "Programm", "Netzwerk", and compounds such as "Digitalverband" or "Bundesverband".
_KEYWORD = (
    r"(?P<kw>(?:Exzellenz|Bundes|Förder|Cluster)?[Pp]rogramm(?:s|es)?|[Pp]rogramme|[Pp]rogram|"
    r"[Nn]etzwerk(?:s|es)?|[Nn]etwork|Allianz|[Aa]lliance|Initiative|[Ii]nitiative|"
    r"Plattform|[Pp]latform|[A-ZÄÖÜ]?[a-zäöüß]*(?:[Vv]erein|[Vv]erband)(?:s|es)?|"
    r"[Aa]ssociation|Cluster(?:s)?|Kompetenznetz(?:werk)?(?:s|es)?|Bündnis(?:ses)?|Forum|Forums)"
)
# Keywords that are part of the name ("Allianz Industrie 4.0"), unlike "Programm go-cluster".
_NAME_KEYWORDS = re.compile(
    r"(?:netzwerk|network|allianz|alliance|initiative|plattform|platform|verein|verband|"
    r"association|cluster|kompetenznetz|kompetenznetzwerk|bündnis|forum)(?:e?s|ses)?$",
    re.IGNORECASE,
)
# A legal-form word before a one-word name is a descriptor: "der Verband Bitkom" is Bitkom.
# "Bundesverband"/"Landesverband" form names ("Bundesverband Windenergie") and stay.
DESCRIPTOR = re.compile(
    r"^(?!bundes|landes)\w*(?:verein|verband)(?:s|es)?$|^\w+(?:netzwerk|netzwerks)$", re.I
)
_BARE_KEYWORD = re.compile(rf"^{_KEYWORD}$")
_NAMED = re.compile(
    rf"\b{_KEYWORD}\s+(?:(?P<c>der|des|für|for|of|on)\s+)?(?:{_QUOTED}|{_NAME_RUN})"
)
_GENERIC = re.compile(rf"\b{_KEYWORD}(?!\s+(?:der\s+|des\s+|für\s+|for\s+|of\s+)?(?:{_QUOTED}|{_NAME_RUN}))")
# English names carry the keyword inside: "Photonics Network Europe", "Hydrogen Alliance".
_EN_WORD = (
    r"(?!(?:The|This|It|In|As|At|On|Its|With|Since|Currently|Today|Der|Die|Das|Dem|Den|Des|"
    r"Im|Am|Mit|Neu|Mitglied\w*|Member\w*)\b)[A-Z][\w.&-]{0,30}"
)
_EN_RUN = re.compile(
    rf"\b(?P<full>(?:{_EN_WORD}\s+){{1,3}}(?:Network|Alliance|Association|Platform|Initiative|"
    rf"Consortium|Partnership|Cluster)(?:\s+{_EN_WORD}){{0,3}})"
)
_GO = re.compile(r"[„“\"‚‘]?\bgo[\s-]?cluster\b[“”\"‘’]?", re.IGNORECASE)
_MEMBERSHIP_OF = re.compile(
    rf"\b(?:[Mm]itglied(?:er|ern)?|[Mm]embers?)\s+(?:bei|beim|von|im|in der|des|der|of|at)\s+"
    rf"(?:{_QUOTED}|{_NAME_RUN})"
)
# Fallback: the subject of "Der VDMA meldet …", used only when nothing else is named. Without
# an article the subject must look like a name (two capitals or several words), so that the
# adverb of "Zurzeit zählt das Programm …" is not taken for one.
_SUBJECT = re.compile(
    r"^(?:(?:Der|Die|Das|The)\s+(?P<a>[A-ZÄÖÜ][\w-]{1,40})|(?P<b>[A-ZÄÖÜ][\w-]{0,40}[A-ZÄÖÜ][\w-]{0,40}"
    r"|[A-ZÄÖÜ][\w-]{1,40}(?=\s+[A-ZÄÖÜ0-9])))"
    r"(?P<rest>(?:\s+[A-ZÄÖÜ0-9][\w.-]{0,40}){0,3})\s+"
    r"(?:meldet|begrüßt|zählt|hat|feiert|freut|vereint|umfasst|has|counts|welcomes|welcomed|"
    r"celebrates|reached|reports)\b"
)
_NOT_SUBJECT = re.compile(
    r"^(?:unternehmen|firma|cluster|netzwerk|programm|verband|verein|staatssekretär\w*|"
    r"minister\w*|bundesministerium\w*|bundeswirtschaftsministerium|ministerium|company|"
    r"it|he|she|we|they|heute|damit|auch|today|er|sie|es|wir)\b",
    re.I,
)
_PROGRAMME_KINDS = re.compile(r"^(?:exzellenz|bundes|förder|cluster)?programm|^program", re.I)


@dataclass(frozen=True, slots=True)
class Mention:
    """A programme named in a sentence, or a generic reference ("des Programms")."""

    name: str | None
    start: int
    end: int = 0
    generic_kind: str | None = None  # "programme" or "organisation" for anaphoric references
    head: str | None = None  # "netzwerk" for "das Netzwerk": what a reference must match


def _name_from(m: re.Match[str]) -> str | None:
    raw = m.group("q") or m.group("n")
    kw = m.groupdict().get("kw")
    connector = m.groupdict().get("c")
    if _BARE_KEYWORD.match(raw.split()[0]) and not m.group("q"):
        return None  # "Mitglied im Programm …": the keyword pattern reads the name
    if kw and connector:
        raw = f"{kw} {connector} {raw}"
    elif kw and DESCRIPTOR.match(kw) and len(raw.split()) == 1 and not m.group("q"):
        pass  # "Digitalverband Bitkom" -> "Bitkom"
    elif kw and _NAME_KEYWORDS.search(kw):
        raw = f"{kw} {raw}"
    name = normalise_programme(raw)
    return name or None


_KEYWORD_WORDS = (
    "programm", "netzwerk", "network", "allianz", "alliance", "initiative", "plattform",
    "platform", "verein", "verband", "association", "cluster", "kompetenznetz", "bündnis",
    "forum",
)
_EN_WORDS = (
    "Network", "Alliance", "Association", "Platform", "Initiative", "Consortium", "Partnership",
    "Cluster",
)


def has_programme_word(low: str) -> bool:
    """Cheap test on a lower-cased sentence: can it name a programme at all?"""
    # map over str.__contains__ runs in C; a generator expression costs a frame per word.
    return any(map(low.__contains__, _KEYWORD_WORDS))


PROGRAMME_WORDS = tuple(w for w in _KEYWORD_WORDS if w != "cluster")
_NAMING_WORDS = tuple(w for w in _KEYWORD_WORDS if w != "cluster") + ("go-cluster", "go cluster")


def may_name_programme(sentence: str, low: str) -> bool:
    """Narrower than has_programme_word: "Cluster" counts only when a name follows it, since
    cluster releases say "Cluster" in every other sentence."""
    if any(map(low.__contains__, _NAMING_WORDS)):
        return True
    i = sentence.find("luster ")
    while i != -1:
        nxt = sentence[i + 7 : i + 8]
        if nxt and (nxt.isupper() or nxt in "„“\"‚"):
            return True
        i = sentence.find("luster ", i + 7)
    return False


def find_mentions(sentence: str) -> list[Mention]:
    """Programme mentions in order of position; a mention inside a longer one is dropped."""
    # Substring tests first: the regexes below are costly and most sentences need few of them.
    low = sentence.lower()
    keyword = has_programme_word(low)
    named: list[Mention] = []
    if "cluster" in low:
        for m in _GO.finditer(sentence):
            named.append(Mention("go-cluster", m.start(), m.end(), head="programm"))
    if any(w in sentence for w in _EN_WORDS):
        for m in _EN_RUN.finditer(sentence):
            named.append(Mention(normalise_programme(m.group("full")), m.start(), m.end()))
    regexes = [_NAMED] if keyword else []
    if "mitglied" in low or "member" in low:
        regexes.append(_MEMBERSHIP_OF)
    for rx in regexes:
        for m in rx.finditer(sentence):
            name = _name_from(m)
            if name and not is_owner(name):
                kw = m.groupdict().get("kw")
                # The keyword that introduced the name: "das Programm" later refers back to
                # a name introduced as a programme, not to an initiative it replaced.
                head = "programm" if kw and _PROGRAMME_KINDS.match(kw) else None
                named.append(Mention(name, m.start(), m.end(), head=head))
    kept = [
        a for a in named
        if not any(
            (b.start <= a.start and a.end <= b.end) and (b.end - b.start) > (a.end - a.start)
            for b in named
        )
    ]
    found: list[Mention] = []
    for a in sorted(kept, key=lambda x: (x.start, -x.end)):
        if not any(a.name == b.name and abs(a.start - b.start) < 60 for b in found):
            found.append(a)
    if not found:
        sm = _SUBJECT.match(sentence)
        if sm:
            subject = (sm.group("a") or sm.group("b")) + sm.group("rest")
            if not _NOT_SUBJECT.match(subject) and not is_owner(subject):
                found.append(Mention(normalise_programme(subject), sm.start(), sm.end()))
    for m in _GENERIC.finditer(sentence) if keyword else ():
        if any(x.start <= m.start() < x.end for x in found):
            continue
        kw = m.group("kw")
        kind = "programme" if _PROGRAMME_KINDS.match(kw) else "organisation"
        head = _GENITIVE.sub(lambda g: g.group(1), kw.lower())
        found.append(Mention(None, m.start(), m.end(), kind, head))
    found.sort(key=lambda x: x.start)
    return found
