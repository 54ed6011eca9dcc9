"""What words mean to the detector: membership nouns and their compounds, trigger verbs by lemma,
organisation nouns, and the words that make a membership someone else's business (a board, a
parliament, a member state).

Lemmas come from HanTa's morphological models (German and English), asked once per word form
and only for words that may be trigger verbs, so "trat … bei", "beigetreten", "beizutreten"
and "tritt … bei" are one verb and an inflection nobody listed is still recognised.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .lowercase import LowerCased

_TAGGERS: dict[str, Any] = {}
_LOCK = threading.Lock()


def _tagger(lang: str) -> Any | None:
    with _LOCK:
        if lang not in _TAGGERS:
            try:
                from HanTa import HanoverTagger

                model = "morphmodel_en.pgz" if lang == "en" else "morphmodel_ger.pgz"
                _TAGGERS[lang] = HanoverTagger.HanoverTagger(model)
            except Exception:  # noqa: BLE001 - no model: the stems below still work
                _TAGGERS[lang] = None
        return _TAGGERS[lang]


@lru_cache(maxsize=50_000)
def lemma(word: str, lang: str) -> str:
    """The lemma of a word form ("beigetreten" -> "beitreten"), lower case."""
    tagger = _tagger(lang)
    if tagger is None:
        return word.lower()
    try:
        result = tagger.analyze(word, taglevel=1)
    except Exception:  # noqa: BLE001 - HanTa fails on odd forms; the form itself is the answer
        return word.lower()
    return str(result[0]).lower()


@lru_cache(maxsize=20_000)
def proper_noun(word: str, lang: str) -> bool:
    """Is a capitalised word a name or a noun ("Facebook", "Bitkom"), not an adverb or an
    adjective that only stands capitalised because it starts the sentence ("Allein", "Just")?"""
    tagger = _tagger(lang)
    if tagger is None:
        return True
    try:
        pos = str(tagger.analyze(word, taglevel=1)[1])
    except Exception:  # noqa: BLE001 - an unknown form: treat it as a name
        return True
    return pos.startswith(("NE", "NN", "NP", "FM")) if lang == "de" else pos.startswith(("NP", "NN", "FW"))


@lru_cache(maxsize=20_000)
def participle(word: str, lang: str) -> bool:
    """A past participle ("entwickelt", "vorgestellt", "presented"): "haben" before it is an
    auxiliary, not "have" as in "has 120 members"."""
    tagger = _tagger(lang)
    if tagger is None:
        return False
    try:
        pos = str(tagger.analyze(word, taglevel=1)[1])
    except Exception:  # noqa: BLE001
        return False
    return pos.endswith("(PP)") or pos in ("VVN", "VHN", "VBN")


# Stems that may begin a trigger verb's forms: only words starting so are given to HanTa.
_VERB_CANDIDATE = re.compile(
    r"^(?:zähl|verein|umfass|vertr|verbind|bündel|gehör|angehör|tret|trit|trat|beitr|beigetr|"
    r"nehm|nahm|nimm|genomm|aufgenomm|aufnehm|aufzunehm|begrüß|heiß|wachs|wächs|wuchs|gewachs|"
    r"steig|stieg|gestieg|erhöh|repräsent|organisier|hab|hat|hatt|sind|ist|war|wurd|werd|nutz|verfüg|"
    r"zusammengeschloss|gratul|angeschloss|anschließ|organisiert|"
    r"join|welcom|admit|represent|compris|unit|grow|grew|count|accept|becam|becom|brings|bring|"
    r"feier|celebr|erreich|reach|gewinn|verzeichn|meld|announc|freu|belong|boast|"
    r"(?:has|have|had|is|are|was|were)$|numb|total|reach|includ|enlist|sign|ratif|added$|adds$|add$|"
    r"bild|form(?:s|ed|ing)?$|eingetr|einzutr|zertifiz)"
)

COUNT_VERBS = frozenset(
    "zählen vereinen umfassen bündeln verbinden vertreten repräsentieren organisieren haben angehören "
    "nutzen zusammenschließen verfügen anschließen boast bestehen ausweisen aufweisen "
    "represent comprise unite count have include bring number total consist".split()
)
# Verbs whose subject is the organisation whose membership grows ("Der VDMA begrüßt sein …").
OWNER_VERBS = frozenset(
    "begrüßen welcome feiern celebrate erreichen reach gewinnen zählen haben have aufnehmen "
    "verzeichnen melden announce freuen vermelden".split()
)
GROWTH_VERBS = frozenset("wachsen steigen erhöhen grow rise increase reach".split())
JOIN_VERBS = frozenset("beitreten eintreten join hinzukommen".split())
ADMIT_VERBS = frozenset("aufnehmen admit accept induct".split())
WELCOME_VERBS = frozenset("begrüßen welcome".split())
# Verbs whose lemma HanTa gets wrong for some forms ("umfasst" as an adjective).
_FALLBACK = {
    "besteht": "bestehen", "bestehen": "bestehen", "consists": "consist", "consist": "consist",
    "umfasst": "umfassen", "umfasste": "umfassen", "umfassen": "umfassen", "vereint": "vereinen",
    # "Insgesamt 2311 Mitglieder vereinigt der Fachverband": the same verb as vereinen
    "vereinigt": "vereinen", "vereinigen": "vereinen", "vereinigte": "vereinen", "vereinigten": "vereinen",
    # "weist 1,2 Millionen Mitgliedschaften aus", "… Mitgliedschaften aufweisen": a federation's statistics
    "weist": "weisen", "weisen": "weisen", "wies": "weisen", "aufweisen": "aufweisen", "ausweisen": "ausweisen",
    "welcomes": "welcome", "welcomed": "welcome", "welcoming": "welcome", "counts": "count",
    "unites": "unite", "united": "unite", "numbers": "number", "totals": "total", "brings": "bring",
    "beitreten": "beitreten", "beigetreten": "beitreten", "includes": "include", "included": "include",
    "including": "include", "joining": "join", "joins": "join", "joined": "join",
    "eingetreten": "eintreten", "einzutreten": "eintreten", "zertifiziert": "zertifizieren",
    "bilden": "bilden", "bildet": "bilden", "bildeten": "bilden", "form": "form", "forms": "form",
    "forming": "form", "formed": "form",
    # coming in as a newcomer: "A, B und C sind in diesem Frühjahr dazugekommen", "Hinzu kommen A und B"
    "hinzugekommen": "hinzukommen", "dazugekommen": "hinzukommen", "hinzukommen": "hinzukommen",
    "dazukommen": "hinzukommen", "kommen": "kommen", "kommt": "kommen", "kamen": "kommen", "kam": "kommen",
    # clubs induct their new members: "He inducted new member Josh Pierson"
    "induct": "induct", "inducts": "induct", "inducted": "induct", "inducting": "induct",
}


@lru_cache(maxsize=50_000)
def verb_lemma(low: str, lang: str) -> str | None:
    """The lemma of a word that may be a trigger verb, else None (cheaply, without HanTa; asked
    for every word of every sentence read, so remembered per word form)."""
    if low in _FALLBACK:
        return _FALLBACK[low]
    if _VERB_CANDIDATE.match(low) is None:
        return None
    return lemma(low, lang)


# --- membership nouns ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MemberNoun:
    """A word that names members: "Mitglieder", "Mitgliedsunternehmen", "IHK-Mitglieder",
    "member companies". ``owner`` is an organisation named inside the compound ("IHK");
    ``new`` marks "Neumitglied"; ``count_noun`` marks "Mitgliederzahl", "membership"."""

    owner: str | None = None
    new: bool = False
    count_noun: bool = False


# Heads after "Mitglied(s|er)-" that are still members ("Mitgliedsunternehmen").
_MEMBER_HEADS = (
    "unternehmen", "firma", "firmen", "betrieb", "kommune", "netzwerk", "cluster", "organisation",
    "verband", "verbände", "verein", "institution", "einrichtung", "städte", "stadt", "gemeinde",
    "hochschule", "kammer", "gesellschaft", "genossenschaft", "bank", "initiative",
    "kreis", "landkreis", "school", "schule", "universität", "institut", "zahl",
    "stand", "bestand", "zuwachs", "wachstum", "werbung", "rekord",
)
_COUNT_HEADS = ("zahl", "stand", "bestand", "rekord")
_NOT_HEADS = ("staat", "versammlung", "beitr", "ausweis", "bereich", "login", "service", "vorteil",
              "liste", "verzeichnis", "magazin", "zeitschrift", "info", "rundschreiben", "karte",
              "antrag", "aufnahme", "status", "schaft", "recht", "pflicht", "gebühr", "tag", "treffen",
              "abend", "portal", "newsletter", "umfrage", "befragung", "meldung", "sitzung")
# Modifiers before "-mitglied" that make it someone else's membership (board, jury, parliament)
# or no news (founding members, honorary members).
_NOT_OWNERS = re.compile(
    r"^(?:vorstand|vorstands|ehren|jury|beirat|beirats|aufsichtsrat|aufsichtsrats|präsidium|präsidiums|"
    r"kuratorium|kuratoriums|gründung|gründungs|team|fraktion|fraktions|kommission|kommissions|"
    r"ausschuss|ausschuß|gremium|gremien|gremiums|rat|rats|stadtrat|gemeinderat|kreistag|"
    r"kreistags|landtag|landtags|bundestag|bundestags|parlament|parlaments|partei|kabinett|"
    r"kabinetts|familie|familien|ensemble|orchester|chor|mannschaft|besatzung|crew|senat|"
    r"senats|regierung|regierungs|eu|nato|uno|un|ordens|kapitel|jugend|ex|alt|lebenszeit|"
    r"verwaltungsrat|verwaltungsrats|stiftungsrat|stiftungsrats|lenkungs|lenkungskreis|"
    r"fach|prüfungs|berufungs|wahl|haupt|vollversammlung|vollversammlungs|versammlungs|delegierten)-?$"
)
_PLAIN_PREFIX = re.compile(r"^(?:neu|voll|förder|fördernde?|assoziiert|ordentlich|einzel|firmen|"
                           r"unternehmens|kooperations|gast|premium|basis|korrespondierend|direkt|aktiv|passiv|gesamt|stamm|"
                           r"privat|außerordentlich|korporativ|institutionell|persönlich|regulär|stimmberechtigt)-?$")


@lru_cache(maxsize=20_000)
def member_noun(word: str) -> MemberNoun | None:
    """Compound analysis of a word containing "mitglied"/"member"; None when it names no members
    clusterwatch watches (board members, member states, "Mitgliederversammlung")."""
    low = word.lower()
    if low == "mitgliedschaften":
        return MemberNoun()  # "28 Millionen Mitgliedschaften": a sports federation's members, counted
    at = low.find("mitglied")
    if at >= 0:
        prefix = low[:at].rstrip("-")
        rest = low[at + len("mitglied"):]
        rest = re.sub(r"^(?:ern|er|es|s|e|n)?-?", "", rest, count=1)
        if rest:
            if rest.startswith(_NOT_HEADS) or not rest.startswith(_MEMBER_HEADS):
                return None
            count_noun = rest.startswith(_COUNT_HEADS)
        else:
            count_noun = False
        if not prefix:
            return MemberNoun(count_noun=count_noun)
        if _NOT_OWNERS.match(prefix):
            return None
        if _PLAIN_PREFIX.match(prefix):
            return MemberNoun(new=prefix.startswith("neu"), count_noun=count_noun)
        original = word[:at].rstrip("-")
        # "IHK-Mitglieder", "Vereinsmitglieder", "go-cluster-Mitglied": members of that body.
        return MemberNoun(owner=original or None, count_noun=count_noun)
    if low.startswith(("neuzug", "neuaufnahme")):
        return MemberNoun(new=True)  # "19 Neuzugänge", "acht Neuaufnahmen"
    if low in ("member", "members", "membership", "memberships"):
        return MemberNoun(count_noun=low.startswith("membership"))
    return None


# Nouns for members that are organisations or places ("41 Netzwerke als Mitglieder").
ORG_PLURALS = re.compile(
    r"^(?:\w*(?:unternehmen|firmen|betriebe|betrieben|kommunen|netzwerke|netzwerken|cluster|clustern|"
    r"clusterinitiativen|organisationen|verbände|verbänden|vereine|vereinen|institutionen|"
    r"einrichtungen|städte|städten|gemeinden|hochschulen|kammern|gesellschaften|genossenschaften|"
    r"banken|initiativen|landkreise|landkreisen|kreise|kreisen|institute|instituten|partner|"
    r"mitgliedsunternehmen|akteure|akteuren|startups|start-ups|kmu|mittelständler|hersteller|unternehmer|"
    r"unternehmerinnen|weltstädte|weltstädten|bürgervereine|"
    r"zulieferer|dienstleister|forschungseinrichtungen|universitäten|schulen|regionen|managements|innungen|"
    r"sektionen|ortsgruppen|ortsvereine|mitgliedsvereine|sportvereine|clubs|klubs)|"
    r"companies|organisations|organizations|networks|clusters|firms|businesses|institutions|"
    r"associations|municipalities|cities|universities|authorities|agencies|utilities|operators|hospitals|museums|enterprises|smes|partners|members|colleges|"
    r"manufacturers|suppliers|startups|start-ups|chambers|societies|regions|institutes|schools|towns|villages|"
    r"counties|churches|airlines|foundations|ngos|cooperatives|federations|unions|chöre|chören|tafeln)$"
)

# German sports clubs' abbreviations, which head a club's name before its place or year ("TV
# Neustadt", "SG 1851"; "TV" alone is television).
CLUB_ABBREVIATIONS = frozenset("TV SV TSV VfB VfL VfR FC SC TuS TSG SG SpVgg SpVg DJK ESV SSV PSV BSC FSV TG TB KSV "
                               "RSV SSC ASV HSV BV TuRa MTV SuS".split())

# What has members, what one joins: an association, a network, a chamber, a club ("e. V." too);
# not a company group or a programme of works.
MEMBERSHIP_BODY = re.compile(r"netzwerk|network|allianz|alliance|verband|association|verein|cluster|initiative|bündnis|"
                             r"koalition|coalition|konsortium|consortium|federation|föderation|forum|partnerschaft|"
                             r"kammer|chamber|club|klub|council|society|e\.\s?v\.", re.IGNORECASE)

# Words that name an organisation when they head a name ("Verband", "Netzwerk", "Chamber").
# (LowerCased: asked of lower-cased text first, several times faster on text without a match.)
ORG_HEADS = LowerCased(re.compile(
    r"(?:verein|verband|verbände|netzwerk|cluster|initiative|allianz|bündnis|kammer|ihk|hwk|"
    r"programm|plattform|forum|gesellschaft|genossenschaft|vereinigung|\w*gemeinschaft|kompetenznetz\w*|"
    r"kompetenzzentrum|kompetenznetz|zentrum|akademie|gilde|innung|club|klub|föderation|"
    r"bund|verbund|ring|kreis|konsortium|stiftung|institut|agentur|region|association|network|alliance|"
    r"chamber|federation|council|society|consortium|coalition|initiative|partnership|platform|"
    r"programme|program|union|league|group|forum|foundation|institute|cooperative|"
    r"organisation|organization|club|guild|hub\b|netz\b|gmbh|e\.\s?v\.)",
    re.IGNORECASE,
))

# Bodies whose members are people or states: never whose membership clusterwatch reports.
NOT_PROGRAMMES = LowerCased(re.compile(
    r"(?:vorstand|präsidium|beirat|aufsichtsrat|kuratorium)\w*\b|"
    r"\b(?:bundestag\w*|landtag\w*|parlament\w*|parliament\w*|bundesrat\w*|stadtrat\w*|ortschaftsrat\w*|bezirksrat\w*|ortsrat\w*|"
    r"gemeinderat\w*|kreistag\w*|kabinett\w*|vorstand\w*|vorstände\w*|aufsichtsrat\w*|präsidium\w*|"
    r"jury|beirat\w*|kuratorium\w*|geschäftsführung|familie\w*|family|board\w*|team\w*|"
    r"europäischen union|europäische union|eu|european union|nato|vereinten nationen|"
    r"united nations|un|mitgliedstaat\w*|member states?|fraktion\w*|regierung\w*|kommission|"
    r"commission|senat\w*|ausschuss\w*|committee\w*|gremium\w*|gremien|staff|crew|cast|"
    r"council of ministers|congress|house of \w+|partei\w*|party|ensemble|orchester|chor|bürgerschaft|"
    r"delegation|abordnung|north atlantic treaty|treaty organi[sz]ation|member states?|mdb|mdl|mdep|mep|mps?|"
    r"city council|town council|county council|borough council|parish council)\b",
    re.IGNORECASE,
))
