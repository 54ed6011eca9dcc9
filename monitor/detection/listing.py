"""Names in an enumeration: "dem Snookerclub Neustadt, dem BSC Oberbärenburg und dem Judo und
Sportverein Pirna-Copitz" -> three names.

A list of new members is split on its own text rather than on noun phrases, because members'
names are full of what ends a phrase elsewhere ("Gebr. Stahl", "PrOut@Work-Foundation",
"Judo und Sportverein Pirna-Copitz"). The articles that German repeats before each item tell
where one name ends; without them the last "und" does.
"""

from __future__ import annotations

import re

_ARTICLE = r"(?:der|die|das|dem|den|des|the)"
# "und dem", ", sowie der": a conjunction followed by an article starts a new item.
_ITEM_WITH_ARTICLE = re.compile(
    rf"\s*(?:,\s*(?:und|sowie|and)?|\s+(?:und|sowie|and|&))\s+(?:schließlich\s+|zuletzt\s+|finally\s+)?{_ARTICLE}\s+",
    re.I)
# (not before a legal form: "Mitsubishi Heavy Industries, Ltd." is one item)
_COMMA = re.compile(r"\s*[,;]\s*(?!\s*(?:Ltd|Inc|LLC|Corp|Co|S\.A|AG|GmbH|plc|L\.P)\b\.?)(?:(?:und|sowie|and)\s+)?")
# Not after a hyphen: "Buchhändler- und Verleger-Verband" is one name.
_LAST_AND = re.compile(r"(?<!-)\s+(?:und|sowie|and|as well as)\s+", re.I)
_LEADING = re.compile(rf"^(?:{_ARTICLE}|unter anderem|u\.\s?a\.|auch|including|namely|nämlich|z\.\s?B\.)\s+", re.I)
# Where a list stops inside its sentence ("…, die alle aus Bayern kommen", "… (siehe Foto)").
_TAIL = re.compile(r"\s*(?:–|—| - |\bdie\s+(?:alle|sich|ihre)\b|\bwhich\b|\bwho\b).*$", re.S)


def split_names(span: str) -> list[str]:
    """The items of an enumeration, each without its article; empty strings are dropped."""
    span = _without_full_stop(span.strip().rstrip(":;!"))
    span = _TAIL.sub("", span)
    # "Acireale (Sizilien, 55.000 Einwohner), Arles-sur-Tech (…)": an aside with commas is no item
    span = re.sub(r"\s*\([^()]*,[^()]*\)", "", span)
    span = re.sub(rf"^{_ARTICLE}\s+", "", span, flags=re.I)
    if _ITEM_WITH_ARTICLE.search(span):
        # "A, B and the C": the article marks the last item; the commas still separate the others
        items = [part for chunk in _ITEM_WITH_ARTICLE.split(span) for part in _COMMA.split(chunk)]
    else:
        items = _COMMA.split(span)
        if items:
            last = _LAST_AND.split(items[-1])
            items = items[:-1] + last
    out = []
    for item in items:
        # "Die Schlüsselregion e. V. (Velbert/Heiligenhaus) im Innovationsfeld Produktion": the name
        # ends where a bracket with where it is opens
        item = re.sub(r"\s+\((?![A-ZÄÖÜ][A-Za-z0-9&-]{1,11}\))[^)]{3,}\).*$", "", item)
        item = _without_full_stop(item.strip(" ,;„“\"'"))
        while _LEADING.match(item):
            item = _LEADING.sub("", item, count=1).strip()
        # "Gräfelfing, Ingolstadt und Halfing in Bayern": one-word names joined by "und" are two;
        # "Judo und Sportverein Pirna-Copitz" is one name.
        head, region = _split_region(item)
        parts = _LAST_AND.split(head)
        described = _DESCRIPTOR.match(item)
        if described and item[described.end():][:1].isupper():
            # "die IT-Dienstleister Materna und Computacenter": what they are, then their names
            named = _LAST_AND.split(item[described.end():])
            out += [p for p in named if p[:1].isupper() or p[:1].isdigit()]
        elif len(parts) == 2 and all(p and (" " not in p or _PLACE_NAME.match(p)) for p in parts):
            # "Deggenhausertal und Heidenheim an der Brenz": two places
            out += [f"{p} {region}".strip() for p in parts]
        elif item:
            out.append(item)
    return out


# A description before the names of an item: "Anbieter von IT-Sicherheitstechnologie", "die
# Kommunikationsfirmen", "the software makers".
_DESCRIPTOR = re.compile(
    r"^[\w-]*(?:anbieter|dienstleister|hersteller|spezialisten|experten|entwickler|berater|betreiber|händler|"
    r"zulieferer|agenturen|kanzleien|firmen|unternehmen|start-ups|startups|softwarehäuser|banken|versicherer|"
    r"providers|makers|manufacturers|companies|firms|suppliers|developers|vendors)"
    r"(?:\s+(?:von|für|aus|of|for|from)\s+[\w-]+(?:\s+und\s+[\w-]+)?)?\s+", re.I)


_PLACE_NAME = re.compile(r"^[A-ZÄÖÜ][\w/-]+ (?:an der|am|im|in der|ob der|bei|vor der) [A-ZÄÖÜ][\w-]+$|"
                         r"^[A-ZÄÖÜ][\w/-]+ \([A-ZÄÖÜ][\w-]+\)$")
# "e. V." keeps its full stop at a sentence's end; any other final full stop is the sentence's.
_LEGAL_STOP = re.compile(r"\b(?:e\.\s?V|Inc|Ltd|Co|Corp|e\.\s?G)\.$")


def _without_full_stop(text: str) -> str:
    return text if _LEGAL_STOP.search(text) else text.rstrip(".")


_REGION = re.compile(r"^(.*?)\s+(in\s+[A-ZÄÖÜ][\w-]+(?:\s+\([^)]*\))?)$")


def _split_region(item: str) -> tuple[str, str]:
    m = _REGION.match(item)
    return (m.group(1), m.group(2)) if m else (item, "")
