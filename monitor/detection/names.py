"""Noun phrases of a sentence: which token runs name something, with the word before them
(article, preposition) that tells their role, and whether they name an organisation.

German capitalises every noun, so a name is not "the capitalised words": a run stops at time
words ("Anfang Mai"), pronouns, membership words, and anything in lower case that is not a
connector inside a name ("Verband für Wasserstoff und Brennstoffzellen").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import CLUB_ABBREVIATIONS, NOT_PROGRAMMES, ORG_HEADS, ORG_PLURALS
from .tokens import Token, tokenize

DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines the a an unser unsere unserem unseren "
    "unserer our its their sein seine seinem seinen seiner ihr ihre ihrem ihren ihrer this these "
    "dieser diese dieses diesem diesen".split()
)
POSSESSIVES = frozenset(
    "unser unsere unserem unseren unserer our its their sein seine seinem seinen seiner ihr ihre "
    "ihrem ihren ihrer".split()
)
PREPOSITIONS = frozenset(
    "in im ins bei beim zum zur von vom mit aus für an am auf unter über nach vor of to into at "
    "with from for by within among seit während durch gegen ohne um bis ab laut wegen trotz dank "
    "gemäß zu zwischen neben hinter on since during after before through under across via per "
    "like".split()
)
_CONNECTORS = frozenset("für und der des von zur zum & of for and the de la du e".split())
_STOP = frozenset(
    """
    anfang ende mitte januar februar märz april mai juni juli august september oktober november
    dezember january february march june july october december jahr jahre jahren jahres heute
    damit nun jetzt seit im am in mit als zum zur bei für auf aus von nach vor es er sie wir ich
    ihr uns euch man the as since on at this it we our today now euro prozent uhr mio millionen
    milliarden woche wochen tag tage tagen monat monate monaten quartal herbst frühjahr sommer
    winter zeit zudem außerdem auch so doch aber und oder denn dabei dazu darüber insgesamt
    inzwischen mittlerweile derzeit aktuell gegenwärtig zurzeit seitdem mehr über rund knapp fast
    gut etwa weitere neue neuen neues neuer new currently there they he she his her its their
    these those what which who whom with more over about nearly almost around some many all
    alle viele einige mehrere dies diese dieser dieses hier dort wie was wer wo when where while
    während wenn weil dass ob bereits schon erst noch nur ebenfalls gemeinsam zusammen
    percent per cent million billion year years month months week weeks day days
    jahresende jahresbeginn jahresanfang jahresmitte stichtag zeitpunkt beginn schluss auftakt
    joins joined welcomes welcomed becomes became admits admitted
    """.split()
)
# ("joins", "welcomes", "becomes": in an English headline in title case every word is capitalised,
# and these verbs end the name before them: "German Example Council Joins Example Alliance")
_TIME_AFTER_MITTE = frozenset("januar februar märz april mai juni juli august september oktober november dezember "
                               "jan feb mär apr jun jul aug sep sept okt nov dez "
                               "des der dieses nächsten vergangenen letzten letzter vergangener nächster kommender "
                               "kommenden".split())
# Sports clubs' abbreviations; a number after them belongs to the name ("TSV 1860 München").
_MEMBERISH = re.compile(r"mitglied|^members?$|^membership", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ0-9&.-]{1,5}$|^[A-Z][a-z]+[A-Z]\w*$")
_GO_CLUSTER = re.compile(r"go-?cluster", re.IGNORECASE)
_MAX = 12


@dataclass(slots=True)
class Phrase:
    start: int  # token index of the first word of the name (after any article)
    end: int  # token index after the last
    text: str
    det: str | None  # the article or possessive before it
    prep: str | None  # the preposition before it (and its article)
    org: bool  # looks like an organisation's name
    bracketed: bool = False  # "(Austria)", "(VDMA)": an aside, never a clause's subject

    def head(self) -> str:
        return self.text.split()[0].lower() if self.text else ""


def _word_ok(tok: Token) -> bool:
    if tok.kind == "legal":
        return True
    if tok.kind != "word":
        return False
    if not tok.text[:1].isupper():
        # („go-cluster“ is a name in lower case; "go" first spares the pattern for every other word)
        return tok.low[:2] == "go" and _GO_CLUSTER.fullmatch(tok.low) is not None
    if len(tok.text) >= 2 and tok.text.isupper() and tok.text.isalpha():
        return True  # an acronym: "IT", "NRW", "VDMA"
    if tok.low in _STOP or tok.low in DETERMINERS or _MEMBERISH.search(tok.low):
        return False
    return True


def span_text(sentence: str, tokens: list[Token], start: int, end: int) -> str:
    last = tokens[end - 1]
    return sentence[tokens[start].start : last.start + len(last.text)].strip(" ,;:")


_ORG_END = re.compile(ORG_HEADS.pattern + r"(?:e?s|n|en|e)?$", re.IGNORECASE)
_ORG_LEGAL = re.compile(r"e\.\s?V\.|GmbH|\bAG\b|\bKG\b|\bSE\b|\beG\b|Inc\.|Ltd|LLC", re.IGNORECASE)


# Bodies whose name is a compound of a head that is no organisation noun on its own.
_NAMED_BODIES = re.compile(r"(?:städtetag|landkreistag|gemeindetag|kammertag|handwerkerschaft|innung|"
                           r"wirtschaftsjunioren)$")


@lru_cache(maxsize=50_000)
def org_word(word: str) -> bool:
    """A word headed by an organisation noun: "Heimatverein", "Verband", "Network" (not
    "Vereinsmüdigkeit", "Jahresprogramm" is a programme of events, but reads as one)."""
    low = word.lower().strip("„“”\"")
    if _NAMED_BODIES.search(low):
        return True
    return _ORG_END.search(low) is not None and not low.startswith(("jahres", "bundesliga", "allianz arena"))


# Capitals that are no organisation: time zones, countries, states, titles.
# A place or region ("Softwareverband Nord", "Gewerbeverein Talheim": after a descriptor it makes the
# name; "TV Schifferstadt" is the Turnverein, "TV Riverside" television)
PLACE_WORD = re.compile(r"^(?:nord|süd|ost|west|nordwest|nordost|südwest|südost|mitte|mittelland)$|"
                        r"(?:land|tal|berg|heim|stadt|dorf|burg|hausen|ingen|feld|see|bach|au|furt|hafen|hof|rode|"
                        r"hagen|leben|brück|brücken|kirchen|stedt|stetten|weiler|ach|ow|itz|rath|roth|reuth|zell|"
                        r"born|brunn|beck|büttel|werder|moor|horst|kamp|lar|straße|strasse|rhein|main|holstein|"
                        r"pfalz|franken|schwaben|sachsen|hessen|bayern|westfalen|lippe|friesland|allgäu|eifel|harz|"
                        r"vogtland|lausitz|altmark|uckermark|prignitz|havelland|region|kreis|gebiet|weser|elbe|donau|"
                        r"oder|ems|saale|mosel|neckar|lahn|ruhr|saar|spree|havel|isar|lech|fulda|werra|leine|nahe)$",
                        re.IGNORECASE)
_NOT_ACRONYMS = frozenset("GMT UTC CET CEST MEZ MESZ USA UK US EU NJ NY CA DC TX AM PM PDF PR CEO CFO COO CTO "
                          "IT KW TV "
                          # abbreviations of things, not bodies: "the AGM", "GDP grew", "a PhD", "DEU"
                          "AGM GDP BIP PHD PhD MBA FAQ AGB USD EUR CHF GBP CO2 KMU SME SMEs ESG CSR HR AI KI ROI "
                          "URL PDF GPS LED VIP ID AP DEU GER AUT SUI "
                          # US states after a town: "Phoenix, AZ"
                          "AL AK AZ AR CO CT FL GA HI IL IA KS KY LA MD MA MI MN MS MO MT NE NV NH NM NC ND OH OK "
                          "PA RI SC SD TN UT VT VA WA WV WI WY".split())
# Words that make a capitalised phrase a question, a call or a clause, not a name: a headline "Are You
# Taking Advantage of Your Airline Alliance", a sentence start "Jeder Verein", "Müssen Verein und Stadt"
_NOT_NAME_WORDS = frozenset("you your are is do does how what why when can will jeder jede jedes jeden "
                            "müssen können sollen wollen".split())
_GERUND_CLAUSE = re.compile(r"^[A-Z][a-z]+ing\s+(?:the|a|an|your|our|its|their)\b")


_ATTRIBUTE_START = frozenset("zur zum zu für von vom mit aus auf durch über".split())
_PLURAL_HEADS = ("vereinen", "vereine", "verbände", "verbänden", "netzwerke", "netzwerken", "clustern", "kammern",
                 "initiativen", "gesellschaften", "genossenschaften")


@lru_cache(maxsize=50_000)
def is_org(text: str) -> bool:
    if not text or NOT_PROGRAMMES.search(text) or text in _NOT_ACRONYMS:
        return False
    if any(w.lower() in _NOT_NAME_WORDS for w in text.split()) or _GERUND_CLAUSE.match(text):
        return False  # "Are You Taking Advantage of Your …", "Jeder Verein", "Joining the Club"
    if " " not in text and ORG_PLURALS.match(text.lower()):
        return False  # "Vereinen", "Handelskammern": several organisations, not one
    if _GO_CLUSTER.search(text) or _ORG_LEGAL.search(text):
        return True
    words = text.split()
    if len(words) > 1 and words[0] in CLUB_ABBREVIATIONS and (words[1][:1].isdigit() or words[1][:1].isupper() and (
            words[0] != "TV" or PLACE_WORD.search(words[1]))):
        return True  # "VfB Stuttgart", "SG 1851 Oppau", "TV Edigheim": a sports club ("TV Riverside": television)
    if re.fullmatch(r"[A-ZÄÖÜ]{2,}s", words[0]):
        return False  # "IHKs", "HWKs": several of them
    if words[0].lower().endswith(_PLURAL_HEADS):
        return False  # "Schützenvereinen Sachsen-Anhalts": several clubs of a region, not one
    # The head of a German name comes before its attributes: "Entwicklung zur Dachorganisation"
    # is a development, "Verband der Metallindustrie" a union.
    cut = next((k for k, w in enumerate(words) if w in _ATTRIBUTE_START), len(words))
    if any(org_word(w) for w in words[:min(3, cut)]):
        return True
    # English puts the head last, or before its "of"/"for": "Young European Research Universities
    # Network", "Oak Park Area Chamber of Commerce"
    if cut < len(words):
        return False  # a German attribute follows the head, which is no organisation
    heads = [words[-1]] + [words[k - 1] for k, w in enumerate(words) if k > 0 and w in ("of", "for")]
    if any(w[:1].isupper() and org_word(w) for w in heads):
        return True
    if len(words) >= 3 and all(w[:1].isupper() for w in words) and ORG_PLURALS.match(words[-1].lower()) \
            and words[-1][:1].isupper() and words[-1].isascii():
        return True  # a body named after its members: "Oak Ridge Associated Universities"
    return any(_ACRONYM.match(w) and w not in _NOT_ACRONYMS for w in words)


_OWNER_START = re.compile(r"^(?:bundes|minister|bmw|landes|freistaat|stadt|senat|staatsminister|land$)")


def _ends_name(tokens: list[Token], start: int, at: int) -> bool:
    """A genitive after a complete name belongs to something else: "„go-cluster“ des
    Bundesministeriums", "Netzwerk X der Stadt Y"."""
    if tokens[at].low not in ("der", "des", "of"):
        return False
    if tokens[at].low == "of":  # "University of Tartu", "Chamber of Commerce"
        return _OWNER_START.match(tokens[at + 1].low) is not None
    if any(t.kind == "quote" for t in tokens[start:at]):
        return True
    if _OWNER_START.match(tokens[at + 1].low) is not None:
        return True
    # Only an organisation's head noun takes a genitive into its name ("Verband der Chemischen
    # Industrie"); "Neustart der Wirtschaftsvereinigung" is two phrases.
    return not (org_word(tokens[start].text) or _ACRONYM.match(tokens[start].text))


