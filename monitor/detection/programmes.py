"""Which programme or organisation a membership belongs to, and one spelling for it.

„go-cluster“, go-cluster, "Programm go-cluster" and "Exzellenzprogramm ‚go-cluster‘" must be
one programme, otherwise the milestone table would count the same milestone several times.
"""

from __future__ import annotations

import re
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
    r"^([\w-]*(?:netzwerk|verein|verband|verbund|kreis|zentrum|programm|bündnis|kompetenznetz|forum|ring|bund|tag)|"
    # "des Marketing-Clubs Emsland" (not English plurals: "Clubs of America")
    r"[\w-]*(?:club|klub)(?!s\s+(?:of|for|and|in|the|international)\b)|"
    # (English plurals stay: "Clusters Europe", "Institutes for …")
    r"[\w-]*cluster(?!s\s+(?:europe|of|for|and|in|the|network|alliance)\b)|[\w-]*institut(?=s\b))(?:e?s)\b",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s,.;:!?)\-–]+$")
_SPACES = re.compile(r"\s+")
_GO_CLUSTER = re.compile(r"go[\s-]?cluster", re.IGNORECASE)

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
    return nominative(_SPACES.sub(" ", text).strip()).lower()


# German declines the adjective of a name: "im Deutschen Städtetag", "des Saarländischen
# Fußballverbandes", "dem Niedersächsischen Landfrauenverband" are the Deutscher Städtetag, the
# Saarländischer Fußballverband. The head noun's gender gives the nominative ending.
# ("Siegener", "Essener": adjectives of towns do not decline)
_ADJECTIVE = re.compile(r"^([A-ZÄÖÜ][a-zäöüß]+?(?:isch|sch|al|ell|iv|ig|lich|är|ar))(?:en|em|er|es|e)$")
# English adjectives in German names do not decline: "Automotive Netzwerk Oberland"
_ENGLISH_ADJECTIVES = frozenset("automotive executive creative native alternative".split())
_MASCULINE = re.compile(r"(verband|bund|verein|tag|kreis|rat|club|klub|ring|ausschuss|konvent)(?:e?s)?$",
                        re.IGNORECASE)
_FEMININE = re.compile(r"(?:gesellschaft|kammer|initiative|allianz|vereinigung|union|gemeinschaft|region|akademie|"
                       r"stiftung|agentur|plattform|liga|föderation|partnerschaft|genossenschaft|innung|"
                       r"kooperation|konferenz|landsmannschaft|metropolregion|universität|hochschule|bank|"
                       r"sparkasse|klinik|bibliothek|versicherung|hansestadt|stadt|gemeinde)$", re.IGNORECASE)
_NEUTER = re.compile(r"(netzwerk|bündnis|forum|institut|programm|zentrum|kuratorium|komitee|konsortium)(?:e?s)?$",
                     re.IGNORECASE)


def nominative(name: str) -> str:
    words = name.split()
    if len(words) < 2:
        return name
    adjective = _ADJECTIVE.match(words[0])
    head = words[1]
    if adjective is None or words[0].lower() in _ENGLISH_ADJECTIVES:
        return name
    if (m := _MASCULINE.search(head)) is not None:
        ending, head = "er", head[:m.end(1)]  # without a genitive ending
    elif _FEMININE.search(head):
        ending = "e"
    elif (m := _NEUTER.search(head)) is not None:
        ending, head = "es", head[:m.end(1)]
    else:
        return name
    return " ".join([adjective.group(1) + ending, head, *words[2:]])


# A legal-form word before a one-word name is a descriptor: "der Verband Bitkom" is Bitkom.
# "Bundesverband"/"Landesverband" form names ("Bundesverband Windenergie") and stay.
DESCRIPTOR = re.compile(
    r"^(?!bundes|landes)\w*(?:verein|verband)(?:s|es)?$|^\w+(?:netzwerk|netzwerks)$", re.I
)
