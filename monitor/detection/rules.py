"""The rules: one regular expression per phrasing, each with a name for explainability.

Rules run on a sentence whose number words are already digits. A rule only fires on a
phrasing that states a programme-wide figure (a count verb, "die Zahl der Mitglieder … auf",
"die N Mitglieder von X"); a bare "N Mitglieder" is left alone because press releases use it
for subsets and attendance far more often than for totals. The trap filters below remove
what the phrasings still let through (growth, history, parliaments, enumerations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import Kind
from .numbers import NUM, ORD_DE, ORD_EN

QUALIFIERS = (
    r"weit über|deutlich über|mehr als|knapp über|über|rund|etwa|ca\.|circa|knapp|fast|"
    r"nahezu|gut|annähernd|mindestens|more than|well over|over|about|around|nearly|almost|"
    r"some|approximately|roughly|at least|close to"
)
Q = rf"(?:(?P<q>(?i:{QUALIFIERS}))\s+)?"
ADV = (
    r"(?:(?:inzwischen|mittlerweile|aktuell|derzeit|zurzeit|gegenwärtig|momentan|bereits|schon|"
    r"nun|jetzt|heute|damit|insgesamt|nunmehr|stolze|beachtliche|now|currently|already|today|"
    r"presently|at present|meanwhile|in total|altogether|nach eigenen Angaben|eigenen Angaben "
    r"zufolge|laut eigenen Angaben|according to its own figures)\s+){0,3}"
)
N = rf"(?P<n>{NUM})"
_PREFIX = r"(?:(?P<pp>[„“‚‘\"]?[\w.-]{1,30}[“‘\"’”]?)-)?"
MEMBERS_DE = (
    rf"{_PREFIX}(?:(?:Cluster|Netzwerk|Programm|Allianz|Verbands|Vereins)?[Mm]itglieder(?:n)?\b|"
    rf"Mitglieds(?:unternehmen|organisationen|cluster|netzwerke|einrichtungen|firmen)\b)"
)
COLLECTIVE_DE = (
    r"(?:Innovationscluster(?:n)?|Cluster(?:initiativen|organisationen|managements|n)?|"
    r"Netzwerke(?:n)?|Kompetenznetze(?:n)?)\b"
)
MEMBERS_EN = (
    r"(?:(?P<pp>go-cluster|[A-Z][\w-]{1,30}|„[^“]{1,30}“|\"[^\"]{1,30}\")\s+)?"
    r"(?:members\b|member\s+(?:companies|organi[sz]ations|clusters|networks|institutions|firms)\b)"
)
MEMBER_SG_DE = (
    rf"{_PREFIX}(?:Cluster|Netzwerk|Programm)?[Mm]itglied"
    r"(?:s(?:unternehmen|organisation|cluster))?\b"
)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    kind: Kind
    pattern: re.Pattern[str]
    # Lower-case words of which the sentence must contain one, checked with `in` before the
    # regex runs: most sentences fail this and cost nothing more.
    needs: tuple[str, ...]
    # And, if given, one of these as well.
    also: tuple[str, ...] = ()

    def applies(self, present: frozenset[str]) -> bool:
        """Can this rule fire on a sentence, given the anchor words found in it?"""
        return not present.isdisjoint(self.needs) and (
            not self.also or not present.isdisjoint(self.also)
        )


_DE = ("mitglied",)
_EN = ("member",)
_BOTH = ("mitglied", "member")
# "vereint 80 Innovationscluster" has no membership word; its verb is the gate instead.
_COUNT_VERBS = (
    "zählt", "zählen", "umfass", "verein", "hat ", "haben ", "verfüg", "bündel", "besteht",
    "versammel", "repräsent",
)


_COLLECTIVE_WORDS = ("mitglied", "cluster", "netzwerke", "netze")


def _r(
    name: str, kind: Kind, pattern: str, needs: tuple[str, ...] = _DE, also: tuple[str, ...] = ()
) -> Rule:
    return Rule(name, kind, re.compile(pattern), needs, also)


RULES: tuple[Rule, ...] = (
    # --- the Nth member
    _r("ordinal_de", "member_ordinal",
       rf"{ORD_DE}\s+(?:(?:neue[sn]?|offizielle[sn]?|jüngste[sn]?)\s+)?{MEMBER_SG_DE}"),
    _r("ordinal_en", "member_ordinal",
       rf"{ORD_EN}\s+(?:(?:new|official|newest)\s+)?{MEMBERS_EN.replace('members', 'member')}"
       r"(?!\s+(?:states?|countr))",
       _EN, ("th ", "st ", "nd ", "rd ")),
    _r("member_number", "member_ordinal",
       rf"\b(?:[Mm]itglied|[Mm]ember)\s+(?i:Nummer|Nr\.|No\.|number|#)\s*(?P<ord>{NUM})",
       _BOTH, ("nummer", "nr.", "no.", "number", "#")),
    _r("membership_number", "member_ordinal",
       rf"\b(?:[Mm]itgliedsnummer|[Mm]embership number)\s+(?P<ord>{NUM})",
       ("mitgliedsnummer", "membership number")),
    # --- how many members
    _r("count_verb_de", "member_count",
       rf"\b(?:zählt|zählen|umfasst|umfassen|vereint|vereinen|vereinigt|hat|haben|verfügt über|"
       rf"verfügen über|bündelt|bündeln|besteht aus|versammelt|repräsentiert)\s+{ADV}{Q}{N}\s+"
       rf"(?:{MEMBERS_DE}|{COLLECTIVE_DE})", _COUNT_VERBS, _COLLECTIVE_WORDS),
    _r("count_verb_subject_de", "member_count",
       rf"\b(?:zählt|hat|umfasst|vereint)\s+(?:der|die|das)\s+(?:[A-ZÄÖÜ][\w.-]{{0,40}}\s+){{1,4}}?"
       rf"{ADV}{Q}{N}\s+(?:{MEMBERS_DE}|{COLLECTIVE_DE})", _COUNT_VERBS, _COLLECTIVE_WORDS),
    _r("count_inverted_de", "member_count",
       rf"^{ADV}{Q}{N}\s+{MEMBERS_DE}\s+(?:zählt|hat|umfasst|vereint|hat)\b",
       _DE, ("zählt", "hat", "umfasst", "vereint")),
    _r("count_use_de", "member_count",
       rf"\b(?:nutzen|gehören)\s+{ADV}(?:weiterhin\s+)?{Q}{N}\s+(?:{MEMBERS_DE}|{COLLECTIVE_DE})"
       r"(?=\s+(?:die|das|den|an)\b)",
       ("nutzen", "gehören"), _COLLECTIVE_WORDS),
    # "Zum Start gehören dem Programm 41 Cluster an", "gehören dem Exzellenzprogramm go-cluster
    # jetzt 93 Cluster an": the dative names the programme, the separable "an" closes it.
    _r("count_belong_de", "member_count",
       rf"\bgehören\s+(?:dem|der|den)\s+(?:[^.;:,]|\.(?=\d)){{1,60}}?\s{ADV}(?:weiterhin\s+)?{Q}{N}\s+"
       rf"(?:{MEMBERS_DE}|{COLLECTIVE_DE})\s+an\b",
       ("gehören",), _COLLECTIVE_WORDS),
    _r("count_total_de", "member_count",
       rf"\b(?:[Dd]ie|[Aa]lle|sämtliche|[Ss]eine|[Ii]hre|[Uu]nsere)\s+{ADV}{Q}{N}\s+{MEMBERS_DE}"
       r"(?:(?=\s+(?:von|des|der|im|bei)\s)|(?<=-Mitglieder)|(?<=-Mitgliedern))",
       _DE, ("die ", "alle", "sämtliche", "seine", "ihre", "unsere")),
    _r("count_with_de", "member_count",
       rf"\b(?:[Mm]it|[Ss]amt)\s+(?:(?:seinen|ihren|unseren|den)\s+)?"
       rf"(?:inzwischen|mittlerweile|aktuell|derzeit|jetzt|nun|heute|insgesamt|nunmehr)\s+"
       rf"{Q}{N}\s+{MEMBERS_DE}",
       ("mit ", "samt "), _DE),
    _r("count_with_possessive_de", "member_count",
       rf"\b(?:[Mm]it|[Ss]amt)\s+(?:seinen|ihren|unseren)\s+{Q}{N}\s+{MEMBERS_DE}",
       ("seinen", "ihren", "unseren"), _DE),
    _r("count_number_of_de", "member_count",
       rf"(?:Zahl der {MEMBERS_DE}|Mitglieder(?:an)?zahl)[^;:]{{0,80}}?\b(?:auf|bei|beträgt)"
       rf"\s+{ADV}{Q}{N}(?!\s*(?:Prozent|%|Jahre|Euro|Mio))\b",
       ("zahl",), _DE),
    _r("count_inverted_number_of_de", "member_count",
       rf"\b[Aa]uf\s+{Q}{N}\s+(?:ist|sind)\s+(?:\w+\s+){{0,2}}?(?:die\s+Zahl\s+der\s+{MEMBERS_DE}|"
       rf"die\s+Mitglieder(?:an)?zahl)",
       ("zahl",), ("auf ",)),
    _r("count_grown_to_de", "member_count",
       rf"\bauf\s+{Q}{N}\s+{MEMBERS_DE}\s+(?:[a-zäöüß]+\s+){{0,3}}?(?:gewachsen|angewachsen|"
       rf"gestiegen|angestiegen|erhöht|vergrößert|ausgebaut|erweitert)",
       ("auf ",), ("gewachsen", "gestiegen", "erhöht", "vergrößert", "ausgebaut", "erweitert")),
    _r("count_grows_to_de", "member_count",
       rf"\b(?:wächst|wuchs|steigt|stieg)\s+(?:\w+\s+){{0,3}}?auf\s+{Q}{N}\s+{MEMBERS_DE}",
       ("wächst", "wuchs", "steigt", "stieg"), _DE),
    # No leading qualifier group here: tried at every position it made this rule the slowest;
    # the detector reads a qualifier before the number instead.
    _r("count_reached_de", "member_count",
       rf"{N}\s+{MEMBERS_DE}\s+(?:sind|ist|wurden)\s+(?:(?:jetzt|nun|damit|inzwischen)\s+)?"
       r"(?:erreicht|geschafft)",
       ("erreicht", "geschafft"), _DE),
    _r("count_mark_de", "member_count",
       rf"\b(?:Marke|Schwelle|Grenze)\s+von\s+{Q}{N}\s+{MEMBERS_DE}",
       ("marke", "schwelle", "grenze"), _DE),
    _r("count_mark_compound_de", "member_count", rf"\b{N}-Mitglieder-Marke\b",
       ("-mitglieder-marke",)),
    _r("count_sind_es_de", "member_count",
       rf"\b(?:[Hh]eute|[Ii]nzwischen|[Mm]ittlerweile|[Aa]ktuell|[Dd]erzeit|[Jj]etzt|[Nn]un)\s+"
       rf"sind\s+es\s+{ADV}{Q}{N}(?!\s*(?:Prozent|%|Jahre|Euro|Mio|\.\d))\b",
       ("sind es",)),
    _r("count_verb_en", "member_count",
       rf"\b(?:has|have|counts|count|comprises|comprise|unites|unite|numbers|boasts|includes|"
       rf"brings together|totals)\s+{ADV}{Q}{N}\s+{MEMBERS_EN}",
       ("has", "have", "count", "comprise", "unite", "numbers", "boasts", "includes",
        "brings together", "totals"), _EN),
    _r("count_use_en", "member_count",
       rf"\b(?:[Cc]urrently|[Tt]oday|[Aa]t present|[Nn]ow|[Pp]resently)\s*,?\s+{Q}{N}\s+{MEMBERS_EN}"
       r"\s+(?:make use of|use|belong to|are part of|participate in|take part in|benefit from)",
       ("currently", "today", "at present", "now", "presently"), _EN),
    _r("count_number_of_en", "member_count",
       rf"\b(?:number of {MEMBERS_EN}|(?i:membership))\b[^;:]{{0,60}}?\b(?:to|at|reached)\s+{Q}{N}\b"
       r"(?!\s*(?:per ?cent|%|years))",
       ("number of", "membership")),
    _r("count_grown_to_en", "member_count",
       rf"\b(?:grown|risen|increased|expanded|grew|rose)\s+to\s+{Q}{N}\s+{MEMBERS_EN}",
       ("grown", "risen", "increased", "expanded", "grew", "rose"), _EN),
    _r("count_total_en", "member_count",
       rf"\b(?:[Tt]he|[Aa]ll|[Ii]ts|[Tt]heir)\s+{Q}{N}\s+{MEMBERS_EN}(?=\s+of\s)",
       _EN, ("the ", "all ", "its ", "their ")),
    _r("count_with_en", "member_count",
       rf"\bwith\s+(?:its|their|now|currently|today)\s+{Q}{N}\s+{MEMBERS_EN}",
       ("with ",), _EN),
    _r("count_there_are_en", "member_count",
       rf"\bthere are\s+(?:now|currently|today|already)\s+{Q}{N}\s+{MEMBERS_EN}",
       ("there are",)),
    _r("count_reached_en", "member_count",
       rf"\b(?:reached|passed|hit|crossed)\s+(?:the\s+)?(?:mark of\s+|milestone of\s+)?{Q}{N}\s+"
       rf"{MEMBERS_EN}",
       ("reached", "passed", "hit", "crossed"), _EN),
    # --- an organisation joins
    _r("new_member_de", "new_member",
       r"\b(?:ist|sind|wird|werden)\s+(?:(?:ab sofort|seit heute|seit kurzem|offiziell|nun|jetzt|"
       r"auch)\s+)*(?:neues|neuestes|jüngstes)\s+Mitglied\s+(?:im|in der|in dem|des|der|bei|beim|"
       r"von)\s",
       ("neues mitglied", "neuestes mitglied", "jüngstes mitglied")),
    _r("new_heading_de", "new_member",
       r"^(?:Neu|Neues Mitglied|Neue Mitglieder|New member|New in)\s+(?:im|in der|bei|beim|of|in|at)"
       r"\s[^:]{2,80}:\s", ("neu im", "neu in", "neu bei", "new in", "new member")),
    _r("now_member_de", "new_member",
       r"\b(?:ist|sind)\s+(?:ab sofort|seit heute|seit kurzem|jetzt|nun|nunmehr|ab heute|"
       r"seit (?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
       r"Dezember|diesem Monat|dieser Woche|diesem Jahr))\s+"
       r"(?:auch\s+|offiziell\s+)?Mitglied\s+(?:im|in der|des|der|bei|beim)\s",
       _DE, ("ab sofort", "seit", "jetzt", "nun", "ab heute")),
    _r("admitted_de", "new_member",
       r"\b(?:wurde|wurden|ist|sind|wird)\b[^;:]{0,80}?\bin\s+(?:das|die|den)\s+[^;:]{2,80}?\s"
       r"aufgenommen\b", ("aufgenommen",)),
    # "X und Y sind neu im Exzellenzprogramm go-cluster": admission without the word Mitglied.
    _r("new_in_de", "new_member",
       r"\b(?:ist|sind)\s+(?:(?:ab sofort|seit kurzem|seit heute|jetzt|nun|nunmehr)\s+)?neu\s+"
       r"(?:im|in der|in dem|bei|beim)\s+(?:\S+\s+){0,2}?(?:[„“\"‚]?go-cluster|[\w-]*[Pp]rogramm|"
       r"[\w-]*[Nn]etzwerk|[\w-]*[Vv]erband|[\w-]*[Vv]erein|Allianz|Cluster\b|Bündnis|Initiative)",
       ("neu im", "neu bei", "neu in"), ("cluster", "netzwerke", "mitglied")),
    _r("as_new_member_de", "new_member",
       r"\bals\s+(?:neues|neuestes|weiteres|jüngstes)\s+Mitglied\b",
       ("als neues", "als neuestes", "als weiteres", "als jüngstes")),
    _r("joins_de", "new_member",
       r"\b(?:tritt|treten|trat)\s+(?:\S{1,40}\s+){1,7}?bei(?=\s*[.,;!?\"“”]|$)",
       ("tritt", "trat", "treten"), ("bei",)),
    _r("joined_de", "new_member",
       r"\b(?:ist|sind)\s+(?:\S{1,40}\s+){1,6}?beigetreten\b", ("beigetreten",)),
    _r("joined_en", "new_member",
       r"\b(?:has joined|have joined|joined|joins|is joining|will join)\s+(?:the\s+)?"
       r"(?!forces|us\b|hands)", ("join",)),
    _r("became_member_en", "new_member",
       r"\b(?:has become|became|becomes|is now|is the newest|is the latest)\s+(?:a\s+|an\s+|the\s+)?"
       r"(?:new(?:est)?\s+|latest\s+|official\s+)?member\s+of\b",
       ("member of",)),
    _r("welcome_en", "new_member",
       r"\b(?:welcomes|welcomed|welcome)\s+[^;:]{1,80}?\bas\s+(?:a\s+|its\s+|their\s+)?"
       r"(?:new(?:est)?|latest)\s+member\b",
       ("welcome",), _EN),
    _r("admitted_en", "new_member", r"\b(?:was|were|has been|have been)\s+admitted\s+(?:to|into)\b", ("admitted",)),
)

# Every rule needs one of these words; testing a dozen substrings first is what lets the
# detector skip most sentences, and only then are the rules' own anchor words tested.
CORE_WORDS = (
    "mitglied", "member", "aufgenommen", "tritt", "trat", "treten", "beigetreten", "join",
    "admitted", "cluster", "netzwerke", "netze",
)


def _core_of(words: tuple[str, ...]) -> frozenset[str] | None:
    """Core words implied by an any-of tuple: only if each alternative contains one."""
    implied = [frozenset(c for c in CORE_WORDS if c in w) for w in words]
    if words and all(implied):
        return frozenset().union(*implied)
    return None


_RULE_CORE = tuple(
    (rule, _core_of(rule.needs) or _core_of(rule.also) or frozenset(("mitglied", "member")))
    for rule in RULES
)


def core_present(low: str) -> frozenset[str]:
    """The core words found in a lower-cased text (substring tests, no regex)."""
    return frozenset(filter(low.__contains__, CORE_WORDS))


@lru_cache(maxsize=4096)
def _candidates(
    core: frozenset[str], numeric: bool
) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """Rules possible with these core words, and the anchor words those rules test. Without
    a numeral in the sentence only the new-member rules can fire."""
    rules = tuple(
        rule
        for rule, needed in _RULE_CORE
        if not core.isdisjoint(needed) and (numeric or rule.kind == "new_member")
    )
    anchors = tuple(sorted({w for rule in rules for w in (*rule.needs, *rule.also)}))
    return rules, anchors


def applicable(low: str, core: frozenset[str], numeric: bool = True) -> list[Rule]:
    """The rules that can fire on a lower-cased sentence with these core words."""
    return list(_select(core, numeric, anchors_present(low, core, numeric)))


def select(core: frozenset[str], present: frozenset[str]) -> tuple[Rule, ...]:
    """The rules that can fire given core words and anchor words (see anchors_present)."""
    return _select(core, True, present)


def anchors_present(low: str, core: frozenset[str], numeric: bool = True) -> frozenset[str]:
    """The anchor words of the rules possible with these core words that occur in `low`."""
    return frozenset(filter(low.__contains__, _candidates(core, numeric)[1]))


def applicable_within(
    low: str, core: frozenset[str], present: frozenset[str]
) -> tuple[frozenset[str], list[Rule]]:
    """(core, rules) of a part of a text whose core and anchor words are known: a part only
    holds words the whole holds, so only those few are tested again."""
    part_core = frozenset(filter(low.__contains__, core))
    if not part_core:
        return part_core, []
    part_present = frozenset(filter(low.__contains__, present))
    return part_core, list(_select(part_core, True, part_present))


@lru_cache(maxsize=8192)
def _select(core: frozenset[str], numeric: bool, present: frozenset[str]) -> tuple[Rule, ...]:
    # Sentences repeat the same few anchor combinations: deciding once per combination keeps
    # the per-rule tests off the hot path.
    return tuple(rule for rule in _candidates(core, numeric)[0] if rule.applies(present))


# Qualifiers in one (English) vocabulary, whatever the language of the release.
_QUALIFIER_NAMES = {
    "weit über": "well over", "deutlich über": "well over", "knapp über": "just over",
    "über": "over", "rund": "about", "etwa": "about", "ca.": "about", "circa": "about",
    "around": "about", "some": "about", "approximately": "about", "roughly": "about",
    "mehr als": "more than", "knapp": "nearly", "fast": "nearly", "nahezu": "nearly",
    "annähernd": "nearly", "almost": "nearly", "close to": "nearly", "gut": "over",
    "mindestens": "at least",
}


def canonical_qualifier(text: str) -> str:
    """"über" -> "over", "rund" -> "about"; English qualifiers mostly stay as they are."""
    key = " ".join(text.lower().split())
    return _QUALIFIER_NAMES.get(key, key)


# A qualifier right before a number, for rules that do not capture one themselves.
QUALIFIER_BEFORE = re.compile(rf"(?i:{QUALIFIERS})\s+$")

# --- trap filters
# "Das Netzwerk feiert sein 150. Mitglied": the subject is the programme, not the member.
POSSESSIVE_BEFORE = re.compile(
    r"\b(?:[Ss]ein|[Ss]eine[nms]?|[Ii]hr|[Ii]hre[nms]?|[Ii]ts|[Tt]heir|[Uu]nser|[Uu]nsere[nms]?|"
    r"[Oo]ur)\s+$"
)
# "jedes dritte Mitglied" is a share, not the third member.
SHARE_BEFORE = re.compile(r"\b(?:[Jj]ede[srnm]?|[Ee]very|[Ee]ach)\s+$")
GROWTH_BEFORE = re.compile(rf"\b(?:um|by)\s+(?:(?i:{QUALIFIERS})\s+)?$")
HISTORY_IN = re.compile(
    r"\b(?:damals|ursprünglich|anfangs|einst|originally|initially|then|at the time)\b", re.I
)
HISTORY_AFTER = re.compile(
    r"^[^,;]{0,50}?\b(?:gegründet|gestartet|begonnen|angefangen|gestartet|founded|started|"
    r"launched|established|waren|were)\b",
    re.I,
)
NOT_MEMBERSHIP_PREFIX = re.compile(
    r"gründung|founding|ehren|honorary|vorstand|board|familie|family|staff|team|former|"
    r"ehemalig|neue|new|fraktion|parlament|bundestag|landtag|eu",
    re.I,
)
# "die drei go-cluster-Mitglieder X, Y und Z": a list of names right after is a subset.
ENUMERATION_AFTER = re.compile(
    r"^\s*(?::|[„“\"‚]?[A-ZÄÖÜ][^,;:]{0,60},\s|[„“\"‚]?[A-ZÄÖÜ][^,;:]{0,60}\s(?:und|and)\s[A-ZÄÖÜ])"
)