def phrase_at(sentence: str, tokens: list[Token], i: int) -> tuple[int, int] | None:
    """The name that starts at token i, as (start, end), or None."""
    n = len(tokens)
    if i >= n:
        return None
    j = i
    if tokens[j].kind == "quote":  # „go-cluster“, "Allianz Industrie 4.0" — a name, not a quotation
        k = j + 1
        while k < n and tokens[k].kind != "quote" and k - j <= 6:
            k += 1
        inside = tokens[j + 1:k]
        if inside and (not (_word_ok(inside[0]) or inside[0].kind == "legal")
                       or any(t.kind == "word" and t.text[:1].islower() and t.low not in _CONNECTORS
                              and not _GO_CLUSTER.fullmatch(t.low) for t in inside)):
            return None
        if k < n and tokens[k].kind == "quote" and k > j + 1:
            end = k + 1
            # A quoted name may go on: „Netzwerk X“ e. V.
            while end < n and tokens[end].kind == "legal":
                end += 1
            return (j, end)
        return None
    if not _word_ok(tokens[j]) or tokens[j].kind == "legal":
        return None
    end = j + 1
    while end < n and end - j < _MAX:
        tok = tokens[end]
        if _word_ok(tok):
            end += 1
            continue
        if tok.kind == "dec" and tokens[end - 1].kind == "word":
            end += 1  # "Industrie 4.0"
            continue
        if tok.text == "Mitte" and not (end + 1 < n and (tokens[end + 1].kind in ("num", "ord")
                                                          or tokens[end + 1].low.rstrip(".") in _TIME_AFTER_MITTE)):
            end += 1  # "Region Mitte", "Digitale Mitte" end a name; "Mitte Mai", "Mitte 2024" are times
            continue
        if tok.kind == "num" and not tok.dot and tokens[end - 1].kind == "word" \
                and any(t.text in CLUB_ABBREVIATIONS for t in tokens[j:end]) \
                and (len(tok.text) == 2 and tok.text[0] == "0"
                     or len(tok.text) == 4 and 1840 <= (tok.value or 0) <= 1999) \
                and not (end + 1 < n and (_MEMBERISH.search(tokens[end + 1].low)
                                          or ORG_PLURALS.match(tokens[end + 1].low))):
            # a club's founding year or number is part of its name: "FC Schalke 04", "SSV Ulm 1846",
            # not a count or this year after it ("der SV Lindau 99 Mitglieder", "FC Talheim 2024")
            end += 1
            continue
        if tok.kind == "punct" and tok.text in "&-/" and end + 1 < n and _word_ok(tokens[end + 1]):
            end += 1
            continue
        if tok.kind == "quote" and end + 1 < n and tokens[end + 1].kind == "word":
            span = phrase_at(sentence, tokens, end)
            if span:
                end = span[1]
                continue
        if tok.kind == "word" and tok.low in _CONNECTORS and end + 1 < n and _word_ok(tokens[end + 1]) \
                and tokens[end + 1].kind != "legal" and not _ends_name(tokens, j, end):
            end += 2
            continue
        if tok.kind == "word" and tok.low in ("der", "des", "the") and end + 2 < n \
                and tokens[end + 1].kind == "quote":
            break
        break
    return (j, end)


