"""The joining organisation and its town, from the sentence that announces it."""

from __future__ import annotations

import re

_ORG_WORD = r"(?:[A-ZÄÖÜ][\w.&'’+/-]{0,40}|\d[\w.]{0,8}|e\.\s?V\.)"
# A run of capitalised words with the connectors German and English company names contain
# ("Verein für …", "Festo SE & Co. KG"); bounded so it cannot run away on long input.
ORG = (
    rf"[A-ZÄÖÜ][\w.&'’+/-]{{0,40}}"
    rf"(?:\s+(?:(?:für|und|der|des|de|von|zur|zum|&|of|for|and)\s+)?{_ORG_WORD}){{0,12}}"
)
PLACE = (
    r"[A-ZÄÖÜ][\wäöüß.'-]{1,40}"
    r"(?:\s+(?:am|an der|im|ob der|bei|in der|upon|on)\s+[A-ZÄÖÜ][\wäöüß-]{1,40}"
    r"|\s+\([A-ZÄÖÜ][\wäöüß. -]{1,30}\))?"
)
_FROM = r"(?:\s*,?\s+(?:aus|mit Sitz in|from|based in)\s+(?P<place>" + PLACE + r")\s*,?)?"
# "X und das Cluster Y sind neu bei …": two joiners, the first is reported.
_AND_OTHER = (
    r"(?:\s+(?:und|sowie|and)\s+(?:(?:das|die|der|the)\s+)?[A-ZÄÖÜ][\w.&'’+/-]{0,40}"
    r"(?:\s+(?:(?:für|und|der|des|von|of|for|and|&)\s+)?(?:[A-ZÄÖÜ][\w.&'’+/-]{0,40}|e\.\s?V\.)){0,8}"
    r"(?:\s*,?\s+(?:aus|from)\s+[A-ZÄÖÜ][\wäöüß.'-]{1,40})?)?"
)
_ART = r"(?:(?:[Dd]as|[Dd]ie|[Dd]er|[Dd]en|[Dd]em|[Tt]he)\s+)?"

_PATTERNS = [
    # German inversion: "Außerdem wurde die Domotec GmbH aus Freiburg … aufgenommen."
    re.compile(
        rf"^(?!(?:Der|Die|Das|The)\b)[A-ZÄÖÜ][\w-]{{1,30}}\s+(?:ist|wurde|wird|sind|wurden)\s+"
        rf"(?:(?:heute|nun|jetzt|auch|offiziell|ebenfalls|zudem)\s+){{0,2}}(?:der|die|das|den)\s+"
        rf"(?P<member>{ORG}){_FROM}\s"
    ),
    re.compile(rf"^(?:[Tt]he\s+)?(?P<place>{PLACE})-based\s+(?P<member>{ORG})\s*,?\s+[a-z]"),
    re.compile(
        rf"(?:^|:\s+){_ART}(?P<member>{ORG}){_FROM}{_AND_OTHER}\s+(?:ist|sind|wurde|wird|tritt|trat|erhielt|erhält|"
        rf"bekam|bekommt|unterzeichnete|unterschrieb|is|was|joins|joined|becomes|became|will|"
        rf"has joined|has become|has been|receives|received|signed)\b"
    ),
    # After a colon or a time adverbial: "…: Am 17. November 2014 wurde das Cluster X aus Y in
    # das Programm aufgenommen."
    re.compile(
        rf"(?:^|:\s+)(?:(?:Am|Im|Seit|Zum|Nach|Mit|Heute|Nun|Jetzt|Außerdem|Zudem|Damit)\b"
        rf"[^,;:]{{0,60}}?\s)?"
        rf"(?:ist|wurde|wird)\s+(?:(?:heute|nun|jetzt|auch|offiziell)\s+)?(?:der|die|das|den)\s+"
        rf"(?P<member>{ORG}){_FROM}\s+(?:als|in|zum|bei|beim)\b"
    ),
    re.compile(
        rf"\b(?:begrüßt|begrüßen|begrüßte|heißt|heißen|welcomes|welcomed|welcome)\s+"
        rf"(?:(?:heute|nun|jetzt|offiziell|today|now)\s+)?{_ART}(?P<member>{ORG}){_FROM}\s+"
        rf"(?:als|as)\b"
    ),
    re.compile(
        rf"\b(?:[Mm]it|[Ww]ith)\s+{_ART}(?P<member>{ORG}){_FROM}\s+(?:hat|has|begrüßt|zählt|"
        rf"gewinnt|welcomes)\b"
    ),
    re.compile(
        rf"\b(?:[Mm]itglied|[Mm]ember)\b[^,;:]{{0,40}}?\s(?:ist|wird|is|was|heißt)\s+{_ART}"
        rf"(?P<member>{ORG}){_FROM}(?:\s|[.,;]|$)"
    ),
    re.compile(rf"\b(?:[Mm]itglied|[Mm]ember)\s*:\s*{_ART}(?P<member>{ORG}){_FROM}(?:\s|[.,;]|$)"),
]

# Words a subject can start with that are not organisation names.
_NOT_NAMES = re.compile(
    r"^(?:heute|damit|nun|es|er|sie|wir|ich|seit|mit|im|in|am|auch|als|so|dies\w*|mehr|"
    r"netzwerk|cluster|verein|verband|programm\w*|unternehmen|initiative|allianz|it|this|"
    r"today|now|we|they|he|she|staatssekretär\w*|minister\w*|bundesminister\w*|"
    r"parlamentarische\w*|nach|vor|bei|zum|zur|für|auf|aus|unter|während|wegen|trotz|ab|bis|"
    r"durch|gegen|ohne|um|laut|after|before|during|following|with|from|for|on|at|by)$",
    re.IGNORECASE,
)
_ADVERBS = frozenset(
    "heute damit nun es er sie wir ich seit mit im in am auch als so it this today now we they "
    # Prepositions open adverbials ("Nach der Bewerbungsrunde … sind …"), never names.
    "nach vor bei zum zur für auf aus unter während wegen trotz ab bis durch gegen ohne um laut "
    "after before during following with from for on at by"
    .split()
)
_MEMBER_WORD = re.compile(r"mitglied|member", re.IGNORECASE)
_TRAIL = re.compile(r"[\s,;:]+$")


def find_member(sentence: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(member, place, span of the member) or Nones when the sentence names no joiner."""
    for rx in _PATTERNS:
        m = rx.search(sentence)
        if not m:
            continue
        member = _TRAIL.sub("", m.group("member") or "")
        words = member.split()
        if not words or _MEMBER_WORD.search(member):
            continue
        # "Das Netzwerk" alone is no name; "Heute …", "Damit …" are no names at all.
        if _NOT_NAMES.match(words[0]) and (len(words) == 1 or words[0].lower() in _ADVERBS):
            continue
        place = (m.group("place") or "").rstrip(".,") or None
        return member, place, m.span("member")
    return None, None, None