def _inside_brackets(tokens: list[Token], at: int) -> bool:
    """Whether token ``at`` is inside parentheses: "Der VDMA (Verband … und Anlagenbau) vertritt"."""
    depth = 0
    for t in tokens[max(0, at - 20):at]:
        depth += (t.text == "(") - (t.text == ")")
    return depth > 0


# Words that end a noun phrase: "as a producer member while Walbridge joined" has no article for Walbridge.
_EN_REFERRING = frozenset("the our this its their".split())
_CLAUSE_WORDS = frozenset("while whereas and or but when which who that because since after before als wie "
                          "und oder aber sowie während weil wenn dass nachdem bevor".split())


@lru_cache(maxsize=256)
def sentence_phrases(sentence: str) -> list[Phrase]:
    """The names of a sentence, read once for the frames and the document model alike (the
    list is shared: its readers never change it)."""
    return phrases(sentence, tokenize(sentence))


def phrases(sentence: str, tokens: list[Token]) -> list[Phrase]:
    """Every name in the sentence, left to right, with its article and preposition."""
    out: list[Phrase] = []
    i = 0
    n = len(tokens)
    while i < n:
        det = prep = None
        j = i
        if tokens[j].kind == "word" and tokens[j].low in PREPOSITIONS:
            prep = tokens[j].low
            j += 1
        if j < n and tokens[j].kind == "word" and tokens[j].low in DETERMINERS:
            det = tokens[j].low
            j += 1
        # "nach einer intensiven Prüfung": adjectives between article and noun (but "to welcome X":
        # after an infinitive's "to" the lower-case word is its verb)
        if det or prep and prep != "to":
            k = j
            while k < n and k - j < 3 and tokens[k].kind == "word" and tokens[k].text[:1].islower() \
                    and tokens[k].low not in PREPOSITIONS and tokens[k].low not in DETERMINERS \
                    and not _GO_CLUSTER.fullmatch(tokens[k].low) and tokens[k].low not in _CLAUSE_WORDS:
                k += 1
            if k < n and k > j and _word_ok(tokens[k]) and tokens[k].kind != "legal":
                j = k
        span = phrase_at(sentence, tokens, j) if j < n else None
        if span is None and det in _EN_REFERRING and j < n and tokens[j].kind == "word" \
                and tokens[j].text.islower() and generic(tokens[j].text):
            span = (j, j + 1)  # "the network", "our association": English writes a reference in lower case
        if span is None:
            i += 1 if j == i else j - i
            continue
        start, end = span
        text = span_text(sentence, tokens, start, end)
        text = text.strip("„“”‚‘’\"«»‹›").strip() if tokens[start].kind == "quote" else text
        bracketed = "(" in sentence and _inside_brackets(tokens, start)
        out.append(Phrase(start, end, text, det, prep, is_org(text), bracketed))
        i = end
    return out


_GENERIC = re.compile(
    r"^(?:verein|verband|netzwerk|cluster|initiative|allianz|bündnis|kammer|programm|plattform|förderprogramm|"
    r"exzellenzprogramm|bundesprogramm|landesprogramm|dachverband|bundesverband|landesverband|"
    r"forum|gesellschaft|genossenschaft|vereinigung|association|network|alliance|chamber|"
    r"federation|council|society|club|programme|program|organisation|organization|group|"
    r"partnership|platform|initiative|unternehmen|company|verbund|zusammenschluss|gemeinschaft|sektion|"
    r"klub|sportverein|förderverein|fachverband|branchenverband|wirtschaftsverband|industrieverband|"
    r"interessenverband|berufsverband|clusterinitiative|kompetenznetz|kompetenznetzwerk|consortium|"
    r"coalition|union|league|federation|foundation|institute|cooperative|co-op|chapter|spitzenverband|"
    r"industrieverbund|dachorganisation|interessenvertretung|mitgliedsverband|regionalverband|"
    r"traditionsverein|traditionsklub|fußballverein|sportclub|netzwerkverein|hub|collective|konsortium)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=50_000)
def generic(text: str) -> bool:
    """A bare organisation noun ("Verein", "des Programms", "the Association"): a reference to a
    name, never a name. An acronym ("IHK", "VDMA") is a name."""
    if text.strip().isupper():
        return False
    text = re.sub(r"(?<=[a-zäöü])(?:es|s)$", "", text.strip()) if text.strip().lower().endswith(
        ("programms", "vereins", "verbands", "netzwerks", "clusters", "bündnisses", "forums", "genossenschafts",
         "gesellschafts", "clubs", "klubs")) else text.strip()
    if _SUPERLATIVE_PLACE.search(text) and (_GENERIC.match(text.split()[0]) is not None
                                             or len(text.split()) == 2 and org_word(text.split()[0])):
        return True  # "(größten) Verein der Welt", "Club im Land": a description, not a name
    if _GENERIC.match(text) is not None or (" " not in text and ORG_HEADS.fullmatch(text) is not None):
        return True
    # English plurals: "alliances", "networks", "societies" are as generic as their singular
    if " " not in text and text[-1:] == "s" and text[-2:-1].islower():
        singular = text[:-3] + "y" if text.endswith("ies") else text[:-1]
        return _GENERIC.match(singular) is not None or ORG_HEADS.fullmatch(singular) is not None
    return False


_SUPERLATIVE_PLACE = re.compile(r"\s(?:der welt|deutschlands|europas|bayerns|österreichs|der schweiz|im land|"
                                r"in deutschland|in europa|"
                                r"of the world|in the world|in europe|in germany)$", re.IGNORECASE)


_PLACE_PREPS = frozenset("in im an am aus bei from near".split())


def coordinated(sentence: str, tokens: list[Token], phrases_: list[Phrase], head: Phrase) -> list[Phrase]:
    """The phrases joined to ``head`` by commas and und/and/sowie: "A, B und C sind beigetreten"."""
    out = _after_legal_form(sentence, tokens, head)
    by_start = {p.start: p for p in phrases_}
    k = head.end
    while k < len(tokens):
        # "die Fachhochschule Brandenburg (FHB) und die Hochschule …": an acronym in brackets is part of the item
        if tokens[k].text == "(" and k + 2 < len(tokens) and tokens[k + 2].text == ")":
            k += 3
            continue
        # "Trend Micro (IT-Sicherheit), Nintendo (Spielekonsolen)", "Cordaid (based in the Netherlands) and
        # PRO-VIDA": an aside in brackets after an item is part of it
        if tokens[k].text == "(":
            close = next((j for j in range(k + 1, min(len(tokens), k + 10)) if tokens[j].text in ("(", ")")), None)
            if close is not None and tokens[close].text == ")" and close + 1 < len(tokens) \
                    and (tokens[close + 1].text == "," or tokens[close + 1].low in ("und", "and", "sowie")):
                k = close + 1
                continue
        # "Hamm in Nordrhein-Westfalen und Höchstadt an der Aisch": where an item lies is part of it
        # A phrase starts at its name, after its preposition and article: "an der Jagst"
        place = next((by_start[j] for j in (k + 1, k + 2) if j in by_start), None) \
            if tokens[k].low in _PLACE_PREPS else None
        if place is not None and place.prep in _PLACE_PREPS and place.end < len(tokens) \
                and not any(t.low in ("von", "by", "durch") for t in tokens[place.start:place.end]):
            # "Kirchberg an der Jagst und Auenwald" is read as one name after "an": the item after
            # the conjunction is the next member
            u = next((j for j in range(place.start + 1, place.end - 1)
                      if tokens[j].low in ("und", "and") and tokens[j + 1].text[:1].isupper()), None)
            if u is not None:
                text = span_text(sentence, tokens, u + 1, place.end)
                out.append(Phrase(u + 1, place.end, text, None, None, is_org(text)))
                k = place.end
                continue
            if tokens[place.end].text == "," or tokens[place.end].low in ("und", "and", "sowie"):
                k = place.end
                continue
        if tokens[k].text == "," or tokens[k].low in ("und", "and", "sowie", "as well as"):
            comma = tokens[k].text == ","
            k += 1
            if k < len(tokens) and tokens[k].low in ("und", "and", "sowie"):
                k += 1
            if k < len(tokens) and tokens[k].low in DETERMINERS:
                k += 1
            nxt = by_start.get(k)
            if nxt is None and comma and k < len(tokens) and tokens[k].kind == "legal":
                # "Mitsubishi Heavy Industries, Ltd.": the legal form is the item's, not an item
                last = out[-1]
                out[-1] = Phrase(last.start, k + 1, span_text(sentence, tokens, last.start, k + 1), last.det,
                                 last.prep, True)
                k += 1
                continue
            if nxt is None or nxt.prep is not None:
                break
            out.extend(_last_of_list(sentence, tokens, nxt) if comma else [nxt])
            k = nxt.end
            continue
        break
    return out


def _after_legal_form(sentence: str, tokens: list[Token], p: Phrase) -> list[Phrase]:
    """"Dales Wool Ltd and Pennine Dyeworks" read as one name: a legal form ends a name, so an
    und/and after it starts the next."""
    u = next((j for j in range(p.start + 1, p.end - 1) if tokens[j].low in ("und", "and")
              and tokens[j - 1].kind == "legal" and tokens[j + 1].text[:1].isupper()
              and tokens[j + 1].kind != "legal"
              and tokens[j + 1].low.rstrip(".") not in ("co", "cie", "partner", "partners", "sons", "söhne")), None)
    return [p] if u is None else _split_at(sentence, tokens, p, u, first_org=True)


def _last_of_list(sentence: str, tokens: list[Token], p: Phrase) -> list[Phrase]:
    """A comma list's last two items read as one name ("A, Kestrel Labs and Norvik"): an
    und/and before a capitalised word ends the list there. ("Forschung und Entwicklung" inside a
    listed name is rarer than a list's last item.)"""
    u = next((j for j in range(p.end - 2, p.start, -1)
              if tokens[j].low in ("und", "and") and tokens[j + 1].text[:1].isupper()
              and tokens[j - 1].kind == "word" and tokens[j - 1].low not in _CONNECTORS), None)
    return [p] if u is None else _split_at(sentence, tokens, p, u)


def _split_at(sentence: str, tokens: list[Token], p: Phrase, u: int, first_org: bool = False) -> list[Phrase]:
    """``p`` as two names, before and after its und/and at token ``u``."""
    first, last = span_text(sentence, tokens, p.start, u), span_text(sentence, tokens, u + 1, p.end)
    return [Phrase(p.start, u, first, p.det, p.prep, first_org or is_org(first)),
            Phrase(u + 1, p.end, last, None, None, is_org(last))]


def subject(phrases_: list[Phrase], verb_at: int) -> Phrase | None:
    """The subject of a clause whose finite verb is at token ``verb_at``: the last phrase before
    the verb without a preposition (German verb-second order puts at most one constituent
    before the verb), else the first phrase right after it (inversion: "Seit Juni ist die X
    GmbH Mitglied")."""
    # "dem BDSW", "den Mitgliedern": a dative or accusative is never the subject.
    before = [p for p in phrases_ if p.end <= verb_at and p.prep is None and not p.bracketed
              and p.det not in ("dem", "einem", "den", "einen")]
    if before:
        # "Das Programm go-cluster des Ministeriums für Wirtschaft vereint …": a genitive right
        # after a phrase is its attribute; the head is the subject.
        k = len(before) - 1
        while k > 0 and before[k].det in ("des", "der", "of") and before[k].start - before[k - 1].end <= 1:
            k -= 1
        return before[k]
    after = [p for p in phrases_ if p.start > verb_at and p.prep is None
             and p.det not in ("dem", "den", "des", "einem", "einen")]
    return after[0] if after else None
