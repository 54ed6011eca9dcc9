"""Membership frames: a trigger (the lemma Mitglied/member, also inside a compound; beitreten,
aufnehmen, angehören, zählen, vereinen, join, welcome, admit, …) with its arguments taken from
the clause: who joined, whose membership it is, which number.

A frame says what it found and why (``Hit.why``); whose membership it is may be left to the
document (``Hit.ref``: "der Verein", "sein", "the Association"), which knows the organisation the
text is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from .document import COMPANY, LEGAL_TAIL
from .lexicon import (
    ADMIT_VERBS,
    COUNT_VERBS,
    GROWTH_VERBS,
    JOIN_VERBS,
    MEMBERSHIP_BODY,
    NOT_PROGRAMMES,
    ORG_PLURALS,
    OWNER_VERBS,
    WELCOME_VERBS,
    MemberNoun,
    member_noun,
    participle,
    proper_noun,
    verb_lemma,
)
from .listing import split_names
from .lowercase import LowerCased
from .names import DETERMINERS as DETERMINERS_
from .names import POSSESSIVES, Phrase, coordinated, generic, is_org, org_word, sentence_phrases, span_text, subject
from .names import PREPOSITIONS as PREPOSITIONS_
from .programmes import is_owner
from .tokens import Token, is_ordinal, tokenize


@dataclass
class Hit:
    kind: str
    frame: str
    trigger: str
    number: int | None = None
    qualifier: str | None = None
    member: str | None = None
    place: str | None = None
    programme: str | None = None  # a name from the sentence
    ref: str | None = None  # else: what the sentence refers back with ("verein", "sein", "")
    roles: dict[str, Any] = field(default_factory=dict)


_QUALIFIERS = {
    "über": "over", "mehr als": "over", "more than": "over", "over": "over", "rund": "about",
    "etwa": "about", "ca": "about", "ca.": "about", "rd.": "about", "circa": "about", "around": "about",
    "about": "about",
    "approximately": "about", "some": "about", "knapp": "nearly", "fast": "nearly", "nahezu": "nearly",
    "beinahe": "nearly", "nearly": "nearly", "almost": "nearly", "gut": "over", "gut über": "over",
    "weit über": "over", "mindestens": "at least", "at least": "at least", "insgesamt": "total",
}
_ADJ_SKIP = re.compile(r"^(?:[a-zäöüß]+(?:e|en|er|es|em|ige|iche|ive|ische)|besonders|sehr|aktive?|"
                       r"vorrangig|überwiegend|vorwiegend|hauptsächlich|größtenteils|mehrheitlich|meist|"
                       r"neue?|new|active|registered|paying|full|associate|corporate|individual|"
                       r"[a-z]+(?:ing|ed|al|ive|ful|ous|ic|ary|an|ern|ish)|[a-z]+-[a-z]+)$")
_NEW = frozenset("neu neue neuen neues neuer neuesten neueste neuestes jüngste jüngstes jüngsten "
                 "new newest latest weiteres".split())
_PERCENT = frozenset("% prozent percent per".split())
_MONEY = frozenset("euro € eur dollar $ usd".split())
_ATTENDANCE = LowerCased(re.compile(
    r"\b(?:vor ort|wahlberechtigt\w*|stimmberechtigt\w*|säumig\w*|gekündigt|kündigten|ausgetreten|"
    r"angeschrieben|verstorben\w*|geehrt|ehrte\w*|ehrung\w*|jubilar\w*|honou?red|im durchschnitt|"
    r"durchschnittlich\w*|on average|average|goal|ziel|target|im blick|angestrebt|anstreben|hoffen|hope|"
    r"composed of|consist\w* of|elected|gewählt\w*|renewals|anwesend\w*|teilgenommen|teilnahmen|nahmen|"
    r"besucht|zahlungs\w*|mahnung\w*|unexcused|zusammen(?!\s*geschlossen)|combined|"
    r"(?<!brings )(?<!bring )(?<!brought )(?<!bringing )together|"
    r"erschienen|stimmten|abgestimmt|wählten|"
    r"attended|attending|voted|were present|present at|"
    # the counted members came: "close to 200 members in attendance", "Von den rund 50 Mitgliedern,
    # die zur Hauptversammlung gekommen waren" (not "has 412 members, 80 of whom were in attendance")
    r"(?:members|mitglieder|mitgliedern)\s+in attendance|(?:mitgliedern?|members),\s+(?:die|who)\s+(?:\S+\s+){0,4}?"
    r"zur\s+\w*(?:versammlung|sitzung|feier)\s+(?:\S+\s+){0,4}?gekommen|folgten|gefolgt|besuchten|trafen|"
    r"diskutierten|nehmen teil|"
    r"befragt\w*|umfrage|survey\w*|surveyed|responded|antworteten|gaben an|zu knacken|knacken zu|zu erreichen|"
    r"erwarte\w*|expect\w*|would|angemeldet hatten|registered for|"
    r"(?:versammlung|treffen|sitzung|feier|fest|jubiläum)\w*\s+kamen|kamen\s+(?:\S+\s+){0,4}?zur\s+\w*(?:versammlung|"
    r"treffen|sitzung|feier)|"
    # a condition: "a minimum of 10 member organisations is required"
    r"required|erforderlich|vorausgesetzt)\b",
    re.IGNORECASE,
))
_HISTORY = LowerCased(re.compile(
    r"\b(?:damals|seinerzeit|ursprünglich|gründung|gründungsjahr|gründungsmitglied\w*|gegründet|gründeten|"
    r"zu beginn|anfangs|"
    r"originally|founded|at the time|back then|initially|einst|gestartet|startete|started|began|"
    r"begann|first year|ersten jahr|im laufe der jahre|over the years|"
    # the founding or the end of a body: "At its inception, the Chamber was comprised of 21 members",
    # "chartered in 1998 with 25 members", "die Auflösung des Vereins mit über 30 Mitgliedern",
    # "Es ist noch nicht so lange her, da …" (not "Since its inception the network has grown to 300")
    r"at (?:its|the) inception|chartered (?:in|on) \S+(?: \S+){0,4}? with|starting membership|"
    r"auflösung (?:des|der) \w*(?:verein|verband|club|klub|netzwerk|chor|kapelle)\w*|"
    r"dissolution of (?:the|our|its) \w*\s?(?:club|association|society|network|chamber)|"
    r"(?:created|formed|launched|founded) in \d{4},? with|lange her,? da)\b",
    re.IGNORECASE,
))
_PLUPERFECT = LowerCased(re.compile(r"\b(?:hatte|hatten|had)\b.{0,120}?"
                                    r"\b(?:\w*ge\w+t|\w*ge\w+en|begrüßt|\w+ed|welcomed)\b", re.IGNORECASE))
# The pluperfect with sein, for its own clause only: "Nachdem zuvor bereits Bayern dem DTV beigetreten
# war, ist nun auch Thüringen beigetreten" tells one past and one present joining.
_PLUPERFECT_SEIN = LowerCased(re.compile(r"\b(?:beigetreten|eingetreten|aufgenommen worden|dazugekommen|"
                                         r"hinzugekommen) (?:war|waren)\b", re.IGNORECASE))
_PAST = LowerCased(re.compile(r"\b(?:hatte|hatten|war|waren|zählte|zählten|gehörten|umfasste|vereinte|vereinigte|"
                              r"vereinigten|wies|wiesen|had|was|were|counted|"
                              r"numbered|angehört haben|gewesen)\b", re.IGNORECASE))
# Past only for the clause that says it: "…, rund 100 mehr als im Vorjahr" leaves the count before it.
_HISTORY_CLAUSE = LowerCased(re.compile(r"\b(?:year prior|years ago|vorjahr|vorjahres|im jahr zuvor|previous year|"
                                        r"prior year|vor (?:\w+ )?(?:jahren|jahrzehnten)|"
                                        r"founding(?!\s+(?:level|tier)))\b",
                                        re.IGNORECASE))
_NOW = LowerCased(re.compile(r"\b(?:heute|jetzt|nun|inzwischen|mittlerweile|aktuell|derzeit|zurzeit|gegenwärtig|"
                             r"now|today|currently)\b",
                             re.IGNORECASE))
_ALREADY = re.compile(r"\b(?:schon|bereits|already)\b", re.IGNORECASE)
_MODAL = re.compile(
    r"\b(?:können|könnten|könnte|kann|möchten|möchte|wollen|will|sollten|sollte|sollen|würden|würde|dürfen|"
    r"must|muss|müssen|needs to|need to|have to|has to|"
    r"dürfte|dürften|"
    r"can|could|would|should|may|might|want|wants|wish|interested|interessiert\w*|"
    # ("wie" only as "how": "wie man Mitglied wird"; "so viele wie seit 15 Jahren nicht" compares)
    r"wenn|falls|if|how to|wie (?:man|Sie|ihr|Ihr|werde|werden|kann|können)|Wie (?:man|Sie|werde|werden|kann)|"
    r"Wenn|Falls|If|Können|Möchten|Wollen)\b",
)
# Formulas that look modal and are not: politeness ("begrüßen zu dürfen") and reporting (", wie
# der Verband mitteilte", "as the association announced").
_POLITE = re.compile(r"\bzu dürfen\b|,?\s*\b(?:wie|as)\s+(?:\S+\s+){0,10}?(?:mitteilte|mitteilt|berichtete|berichtet|"
                     r"erklärte|bekanntgab|bekannt gab|meldete|meldet|announced|reported|said|stated)\b",
                     re.IGNORECASE)
def _modal(s: Sentence) -> bool:
    """A modal or conditional sentence ("können beitreten", "if you join"), politeness aside
    ("… als neues Mitglied begrüßen zu dürfen")."""
    return _MODAL.search(s.text) is not None and _MODAL.search(_POLITE.sub("", s.text)) is not None


_CALL = re.compile(r"^(?:werden|treten|join|become|jetzt|mitglied werden|become a member)\b", re.IGNORECASE)
_NOT_ADMIT = LowerCased(re.compile(
    # Compounds too: "in den Bundesvorstand aufgenommen".
    r"(?:vorstand|präsidium|beirat|ausschuss|aufsichtsrat)\w*|\b(?:kontakt|betrieb|arbeit|produktion|gespräche|"
    # ("ins Programm des Festes aufgenommen" is a schedule; "ins Go-Cluster Programm des BMWi" a membership)
    r"verhandlungen|ermittlungen|tätigkeit|studium|dienst|kredit\w*|daten|liste|"
    r"(?<!cluster )(?<!cluster-)programm des|jury|"
    r"ehrenmitglied\w*|hall of fame|ruhmeshalle|board|committee|honou?rary|"
    # a link or a proposal: "Informationen zum Beitritt der Kommune X finden Sie hier", "Beschlussvorlage"
    r"finden sie hier|hier finden sie|click here|read more|beschlussvorlage)\b",
    re.IGNORECASE,
))
# Who is greeted at a meeting is no newcomer: "konnte neben den zahlreich erschienenen Mitgliedern den
# Bürgermeister begrüßen", "begrüßte die anwesenden Mitglieder und Gäste"
_GREETED = re.compile(r"\b(?:anwesend\w*|erschienen\w*|gäste\w*|ehrengäste\w*|ehrengast|teilnehmer\w*|"
                      r"versammlung\w*|sitzung|klausur|abend|feier)\b|versammlung", re.IGNORECASE)
_NEW_IN = re.compile(r"\bneu(?:e[nrs]?|es)?\b|neumitglied|neuzug", re.IGNORECASE)
_FROM = frozenset("aus from".split())
_NEW_POST = re.compile(r"(?i),\s+(?:the\s+|our\s+|its\s+)?new\s+(?:general\s+secretary|secretary|president|"
                       r"director|chair\w*|treasurer|manager|head|ceo|executive)\b")
_AS_ROLE = re.compile(r"\bas (?:its |their |the |a |an |our )?(?:new )?(?:chief |senior |executive |managing |vice |"
                      r"network |programme |program |project )?"
                      r"(?:director|ceo|cfo|cto|president|manager|chair\w*|head|professor|fellow|officer|advis[oe]r|"
                      r"coach|editor|dean|secretary|treasurer|sponsor|speaker|partner|coordinator)\b(?!\s+members?\b)")
# Country and kind codes before "member": "the 12th US member", "the 9th NGO member" rank within a kind
_CODES = frozenset("uk us usa eu un sme smes ngo ngos nhs kmu it ai gb de fr ceo".split())
_WEEKDAYS = frozenset("montag dienstag mittwoch donnerstag freitag samstag sonntag monday tuesday wednesday "
                      "thursday friday saturday sunday".split())
_MONTHS = frozenset("jan feb mar apr may jun jul aug sep sept oct nov dec januar februar märz april mai juni "
                    "juli august september oktober november dezember january february march june july "
                    "october december".split())
_NOT_MEMBER_HEADS_EN = frozenset("states state countries country nations nation login fees fee benefits benefit "
                                 "branches branch offices stations stores "
                                 "area portal services directory discount discounts meeting meetings types type "
                                 "categories category levels level classes class".split())
_EVERY = frozenset("jedes jeder jede every each".split())
_LINKING = frozenset("beträgt betrug liegt lag ist sind stands stood is reached erreicht erreichte gestiegen "
                     "gewachsen grew rose now nun jetzt derzeit aktuell currently totals totaled".split())
_COMPARATIVE = frozenset("mehr more weniger fewer less additional zusätzliche zusätzlichen weitere other anderen "
                         "übrigen".split())
_FURTHER = frozenset("additional zusätzlich zusätzliche zusätzlichen weitere weiteren further".split())
_NUMBER_WORDS_COUNT = frozenset("zahl anzahl number total".split())
_SEPARABLE = {("treten", "bei"): "beitreten", ("nehmen", "auf"): "aufnehmen", ("treten", "ein"): "eintreten",
              ("kommen", "hinzu"): "hinzukommen", ("kommen", "dazu"): "hinzukommen",
              ("gehören", "an"): "angehören", ("heißen", "willkommen"): "begrüßen",
              ("greifen", "zurück"): "zurückgreifen", ("weisen", "aus"): "ausweisen", ("weisen", "auf"): "aufweisen"}
_PRONOUN_SUBJECT = frozenset("es er sie wir ich it we they he she you ihr man i we're we’re they're they’re "
                             "it's it’s i'm i’m we've we’ve".split())


@dataclass
class Sentence:
    text: str
    tokens: list[Token]
    lang: str
    verbs: list[tuple[int, str]]  # (token index, lemma) of trigger verbs

    @cached_property
    def phrases(self) -> list[Phrase]:
        # Only sentences in which a frame found its trigger need their names.
        return sentence_phrases(self.text)

    def phrase_after(self, i: int, within: int = 4) -> Phrase | None:
        for p in self.phrases:
            if i < p.start <= i + within + 2:
                return p
        return None

    @cached_property
    def member_nouns(self) -> list[tuple[int, MemberNoun]]:
        """(token index, noun) of every word that names members ("Mitglieder", "IHK-Mitglieder")."""
        out = []
        for k, t in enumerate(self.tokens):
            if t.kind == "word" and ("mitglied" in t.low or "member" in t.low or t.low.startswith(_NEWCOMER)):
                mn = member_noun(t.text)
                if mn is not None:
                    out.append((k, mn))
        return out


_ELECTED_MEMBER = re.compile(r"\s+(?:to\s+(?:full\s+|associate\s+)?membership\b|(?:as\s+)?(?:an?\s+)?(?:new\s+)?"
                             r"(?:full\s+|associate\s+)?members?\b(?!\s+of\s+(?:the\s+)?(?:board|staff|team)))",
                             re.IGNORECASE)


# Bodies one is named or elected to as an office or an honour, not as a member organisation
_OFFICE_BODY = re.compile(r"\b(?:governing|advisory|executive|steering|supervisory|honou?rary|council of|order of|"
                          r"hall of fame|academy of|city council|town council|county council|senate|faculty)\b",
                          re.IGNORECASE)
# "Universities Space Research Association Elects KAIST and Seoul National University to Membership"
_ELECTS_TO = re.compile(r"\s+(?:[^.;:]{2,120}?)\s+to\s+(?:full\s+|associate\s+)?membership\b", re.IGNORECASE)


def analyse(text: str, lang: str) -> Sentence:
    tokens = tokenize(text)
    verbs: list[tuple[int, str]] = []
    particles: dict[str, int] | None = None  # (where each word last stands: only a separable verb asks)
    for k, tok in enumerate(tokens):
        if tok.kind != "word" or tok.text[:1].isupper() and k > 0 and lang == "de":
            continue
        lem = verb_lemma(tok.low, lang)
        if tok.low == "geschlossen" and k > 0 and tokens[k - 1].low == "zusammen":
            lem = "zusammenschließen"  # "haben sich … zusammen geschlossen", written apart
        elif tok.low in ("elected", "named") and lang == "en" \
                and (m := _ELECTED_MEMBER.match(text, tok.start + len(tok.text))) \
                and not NOT_PROGRAMMES.search(text[m.end():]) and not _OFFICE_BODY.search(text[m.end():]) \
                or tok.low in ("elects", "elected") and lang == "en" \
                and (m := _ELECTS_TO.match(text, tok.start + len(tok.text))) \
                and not NOT_PROGRAMMES.search(text[m.end():]) and not _OFFICE_BODY.search(text[m.end():]):
            # "A and B have been elected to membership in the Corporation": admitted (a board's
            # members are elected too: "elected as a member of the board" is no membership)
            lem = "admit"
        if lem is None:
            continue
        for (verb, particle), whole in _SEPARABLE.items():
            if lem == verb:
                if particles is None:
                    particles = {t.low: j for j, t in enumerate(tokens) if t.kind == "word"}
                if particles.get(particle, -1) > k or particle in ("hinzu", "dazu") and k == 1 \
                        and tokens[0].low == particle:
                    lem = whole  # (also the particle put first: "Hinzu kommen die Städte A und B")
        verbs.append((k, lem))
    return Sentence(text, tokens, lang, verbs)


def _qualifier(tokens: list[Token], i: int) -> str | None:
    two = " ".join(t.low for t in tokens[max(0, i - 2):i])
    one = tokens[i - 1].low if i > 0 else ""
    for key in (two, one):
        if key in _QUALIFIERS:
            return _QUALIFIERS[key]
    return None


def _member_noun_after(tokens: list[Token], i: int, span: int = 4,
                       lang: str = "de") -> tuple[int, MemberNoun, bool] | None:
    """A membership noun within a few adjectives after token i: (index, noun, 'new' seen).
    English stacks modifiers in lower case ("300 corporate and private foundation members")."""
    new = False
    if lang == "en":
        span = 6
    for k in range(i + 1, min(len(tokens), i + 1 + span)):
        tok = tokens[k]
        if tok.kind in ("word", "numword"):
            mn = member_noun(tok.text) if ("mitglied" in tok.low or "member" in tok.low
                                           or tok.low.startswith(_NEWCOMER)) else None
            if mn is not None and tok.low.startswith("member") and k + 1 < len(tokens) \
                    and tokens[k + 1].low in _NOT_MEMBER_HEADS_EN:
                return None  # "member states", "member fees"
            if mn is not None:
                return k, mn, new or mn.new
            if tok.low in _NEW:
                new = True
                continue
            if tok.low == "member" or _ADJ_SKIP.match(tok.low) and not tok.text[:1].isupper():
                continue
            if tok.low in ("und", "oder") and k + 1 < len(tokens) and tokens[k + 1].text[:1].islower():
                continue  # "412 aktive und passive Mitglieder"
            if lang == "en" and NOT_PROGRAMMES.fullmatch(tok.low):
                return None  # "12 staff members", "nine board members": someone else's
            if lang == "en" and (tok.low in ("and", "or") or tok.text.islower() and tok.low not in _EN_STOP
                                 or tok.text.isupper() and 2 <= len(tok.text) <= 8 and tok.low not in _CODES):
                continue  # ("the 21st ECRN member region": an acronym before the noun)
            if tok.low == "go-cluster" or tok.low.endswith("-"):
                continue
            return None
        if tok.kind in ("quote",) or tok.text == "-":
            continue
        return None
    return None


# Words that end an English noun phrase: a count's noun cannot lie beyond them.
_EN_STOP = frozenset("of in at on to for from by with than the a an is are was were have has had who which that "
                     "this these those their its our his her".split())


def _owned_by(s: Sentence, k: int, mn: MemberNoun) -> tuple[str | None, bool]:
    """Whose members a membership noun at token k names: its compound's owner, or the phrase
    attached after it (genitive or in/im/bei/of). Returns (name, someone-else's)."""
    if mn.owner:
        return mn.owner, bool(NOT_PROGRAMMES.search(mn.owner))
    p = s.phrase_after(k, within=2)
    if p is not None and (p.prep in ("in", "im", "ins", "bei", "beim", "of", "to", "into", "zum", "zur", "von", "vom")
                          or (p.prep is None and p.det in ("des", "der", "dieses", "unseres") and p.start == k + 2)):
        if NOT_PROGRAMMES.search(p.text):
            return None, True
        if p.org:
            return p.text, False
        if p.det in ("des", "dieses") and " " not in p.text:  # "Teil des Klimabündnisses": its nominative
            stem = next((p.text[:-len(end)] for end in ("ses", "es", "s") if p.text.endswith(end)
                         and is_org(p.text[:-len(end)])), None)
            if stem:
                return stem, False
    # "Mitglieder des Vorstands", "members of the board": someone else's.
    after = " ".join(t.low for t in s.tokens[k + 1:k + 5])
    # "Mitglieder des (bisherigen) Vorstandes", "members of the (outgoing) board"
    if NOT_PROGRAMMES.match(re.sub(r"^(?:des|der|of the|of|im|in the|in)\s+(?:[a-zäöüß]+(?:en|e|er|es|ing)\s+)?",
                                   "", after)):
        return None, True
    return None, False


_SUBORDINATORS = frozenset("dass daß weil da nachdem obwohl sodass wobei".split())


# Words after which "that" opens a clause with its own subject (and _GLAD: "is pleased that …")
_THAT_AFTER = frozenset("announce announces announced announcing confirm confirms confirmed said says report reports "
                        "reported reveal reveals revealed note notes noted state states stated explain explains "
                        "explained know learned".split())


_JOINING_FINITE = frozenset("ist sind war waren wurde wurden wird werden tritt treten trat traten".split())
_RELATIVE_START = frozenset("welche welcher welches der die das dem den deren dessen".split())


def _clause_subject(s: Sentence, at: int) -> Phrase | None:
    # The clause is cut at a colon or an opening quote: "Die Staatssekretärin: „Nun hat
    # go-cluster 50 Mitglieder“" has go-cluster, not the speaker, as its subject.
    toks = s.tokens
    first = 0
    for k in range(min(at, len(toks)) - 1, -1, -1):
        if toks[k].text in (":", ";") or (toks[k].text in ("„", "“", "\"", "«") and k + 1 < len(toks)
                                           and toks[k + 1].kind == "word" and toks[k + 1].text[:1].isupper()):
            first = k + 1
            break
    if s.lang == "de":
        # "X meldet, dass mit 36 Neuzugängen so viele Firmen dem Verband beigetreten sind": the
        # subordinate clause around the trigger has its own subject
        sub = next((k + 2 for k in range(min(at, len(toks)) - 2, first - 1, -1)
                    if toks[k].text == "," and toks[k + 1].low in _SUBORDINATORS), None)
        if sub is not None and sub <= at:
            first = sub
    elif s.lang == "en":
        # "Start Network is pleased to announce that 12 new agencies have joined": the clause after
        # a verb of saying has its own subject
        sub = next((k + 1 for k in range(min(at, len(toks)) - 1, first, -1)
                    if toks[k].low == "that" and (toks[k - 1].low in _THAT_AFTER or toks[k - 1].low in _GLAD)), None)
        # ("X announced that it has joined Y": the pronoun is X, the subject before "that")
        if sub is not None and not (sub < len(toks) and toks[sub].low in ("it", "they", "we")):
            first = sub
    verbs = [(k, lem) for k, lem in s.verbs if k >= first]
    # The finite verb nearest before the trigger: a sentence that runs two clauses together
    # ("… begrüßt das 100. Mitglied Das Cluster X ist als 100. Mitglied …") has two subjects.
    finite = [k for k, _ in verbs if k < at] or [k for k, _ in verbs]
    verb_at = (finite[-1] if any(k < at for k, _ in verbs) else finite[0]) if finite else at
    if s.lang == "en" and any(k == at for k, _ in verbs):
        verb_at = at  # "A joined as a producer member while B joined …": each verb its own subject
    if s.lang == "de" and 0 < verb_at < len(toks) and toks[verb_at - 1].text == "," and first < verb_at:
        # "Das Netzwerk X, welches Zulieferer betreut, ist dem Y beigetreten": a relative clause
        # between the subject and its verb
        rel = next((k for k in range(verb_at - 2, first, -1)
                    if toks[k].text == "," and toks[k + 1].low in _RELATIVE_START), None)
        head = next((p for p in s.phrases if p.end == rel and p.start >= first and p.prep is None), None) \
            if rel is not None else None
        if head is not None and head.text.lower() not in _PRONOUN_SUBJECT and toks[verb_at].low in _JOINING_FINITE:
            return head
    if s.lang == "de" and 0 < verb_at < len(toks) and toks[verb_at - 1].text == "," and first < verb_at:
        # "Wie die ASEW mitteilte, traten 15 Unternehmen bei": after a clause put first, the
        # subject follows the verb; nothing before the comma is it
        first = verb_at
    candidates = [p for p in s.phrases if p.start >= first]
    subj = subject(candidates, verb_at)
    if subj is not None and subj.start == first and subj.end == first + 1 and subj.end <= verb_at \
            and s.lang == "de" and not subj.org and not proper_noun(subj.text, "de"):
        # "Einstimmig wurde die Kanzlei … aufgenommen": an adverb put first; the subject follows the verb
        after = subject([p for p in candidates if p is not subj], verb_at)
        subj = after if after is not None and verb_at < after.start <= verb_at + 3 else subj
    if subj is not None and subj.text.lower() in _PRONOUN_SUBJECT:
        return None
    return subj


def _ref(s: Sentence, before: int) -> str:
    """How the sentence refers to whose membership it is: a possessive, an anaphor's head noun."""
    for tok in reversed(s.tokens[max(0, before - 3):before]):
        if tok.low in POSSESSIVES:
            return tok.low
    return ""


def _clause(s: Sentence, at: int) -> tuple[str, list[Token]]:
    """The clause around token ``at``: "Bei der Gründung waren es 57, heute sind es 120" holds
    the past and the present, one on each side of the comma."""
    toks = s.tokens
    start = next((k + 1 for k in range(at - 1, -1, -1) if toks[k].kind == "punct" and toks[k].text in ",;:–"), 0)
    end = next((k for k in range(at + 1, len(toks)) if toks[k].kind == "punct" and toks[k].text in ",;:–"),
               len(toks))
    if start >= len(toks):
        return s.text, toks
    stop = toks[end].start if end < len(toks) else len(s.text)
    return s.text[toks[start].start:stop], toks[start:end]


# "480 members, a twenty percent increase since we began", "seit der Gründung verdoppelt": the
# founding is the baseline of a comparison, the count is today's.
_SINCE_BEFORE = re.compile(r"\b(?:since|seit)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _told_history(text: str, after: int = 0) -> bool:
    """A word of the past in ``text``; one after a since/seit that follows the count (at offset
    ``after``) is a baseline ("Seit seiner Gründung mit 30 Mitgliedern" before the count stays history)."""
    return any((m.start() < after and not _NOW.search(text, m.end(), after))
               or m.start() >= after and _SINCE_BEFORE.search(text, 0, m.start()) is None
               for m in _HISTORY.finditer(text))


_ASIDE = re.compile(r"\([^()\d]{0,30}\d[^()]{0,30}\)")


def _without_asides(text: str, keep: int) -> str:
    """``text`` with its parenthesised figures blanked, but the one holding offset ``keep``: "mit
    43.573 Mitgliedern (Vorjahr 41.418)", "(+308)" compare the count with the past; they do not
    date it ("(at the time)", a figure's own word of the past, stays)."""
    if "(" not in text:
        return text
    return _ASIDE.sub(lambda m: m.group(0) if m.start() <= keep < m.end() or _HISTORY.search(m.group(0))
                      else " " * len(m.group(0)), text)


# Growth from a start to the count: "grown from 13 founding companies to 92 members", "von 20
# Gründungsmitgliedern auf 140 Mitglieder gewachsen" (the count right after "to"/"auf").
_GROWN_TO = re.compile(r"\b(?:to|auf)\s+(?:(?:more than|over|about|around|nearly|almost|rund|über|mehr als|fast|"
                       r"heute|now|today|inzwischen|mittlerweile|knapp)\s+)?$", re.IGNORECASE)
_GROWN_FROM = re.compile(r"\b(?:from|von)\b", re.IGNORECASE)


# A sentence that opens with its body's founding and goes on in the present: "Founded in 1977, the
# association unites more than 70 companies" (the founding dates itself, not the count).
_FOUNDING_ADJUNCT = re.compile(r"\s*(?:founded|established|formed|launched|created|set up|started|incorporated|"
                               r"gegründet|entstanden|ins leben gerufen)\b[^,.;:]{0,60},\s*", re.IGNORECASE)


# Words of the past that date a later state, not the count: "Seit der Gründung 2006 ist das Netzwerk auf
# 42 Mitglieder angewachsen", "Ein Vierteljahr nach der Gründung gehören dem Verein schon 38 Mitglieder
# an" (in a clause without a past tense); an apposition ", founded in 1982," anywhere in the sentence;
# the start of a growth to the count ("von 100 zu Beginn auf 1 600 angestiegen").
_SINCE_FOUNDING = re.compile(r"\b(?:seit|since|nach|after)\s+(?:der|dem|seiner|ihrer|its|their|the)?\s*"
                             r"(?:gründung|founding|inception|start|beginn)\b"
                             # (not the baseline itself: "Seit seiner Gründung mit 30 Mitgliedern …")
                             r"(?!\s+(?:\S+\s+){0,3}?(?:mit|with)\s)", re.IGNORECASE)
_FOUNDING_APPOSITION = re.compile(r",\s*(?:founded|established|formed|launched|created|set up|incorporated|"
                                  r"gegründet|entstanden)\s+(?:in|im|am|on)?\s*[^,.;:]{0,40},", re.IGNORECASE)
_GROWTH_START = re.compile(r"\b(?:von|from)\s+(?:\S+\s+){1,3}?(?:zu beginn|anfangs|originally|initially|at the start)"
                           r"\b(?=.{0,60}\b(?:auf|to)\s)", re.IGNORECASE)


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _without_dating_past(text: str) -> str:
    """``text`` with the words of the past blanked that date a later state (see above)."""
    text = _blank(_blank(text, _FOUNDING_APPOSITION), _GROWTH_START)
    return text if _PAST.search(text) else _blank(text, _SINCE_FOUNDING)


# Comma-bounded relative clauses and "mit …" appositions: their own tense is not the count's ("Die Gruppe,
# die sich erst im Oktober gegründet hatte, ist auf acht Mitglieder angewachsen"; "Die IG Metall, mit mehr
# als 2,2 Millionen Mitgliedern Deutschlands größte Gewerkschaft, hatte die Trendwende 2011 geschafft").
_ASIDE_CLAUSE = re.compile(r",\s*(?:(?:die|der|das|dem|den|welche\w*|which|who|that)\s|(?:mit|with)\s)[^,;:]{3,160},")


def _outside_asides(text: str, keep: int) -> str:
    """``text`` without its comma-bounded asides, but the one holding offset ``keep`` (judged alone)."""
    for m in _ASIDE_CLAUSE.finditer(text):
        if m.start() <= keep < m.end():
            return m.group(0)
    return _ASIDE_CLAUSE.sub(lambda m: " " * len(m.group(0)), text)


def historical(s: Sentence, doc_year: Callable[[], int | None], at: int | None = None, kind: str = "") -> bool:
    text, toks = _clause(s, at) if at is not None and 0 <= at < len(s.tokens) else (s.text, s.tokens)
    text = _without_dating_past(text)
    offset = s.tokens[at].start if at is not None and 0 <= at < len(s.tokens) else len(s.text)
    clause_offset = offset - (toks[0].start if toks else 0)
    if "(" in text:
        base = toks[0].start if toks and at is not None and 0 <= at < len(s.tokens) else 0
        text = _without_asides(text, offset - base)
        toks = [t for t in toks if 0 <= t.start - base < len(text) and text[t.start - base] != " "]
    history = _HISTORY_CLAUSE.search(text)
    if history and _GROWN_TO.search(text, 0, clause_offset) and _GROWN_FROM.search(text, 0, history.start()):
        history = None  # "has grown from 13 founding companies in 2017 to 92 members": the start, then today
    if _told_history(text, clause_offset) or history or _PLUPERFECT.search(_outside_asides(s.text, offset)) \
            or _PLUPERFECT_SEIN.search(text):
        return True
    # Another clause's past counts only before the count: "Bei der Gründung 1990 waren es 12, heute
    # sind es 80"; not "…, in dem sich 270 Firmen zusammengeschlossen haben, 75 Jahre nach seiner Gründung"
    before = _without_dating_past(s.text[:offset])
    if any(not _NOW.search(before, m.end()) and _SINCE_BEFORE.search(before, 0, m.start()) is None
           for m in _HISTORY.finditer(before)) and not _NOW.search(text) \
            and not (toks and _FOUNDING_ADJUNCT.fullmatch(s.text[:toks[0].start])):
        return True
    if _PAST.search(text) and _NOW.search(s.text, offset) and not _NOW.search(text) \
            and any(t.kind == "num" and t.value and 1800 <= t.value <= 2100 and t.start < offset for t in s.tokens):
        return True  # "In 2001 we had only 395 members; now we have …": a dated past, then today
    if kind == "new_member" and (re.search(r"\bwurden?\b", text) and years_before(toks, doc_year)
                                 # "Mr Bolton and Mr Bryan joined the club in 1991 and 1984": long before
                                 # the text (not "21 new members joined the Society in 2016" in its report)
                                 or re.search(r"\b(?:joined|became|was|were)\b", text)
                                 and years_before(toks, doc_year, margin=2)):
        return True  # "Die Klarwerk GmbH wurde im Jahr 2012 Mitglied" in a text of 2025
    if _PAST.search(text) and re.search(r"\bnoch\b(?!\s+nie)", text, re.IGNORECASE):
        return True  # "Indessen zählte der Verein noch 165 Mitglieder": what it still had then
    years = [t.value for t in toks if t.kind == "num" and t.value and 1800 <= t.value <= 2100]
    if years and (_ALREADY.search(text) or _PAST.search(text)):
        latest = doc_year()
        return latest is not None and max(years) < latest
    # "2014 ist die Stadt als 16. Mitglied beigetreten", "Im Jahr 2019 hat der Verein …": a clause
    # dated by its first words to a year before the text's own is history, whatever its tense.
    # ("Der 1950 gegründete Club hat 90 Mitglieder": the year dates the founding, not the clause)
    lead = [t for j, t in enumerate(toks[:4]) if t.kind == "num" and t.value and 1800 <= t.value <= 2100
            and not (j + 1 < len(toks) and _DATED_ATTRIBUTE.match(toks[j + 1].low))]
    if lead and not any(t.low in ("seit", "since", "ab", "bis", "until", "by") for t in toks[:4]):
        latest = doc_year()
        return latest is not None and lead[0].value is not None and lead[0].value < latest
    return False


_DATED_ATTRIBUTE = re.compile(r"(?:gegründet|ins leben gerufen|entstanden|eröffnet|founded|established|"
                              r"formed|launched)\w*$")
def years_before(toks: list[Token], doc_year: Callable[[], int | None], margin: int = 0) -> bool:
    """Does the clause name a year before (by more than ``margin`` years) the latest one the text names?"""
    years = [t.value for t in toks if t.kind == "num" and t.value and 1800 <= t.value <= 2100 and t.text.isdigit()]
    if not years:
        return False
    latest = doc_year()
    return latest is not None and max(years) < latest - margin


_NEGATION = LowerCased(re.compile(r"\b(?:nicht|kein|keine|keinen|not|never|no longer|nie|\w+n['’]t)\b", re.IGNORECASE))
# "so viele wie seit zehn Jahren nicht mehr", "so viele wie noch nie": a comparison, no negation
_COMPARED = re.compile(r"\b(?:wie|als)\s+(?:(?:seit|noch|zuvor)\b.{0,50}?\b(?:nicht mehr|nie|zuvor)|nie)\b",
                       re.IGNORECASE)
# What is to come is no milestone yet: "on its way to becoming the alliance's 14th member",
# "member-elect", "soll … aufgenommen werden".
_FUTURE = LowerCased(re.compile(r"\b(?:to becom\w*|on (?:its|their|his|her) way to|member-elect|will become|"
                                r"will join|is to become|are to become|soll\w*\s(?:\S+\s){0,6}?(?:werden|beitreten))\b",
                                re.IGNORECASE))


def index_of(s: Sentence, hit: Hit) -> int:
    """Where the hit's number stands; of two equal numbers the one before its trigger ("Vor rund 120
    Jahren …, heute … der etwa 120 Mitgliedsunternehmen")."""
    at = [k for k, t in enumerate(s.tokens) if hit.number is not None and t.value == hit.number]
    if len(at) > 1:
        near = [k for k in at if any(t.text == hit.trigger for t in s.tokens[k:k + 6])]
        at = near or at
    if at:
        return at[0]
    triggers = [k for k, t in enumerate(s.tokens) if t.text == hit.trigger]
    if len(triggers) > 1 and hit.member:
        # "Nachdem A beigetreten war, ist nun auch B beigetreten": each newcomer's own trigger,
        # the first one after its name
        named = s.text.find(hit.member)
        after = [k for k in triggers if s.tokens[k].start > named] if named >= 0 else []
        return after[0] if after else triggers[0]
    return triggers[0] if triggers else 0


def _place_after(s: Sentence, p: Phrase) -> str | None:
    """"… aus Lohr am Main", "… from Turin", "…, based in Dresden,"."""
    toks = s.tokens
    k = p.end
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k + 1 < len(toks) and toks[k].low == "based" and toks[k + 1].low == "in":
        k += 1
    if k + 1 < len(toks) and toks[k].low in _FROM | {"in"} and (toks[k].low != "in" or k > p.end):
        nxt = s.phrase_after(k, within=1)
        if nxt is not None and nxt.start == k + 1:
            end = nxt.end
            # "Lohr am Main", "Frankfurt an der Oder", "Halle (Saale)"
            while end + 1 < len(toks) and toks[end].low in ("am", "an", "im", "ob", "upon") and toks[end + 1].cap:
                end += 2
            if end + 2 < len(toks) and toks[end - 1].low == "der" and toks[end].cap:
                end += 1
            last = toks[end - 1]
            return s.text[toks[nxt.start].start:last.start + len(last.text)]
    return None


def _member_of(s: Sentence, ordinal_at: int, trigger_at: int) -> tuple[Phrase | None, str]:
    """The joining organisation of an ordinal or a new membership, and how it was found."""
    toks = s.tokens
    # "Mit der Firma X begrüßt …", "With X, the Association …".
    for p in s.phrases:
        if p.prep in ("mit", "with") and p.end <= ordinal_at and not generic(p.text) \
                and (p.org or len(p.text.split()) > 1):
            return p, "mit-phrase"
    # "… als 100. Mitglied": who is "als"?
    als = next((k for k in range(ordinal_at - 1, max(-1, ordinal_at - 4), -1) if toks[k].low in ("als", "as")), None)
    active = [lem for _, lem in s.verbs if lem in WELCOME_VERBS | ADMIT_VERBS]
    passive = any(t.low in ("wurde", "wurden", "wird", "worden", "was", "were", "been", "is", "ist")
                  for t in toks)
    if als is not None:
        if active and not passive:
            # "Der Verbund hat die Beispiel GmbH als 250. Mitglied aufgenommen": the object.
            objs = [p for p in s.phrases if p.end <= als and p.prep is None]
            if len(objs) >= 2:
                return objs[-1], "object before als"
            verb = next((k for k, lem in s.verbs if lem in WELCOME_VERBS | ADMIT_VERBS and k > ordinal_at), None)
            after = [p for p in s.phrases if verb is not None and p.start > verb and p.prep is None]
            if s.lang == "en" and not objs and after and not generic(after[0].text) and _nameish(s, after[0]):
                return after[0], "object"  # "As its 200th member, the Alliance welcomes X"
            if not objs and len(after) >= 2 and not generic(after[-1].text) and _nameish(s, after[-1]):
                # "Als 100. Mitglied begrüßt der Cluster X die Y GmbH": subject, then the object
                return after[-1], "object after the verb"
        subj = _clause_subject(s, als)
        if subj is not None and not generic(subj.text) and _nameish(s, subj):
            return subj, "subject"
    # "Das 100. Mitglied ist die X GmbH", "100. Mitglied: X", "the 100th member, X,".
    start = trigger_at + 1
    owner_p = s.phrase_after(trigger_at, within=0)
    if owner_p is not None and owner_p.start == trigger_at + 2 and toks[trigger_at + 1].low in ("des", "der", "of"):
        start = owner_p.end  # "Das 88. Mitglied des Wirtschaftsforums Lippe ist …": past the genitive
    for k in range(start, min(len(toks), start + 3)):
        if toks[k].low in ("ist", "wird", "heißt", "is", "was", ":", ",", "–", "-"):
            nxt = s.phrase_after(k, within=1)
            closed = nxt is not None and (toks[k].text != "," or nxt.end >= len(toks) - 1
                                          or toks[nxt.end].text in (",", ".", ")"))
            if nxt is not None and closed and not generic(nxt.text) and nxt.prep is None \
                    and not NOT_PROGRAMMES.search(nxt.text):
                return nxt, "after the noun"
            if toks[k].text == ":":
                admitted = _admitted_after(s, k)
                if admitted is not None:
                    return admitted, "admitted, after the colon"
            break
    # "X ist das 100. Mitglied", "X became the 100th member of Y" — but not "Der VDMA begrüßt
    # das 3.000. Mitglied", "go-cluster celebrates its 100th member": there the subject is
    # whose membership it is.
    if any(t.low in POSSESSIVES for t in toks[max(0, ordinal_at - 3):ordinal_at]):
        return None, ""
    subj = _clause_subject(s, ordinal_at)
    if subj is not None and subj.end <= ordinal_at and not generic(subj.text):
        verbs_before = {lem for k, lem in s.verbs if k < ordinal_at}
        copula = any(t.low in _COPULA for t in toks[subj.end:ordinal_at])
        if verbs_before & {"become", "werden", "beitreten", "join"}:
            verbs_before -= {"have", "haben", "sein"}  # "has become the 100th member"
        if copula and not verbs_before & (WELCOME_VERBS | ADMIT_VERBS | COUNT_VERBS | OWNER_VERBS) \
                and _nameish(s, subj):
            return subj, "subject"
    return None, ""


_ADMITTED = frozenset("aufgenommen beigetreten admitted joined accepted aufnehmen".split())


def _admitted_after(s: Sentence, colon: int) -> Phrase | None:
    """"… hat sein 120. Mitglied: Heute wurde das Netzwerk X aus Kassel … aufgenommen." """
    if not any(t.low in _ADMITTED for t in s.tokens[colon + 1:]):
        return None
    for p in s.phrases:
        if p.start > colon and p.prep is None and _nameish(s, p) and not generic(p.text) \
                and p.det not in ("dem", "den", "des"):
            return p
    return None


# Asking for one's membership number: "Bitte geben Sie Ihre Mitgliedsnummer an, z. B. Mitglied Nr. 10452",
# "Please quote your membership number 58321"
# The words before a member's number: "Mitglied Nr. 500", "member number 250", "member #1000"
NUMBER_MARKS = frozenset(("nr", "nr.", "nummer", "no", "no.", "number", "#"))
_QUOTE_YOUR_NUMBER = re.compile(r"\b(?:bitte|please|quote|geben sie|ihre|ihrer|your|lautet|angeben|enter)\b",
                                re.IGNORECASE)


def ordinal_frames(s: Sentence) -> list[Hit]:
    out: list[Hit] = []
    toks = s.tokens
    # "Bitte geben Sie Ihre Mitgliedsnummer an, z. B. Mitglied Nr. 10452": a number to quote, no member's place
    quoted = _QUOTE_YOUR_NUMBER.search(s.text) is not None
    for i, tok in enumerate(toks):
        number: int | None = None
        at = None
        numbered: Phrase | None = None
        if is_ordinal(toks, i):
            if i == 0 and tok.kind == "num" or (i > 0 and toks[i - 1].low in _MONTHS | _EVERY) \
                    or tok.kind == "num" and s.lang == "en":
                continue  # "3. Members are …" (a list), "Feb. 28th"; English writes "2nd", its "2." numbers a list
            found = _member_noun_after(toks, i, span=5, lang=s.lang)
            if found is not None and found[1].count_noun:
                continue
            if found is None:
                # "the 100th company to join", "das 100. Unternehmen, das beitritt".
                if i + 3 < len(toks) and ORG_PLURALS.match(toks[i + 1].low + "s") or \
                        (i + 1 < len(toks) and re.match(r"^(?:company|organisation|organization|firm|"
                                                         r"network|cluster|unternehmen|netzwerk)$", toks[i + 1].low)):
                    tail = " ".join(t.low for t in toks[i + 2:i + 7])
                    if re.search(r"\b(?:to join|to become a member|beitr|beigetreten|aufgenommen|to sign)", tail):
                        number, at = tok.value, i + 1
                        mn = MemberNoun()
                if number is None:
                    continue
            else:
                at, mn, _ = found
                number = tok.value
        elif tok.kind == "num" and not tok.dot and s.lang == "de" and i > 0 and i + 1 < len(toks) \
                and toks[i - 1].low in _SINGULAR_BEFORE and toks[i + 1].low in ("mitglied", "vereinsmitglied") \
                and tok.value and tok.value >= 10 and not (1900 <= tok.value <= 2100 and tok.text.isdigit()) \
                and not (i + 2 < len(toks) and toks[i + 2].low.startswith(("stark", "umfass", "zähl", "gewor"))):
            # "hat sein 100.000 Mitglied begrüßt", "das 101 Mitglied": a singular noun after a number
            # makes it an ordinal whose full stop was left out
            at, mn, number = i + 1, member_noun(toks[i + 1].text) or MemberNoun(), tok.value
        elif tok.kind == "word" and tok.low in ("mitgliedsnummer", "mitgliedernummer") and i + 1 < len(toks) \
                and toks[i + 1].kind == "num":
            at, mn, number = i, MemberNoun(), toks[i + 1].value
            numbered = _clause_subject(s, i)
        elif tok.kind == "word" and member_noun(tok.text) is not None and i + 2 < len(toks) \
                and toks[i + 1].low in NUMBER_MARKS \
                and toks[i + 2].kind in ("num", "ord") and not quoted:
            at, mn, number = i, member_noun(tok.text) or MemberNoun(), toks[i + 2].value
            i = i + 2
        elif tok.kind == "word" and member_noun(tok.text) is not None and i + 3 < len(toks) \
                and toks[i + 1].low in ("nr", "no", "nummer") and toks[i + 2].text == "." \
                and toks[i + 3].kind == "num" and not quoted:
            at, mn, number = i, member_noun(tok.text) or MemberNoun(), toks[i + 3].value
            i = i + 3
        else:
            continue
        if number is None or at is None or number < 2:
            continue
        owner, elsewhere = _owned_by(s, at, mn)
        if elsewhere:
            continue
        if (owner is None or generic(owner)) and s.lang == "en":
            # "the 21st ECRN member region": the acronym before the noun is whose
            owner = next((t.text for t in toks[i + 1:at] if t.text.isupper() and 2 <= len(t.text) <= 8
                          and t.low not in _CODES), owner)
        member, how = _member_of(s, min(i, at), max(i, at))
        if member is None and numbered is not None and _nameish(s, numbered):
            member, how = numbered, "subject (membership number)"
        hit = Hit("member_ordinal", "ordinal", toks[at].text, number=number)
        if member is not None:
            hit.member = member.text
            hit.place = _place_after(s, member)
            hit.roles["member"] = f"{member.text} ({how})"
        if owner:
            hit.programme = owner
            hit.roles["programme"] = f"{owner} (attached to {toks[at].text})"
        elif how == "object after the verb" and member is not None:
            # "Als 150. Mitglied begrüßt das Solarnetz Mitte die X": the subject right after the verb
            subj = next((p for p in s.phrases if p.end <= member.start and p.start > at and p.prep is None), None)
            _set_programme(hit, subj, s, at)
            if subj is not None and hit.programme is None and not generic(subj.text):
                hit.programme, hit.ref = subj.text, None
        else:
            _programme_by_clause(s, hit, min(i, at), member)
        out.append(hit)
        out[-1:] = _coordinated_ordinals(s, i, hit, member)
    return out


_POSSESSIVE_DET = frozenset("seinen ihren unseren allen den diesen".split())
_SINGULAR_BEFORE = frozenset("das sein ihr unser euer dem zum als".split())
_ORD_GLUE = frozenset("das die der the its ihr ihre sein seine unser unsere their our".split())


_ORD_AND = frozenset(("und", "and", "sowie", "&"))


def _before_glue(toks: list[Token], j: int) -> int:
    """The first token at or before ``j`` that is no article or possessive ("das", "its")."""
    while j > 0 and toks[j].low in _ORD_GLUE:
        j -= 1
    return j


def _coordinated_ordinals(s: Sentence, i: int, hit: Hit, member: Phrase | None) -> list[Hit]:
    """ "das 199. und das 200. Mitglied", "its 14th and 15th members": each ordinal is a milestone,
    and names given together are given in the same order ("Die Städte A und B")."""
    toks = s.tokens
    numbers: list[int] = []
    j = _before_glue(toks, i - 1)
    if toks[j].low not in _ORD_AND:
        return [hit]  # "On March 3rd, the 100th member …": a comma alone joins a date, not a milestone
    while j > 0 and (toks[j].low in _ORD_AND or toks[j].text == ","):
        j = _before_glue(toks, j - 1)
        value = toks[j].value
        if not (toks[j].kind == "ord" or toks[j].kind == "num" and toks[j].dot) or not value \
                or j > 0 and toks[j - 1].low.rstrip(".") in _MONTHS:
            break
        numbers.insert(0, value)
        j = _before_glue(toks, j - 1)
    if not numbers or hit.number is None or any(n >= hit.number for n in numbers):
        return [hit]
    names: list[Phrase] = []
    from_subject = False
    if member is None and toks[j].low in ("as", "als"):
        # "A and B joined … as its 14th and 15th members": the subjects, in order
        member = _clause_subject(s, j)
        member = member if member is not None and member.start < j and _nameish(s, member) else None
        from_subject = member is not None
    if member is not None:
        names = _whole_group(s, member)
    if len(names) == 1 and len(numbers) == 1 and re.search(r" (?:und|and) ", names[0].text):
        # "Die Gemeinden Arnstal und Birkhausen": one phrase, two names (the plural before them is no name)
        first, _, last = re.split(r" (und|and) ", names[0].text, maxsplit=1)
        head, _, rest = first.partition(" ")
        first = rest if rest and ORG_PLURALS.match(head.lower()) else first
        names = [Phrase(names[0].start, names[0].end, first, None, None, False),
                 Phrase(names[0].start, names[0].end, last, None, None, False)]
    if from_subject and any(hit.programme == p.text for p in names):
        # whose members they became is what they joined, never one of them
        joined = next((p for p in s.phrases if names[-1].end <= p.start < j and p.org and p.prep is None), None)
        hit.programme, hit.ref = (joined.text, None) if joined is not None else (None, _ref(s, j))
    paired = len(names) == len(numbers) + 1
    out = []
    for k, n in enumerate(numbers):
        extra = Hit("member_ordinal", "ordinal (coordinated)", hit.trigger, number=n, programme=hit.programme,
                    ref=hit.ref, roles={r: v for r, v in hit.roles.items() if r != "member"})
        if paired:
            extra.member, extra.place = names[k].text, _place_after(s, names[k])
            extra.roles["member"] = f"{names[k].text} (named in the same order)"
        out.append(extra)
    if paired:
        hit.member, hit.place = names[-1].text, _place_after(s, names[-1])
        hit.roles["member"] = f"{names[-1].text} (named in the same order)"
    elif member is not None and len(names) > 1:
        hit.member = None  # several names, several numbers, no telling which is whose
        hit.roles.pop("member", None)
    return out + [hit]


def _programme_by_clause(s: Sentence, hit: Hit, at: int, member: Phrase | None) -> None:
    """Whose membership, when nothing is attached to the noun: a prepositional object that names
    an organisation ("in das Programm …", "bei go-cluster"), a dative of angehören/beitreten, or
    the subject that welcomes, admits, counts."""
    for p in s.phrases:
        if member is not None and p.start == member.start:
            continue
        if member is not None and p.start > member.end and any(t.text == "," for t in s.tokens[member.end:p.start]):
            continue  # "Neu ist A, vielen durch sein Engagement in Stadt und Landkreis bekannt": an aside
        if p.prep in ("in", "im", "ins", "bei", "beim", "into", "to", "zum") and p.org and not generic(p.text):
            hit.programme = p.text
            hit.roles["programme"] = f"{p.text} ({p.prep} …)"
            return
    lemmas = {lem for _, lem in s.verbs}
    if lemmas & {"angehören", "beitreten"}:
        for p in s.phrases:
            if p.det in ("dem", "der") and p.prep is None and (member is None or p.start != member.start):
                if generic(p.text):
                    hit.ref = p.text.lower()
                    return
                if p.org:
                    hit.programme = p.text
                    hit.roles["programme"] = f"{p.text} (dative of {'/'.join(sorted(lemmas))})"
                    return
    colon = next((k for k in range(at - 1, 0, -1) if s.tokens[k].text == ":"), None)
    if colon is not None:  # "go-cluster: Über 100 Mitglieder setzen auf …", a headline's topic
        topic = next((p for p in s.phrases if p.end == colon and p.prep is None), None)
        if topic is not None and topic.org and not generic(topic.text) \
                and (member is None or topic.start != member.start):
            inside = _clause_subject(s, at)
            if inside is None or not inside.org or generic(inside.text):
                hit.programme = topic.text
                hit.roles["programme"] = f"{topic.text} (before the colon)"
                return
    subj = _clause_subject(s, at)
    if subj is not None and subj.start > 0 and s.tokens[subj.start - 1].kind == "num":
        # "Gegenwärtig nutzen 101 Cluster die Angebote des Programms": the counted members
        genitive = next((p for p in s.phrases if p.det in ("des", "der") and p.prep is None and p.start > subj.end
                         and (p.org or generic(p.text))), None)
        if genitive is not None and not generic(genitive.text):
            hit.programme = genitive.text
            return
        hit.ref = genitive.text.lower() if genitive is not None else _ref(s, at)
        return
    if subj is not None and (member is None or subj.start != member.start):
        if subj.org and not generic(subj.text):
            hit.programme = subj.text
            hit.roles["programme"] = f"{subj.text} (subject)"
            return
        if generic(subj.text):
            hit.ref = subj.text.lower()
            return
    hit.ref = _ref(s, at)


class _Lazy:
    """A yes/no worked out on first use: most cue sentences never need the costly answer."""

    def __init__(self, compute: Callable[[], bool]) -> None:
        self._compute = compute
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = self._compute()
        return self._value


_DEPARTMENT = re.compile(r"abteilung|sparte|riege|^turner$|ortsgruppe|ortsverein|section|division", re.IGNORECASE)


_ATTRIBUTE_PARTICIPLE = re.compile(r"^(?:aufgenommen|organisiert|zusammengeschlossen|angeschlossen|beteiligt|"
                                   r"vereint|vertreten|eingebunden|versammelt|zusammengefasst)(?:e|en|er|es)$")


def _attributed_in(s: Sentence, q: int) -> Phrase | None:
    """"die im Netzwerk organisierten 80 Unternehmen": an article, a place and a participle of
    joining before the number; the place is whose members they are."""
    toks = s.tokens
    if q == 0 or not _ATTRIBUTE_PARTICIPLE.match(toks[q - 1].low):
        return None
    article = next((j for j in range(q - 2, max(-1, q - 12), -1) if toks[j].low in ("die", "der", "den", "the")), None)
    if article is None:
        return None
    return next((p for p in s.phrases if article < p.start < q - 1 and p.prep in ("in", "im", "ins", "bei", "beim")
                 and (p.org or generic(p.text))), None)


def bracket_counts(s: Sentence) -> tuple[list[Hit], set[int]]:
    """Counts in brackets after a name: "Borussia Dortmund (rund 190.000 Mitglieder), der 1. FC Köln
    (132.000)". A bare number in brackets counts only in a sentence whose brackets hold members."""
    toks = s.tokens
    out: list[Hit] = []
    used: set[int] = set()
    if "(" not in s.text:
        return out, used
    spans = []
    q_of: dict[int, int] = {}
    for i, tok in enumerate(toks):
        if tok.kind != "num" or tok.value is None or is_ordinal(toks, i):
            continue
        q = i
        while q > 0 and (toks[q - 1].low in _QUALIFIER_WORDS or toks[q - 1].text == "." and q > 1
                         and toks[q - 2].low in ("ca", "rd")):  # "(ca. 180.000 Mitglieder)"
            q -= 1
        if q == 0 or toks[q - 1].text != "(":
            continue
        member = i + 1 < len(toks) and member_noun(toks[i + 1].text) is not None \
            and not (member_noun(toks[i + 1].text) or MemberNoun()).count_noun
        close = i + 2 if member else i + 1
        if close >= len(toks) or toks[close].text != ")":
            continue
        owner = next((p for p in s.phrases if p.end == q - 1 or p.end == q - 2 and toks[q - 2].kind == "num"), None)
        q_of[i] = q
        spans.append((i, member, owner))  # ("FC Schalke 04 (ca. 180.000 Mitglieder)": a number ends the name)
    # "Schalke 04 (180.000) und der Hamburger SV (100.000) haben sechsstellige Mitgliederzahlen":
    # bare numbers, several of them, in a sentence about members
    bare = not any(member for _, member, _ in spans)
    if bare and not (len(spans) >= 2 and s.member_nouns):
        return out, used
    for i, _member, owner in spans:
        used.add(i)
        if owner is None or generic(owner.text) or NOT_PROGRAMMES.search(owner.text) or is_owner(owner.text):
            continue
        if bare and not owner.org:
            continue  # "members come from Japan (53), India (24)": places, not clubs
        if bare and (1900 <= (toks[i].value or 0) <= 2100 or _ATTENDANCE.search(s.text)):
            continue  # "Weber GmbH (1998)": a year; "geehrt wurden …": honours, not counts
        if _DEPARTMENT.search(owner.text):
            continue  # "die Turner (493 Mitglieder), die Fußballabteilung (297)": parts of one club
        name = owner.text if owner.end != q_of[i] - 2 else span_text(s.text, toks, owner.start, q_of[i] - 1)
        hit = Hit("member_count", "count: in brackets", toks[i].text, number=toks[i].value,
                  qualifier=_qualifier(toks, i), programme=name)
        hit.roles["programme"] = f"{name} (before the brackets)"
        out.append(hit)
    return out, used


_BRINGING = re.compile(r"\b(?:bringing|brings|bring|brought|raising|raises|raised|taking|takes|took)\s+"
                       r"(?=(?:[\w'’-]+\s+){0,5}?(?:total|membership|tally|member count|number of members)\b)"
                       r"(?:[\w'’-]+\s+){1,7}?to\s+(?:(?:more than|over|about|around|nearly|almost)\s+)?",
                       re.IGNORECASE)


_BRING_WORDS = LowerCased(re.compile(r"bring|brought|rais|tak|took", re.IGNORECASE))


_PREVIOUS = LowerCased(re.compile(r"\b(?:previous|prior|former|old|vorherige\w*|bisherige\w*|alte\w*|frühere\w*)\s+"
                                  r"(?:\w+\s+){0,2}$", re.IGNORECASE))


# Bodies with seats, written in lower case ("the council, which has 15 members"); "the Hydrogen Council"
# is a name and has members
_BODIES_LOW = frozenset("council panel jury commission cabinet senate assembly rat gremium".split())
_LOSS = frozenset("lost loses losing lose shed verloren verlor verliert verlieren eingebüßt verlorene verlorener "
                  "verlorenen".split())
_PLAN_MARK = frozenset("würde würden wäre wären will wollen möchte möchten wird werden plan plans planned aim aims "
                       "want wants hope hopes hofft hoffen versucht versuchen".split())
_PLAN_GOAL = frozenset("wachsen anwachsen steigen ansteigen erreichen steigern haben reach grow have double increase "
                       "attract recruit gewinnen werben win pass surpass top exceed hit knacken überschreiten "
                       "durchbrechen".split())


def _planned(s: Sentence, i: int) -> bool:
    """Is the number at ``i`` what a plan or a hypothesis aims at, in its own clause ("aims to reach
    100 members", "will bis 2027 auf 300 Mitglieder wachsen", "würde … auf 42 Mitglieder wachsen")?
    A count beside a plan stays a count ("hat 60 Mitglieder und will weiter wachsen")."""
    toks = s.tokens
    lo = i
    while lo > 0 and toks[lo - 1].text not in (",", ";") and i - lo < 14:
        lo -= 1
    hi = i
    while hi + 1 < len(toks) and toks[hi + 1].text not in (",", ";", ".") and hi - i < 10:
        hi += 1
    if any(t.low in ("künftig", "zukünftig", "demnächst") for t in toks[lo:i]):
        return True  # "Künftig umfasst die Metropolregion 17 Kreise": what will be
    if any(toks[j].low == "zu" and toks[j + 1].low in _PLAN_GOAL for j in range(i + 1, hi)):
        return True  # "hofft, in diesem Jahr 20 neue Mitglieder zu gewinnen": an aim
    mark = next((j for j in range(lo, i) if toks[j].low in _PLAN_MARK), None)
    if mark is None:
        return False
    return any(t.low in _PLAN_GOAL for t in toks[mark + 1:hi + 1] if t is not toks[i])


def _part(s: Sentence, i: int) -> str:
    """The part of a sentence around token ``i`` between dashes and semicolons: "Rund 100
    Mitglieder hat der Verein – doch bei der Versammlung waren kaum welche anwesend". A dash inside
    quotation marks is part of a name ("„Vielfalt – Frauen im Netzwerk“ zählt rund 30 Mitglieder")."""
    at = s.tokens[i].start
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(s.text)] if "–" in s.text or " - " in s.text else []
    breaks = [m for m in _PART_BREAK.finditer(s.text) if not any(a < m.start() < b for a, b in quoted)]
    starts = [m.end() for m in breaks if m.end() <= at]
    end = next((m for m in breaks if m.start() >= at), None)
    return s.text[(starts[-1] if starts else 0):(end.start() if end else len(s.text))]


_PART_BREAK = re.compile(r"\s[–—-]\s|;")
_QUOTED = re.compile(r"[„“\"«»][^„“”\"«»]{1,80}[“”\"«»]")


# Parts of an organisation whose size is not its membership: "Die Jugendabteilung ist 120 Mitglieder stark"
_SUB_UNIT = re.compile(r"(?i)(?:abteilung|gruppe|ausschuss|kommission|gremium|team|committee|group|panel|section|"
                       r"sektion|riege|mannschaft|chor)\b")
_MARK_WORDS = frozenset("mark marke er-marke milestone barrier schwelle schallmauer grenze hürde".split())
_PASSED = re.compile(r"\b(?:pass\w*|surpass\w*|top\w*|reach\w*|exceed\w*|cross\w*|br[oe]\w*|überschr\w*|"
                     r"geknackt|knackt\w*|durchbr\w*|erreicht\w*|übersprung\w*|übertroffen|übertrifft)\b",
                     re.IGNORECASE)


_DATED_MARK = re.compile(r"(?i)\b(?:in|im jahr|im jahre?)\s+(?:19|20)\d\d\b|\blast year\b|"
                         r"\b(?:im )?(?:letzten|vergangenen) jahr\b|\bsince fallen\b")


def _mark_passed(s: Sentence, i: int) -> Hit | None:
    """ "Our membership has passed the 700 mark", "die stolze 500er-Marke überschritten": a count
    reached, when the sentence is about members and says the mark was passed (not that it is aimed at)."""
    toks = s.tokens
    after = [t.low for t in toks[i + 1:i + 3]]
    if not after or not (after[0] in _MARK_WORDS or after[0] == "er" and after[1:2] == ["marke"]):
        return None
    # Whose mark: the number of members ("Our membership has passed the 700 mark", "die Mitgliederzahl hat
    # die 1000er-Marke überschritten", "die 2000er-Marke der Mitglieder"); not visitors, sales, donations
    # in a sentence that also names members
    counted = any(mn.count_noun for j, mn in s.member_nouns if j < i) \
        or any(member_noun(t.text) is not None for t in toks[i + 2:i + 5])
    if not counted or not _PASSED.search(s.text) or _MODAL.search(s.text) or _planned(s, i) \
            or _FUTURE.search(s.text) or _DATED_MARK.search(s.text):
        return None
    hit = Hit("member_count", "count: mark passed", toks[i + 1].text, number=toks[i].value)
    _programme_by_clause(s, hit, i, None)
    return hit


def count_frames(s: Sentence) -> list[Hit]:
    out, bracketed = bracket_counts(s)
    toks = s.tokens
    lemmas = {lem for _, lem in s.verbs}
    attendance = _Lazy(lambda: _ATTENDANCE.search(s.text) is not None)  # asked only of a candidate
    for i, tok in enumerate(toks):
        if tok.kind == "numword" and tok.value and re.search(r"-(?:mitglied|member)", tok.low):
            if NOT_PROGRAMMES.search(" ".join(t.text for t in toks[i + 1:i + 4])):
                continue  # "the 18-member UCAR board": a board's size
            hit = Hit("member_count", "count: mark", tok.text, number=tok.value)
            _programme_by_clause(s, hit, i, None)
            out.append(hit)
            continue
        if tok.kind != "num" or tok.value is None or is_ordinal(toks, i) or tok.value < 2 or i in bracketed:
            continue
        if (mark := _mark_passed(s, i)) is not None:
            out.append(mark)
            continue
        nxt = toks[i + 1].low if i + 1 < len(toks) else ""
        q = i
        while q > 0 and toks[q - 1].low in _QUALIFIER_WORDS:
            q -= 1
        prev = toks[q - 1].low if q > 0 else ""
        if nxt in _PERCENT or nxt in _MONEY or prev in _MONEY or prev in ("je", "pro", "per", "alle", "jeder"):
            continue
        if any(t.low in ("je", "pro", "per") for t in toks[max(0, q - 3):q]):
            continue  # "Mitgliederzahl pro Kammer ca. 45.000": an average
        if prev in ("und", "and", "bis", "to", "-", "–") and q >= 3 and toks[q - 2].kind == "num" \
                and toks[q - 3].low in ("zwischen", "between", "von", "from"):
            continue  # "zwischen 50 und 200 Mitglieder": a range
        if nxt in ("und", "and", "bis") and any(t.low in ("zwischen", "between") for t in toks[max(0, q - 2):q]):
            continue
        if prev in ("weniger", "fewer", "less") or prev in ("als", "than") and q >= 2 \
                and toks[q - 2].low in ("weniger", "fewer", "less"):
            continue  # "weniger als 50 Mitglieder": a bound, not a count
        if 1900 <= tok.value <= 2100 and tok.text.isdigit() and _qualifier(toks, i) is None:
            continue  # a year ("seit 2012 …"), not a count
        # "von 68 auf 100 Mitglieder": the first number is the past.
        if prev in ("von", "from") and any(t.low in ("auf", "to") for t in toks[i + 1:i + 4]):
            continue
        # "um 744 auf …", "200 more members than", "sechs unserer Mitglieder": a change or a part.
        if prev in ("um", "by", "plus") or nxt in _COMPARATIVE - _FURTHER:
            continue
        if prev in ("von", "of") and q >= 2 and toks[q - 2].low in _CHANGE_NOUNS:
            continue  # "einen Zuwachs von 30 Mitgliedern": a change, not the total
        if any(t.low in ("damit", "thus", "therefore", "somit") for t in toks[i + 1:i + 5]) and any(
                t.kind == "num" and j + 1 < len(toks) and member_noun(toks[j + 1].text) is not None
                for j, t in enumerate(toks[i + 2:i + 7], i + 2)):
            continue  # "12 Innungen und damit etwa 1000 Mitgliedsunternehmen": the second is the count
        if prev in _FURTHER or nxt in _FURTHER:
            # "14 weitere Mitglieder sind beigetreten": newcomers, never the total
            found_ = _member_noun_after(toks, i)
            if found_ is not None and not found_[1].count_noun and _batch_news(s, i):
                out.append(_batch_hit(s, i, found_[0]))
            elif found_ is None and any(lem in JOIN_VERBS | ADMIT_VERBS for _, lem in s.verbs):
                # "Zwölf weitere Innovationscluster sind in das Programm aufgenommen worden"
                plural = next((j for j in range(i + 1, min(len(toks), i + 4)) if ORG_PLURALS.match(toks[j].low)), None)
                if plural is not None and _batch_news(s, i):
                    out.append(_batch_hit(s, i, plural))
            continue
        if nxt in ("unserer", "der", "of", "ihrer", "seiner", "von") and i + 2 < len(toks) and (
                toks[i + 2].low in ("our", "the", "its", "their") or member_noun(toks[i + 2].text) is not None):
            continue
        if any(t.low in ("/", "pro", "per", "je") for t in toks[i + 2:i + 4]):
            continue
        if prev in ("mit", "with") and q >= 2 and ORG_PLURALS.match(toks[q - 2].low) and any(
                t.kind == "num" for t in toks[max(0, q - 5):q - 2]) and not any(
                lem in ("zählen", "umfassen", "vereinen", "count", "comprise") for _, lem in s.verbs):
            # "850 Genossenschaften mit etwa 183.000 Mitgliedern": the members of those; but "der
            # Verband zählte 275 Clubs mit 80.247 Mitgliedern" counts its own through them
            continue
        if prev in ("von", "der", "of", "aus") and q >= 3 and _UNION_NOUN.match(toks[q - 2].low) \
                and any(t.low in _COPULA for t in toks[max(0, q - 5):q - 2]) and not attendance and any(
                    ORG_PLURALS.match(t.low) or member_noun(t.text) is not None for t in toks[i + 1:i + 5]):
            # "Der AK BioRegio ist der Zusammenschluss der 30 Bioregionen", "The WUN is an association
            # of 18 research universities": what the subject is made of
            subj = _clause_subject(s, q - 2)
            if subj is not None and subj.end <= q - 2 and not NOT_PROGRAMMES.search(subj.text) and tok.value > 2 \
                    and not _CORPORATE.search(subj.text) and not _NOT_A_UNION.search(s.text):
                hit = Hit("member_count", "count: union of", tok.text, number=tok.value, qualifier=_qualifier(toks, i))
                _set_programme(hit, subj, s, i)
                out.append(hit)
                continue
        if prev in ("whose", "deren", "dessen") and q >= 2 and toks[q - 2].text == ",":
            # "The Photonics Cluster, whose 86 members employ …": the antecedent's count
            found_ = _member_noun_after(toks, i, lang=s.lang)
            ante = next((p for p in s.phrases if p.end == q - 2), None)
            if found_ is not None and not found_[1].count_noun and not found_[2] and ante is not None \
                    and not NOT_PROGRAMMES.search(ante.text) and not attendance:
                hit = Hit("member_count", "count: whose members", tok.text, number=tok.value,
                          qualifier=_qualifier(toks, i))
                _set_programme(hit, ante, s, i)
                out.append(hit)
            continue
        rel = next((r for r in range(max(2, q - 4), q) if toks[r].low in _RELATIVE_PRONOUNS | {"who"}
                    and toks[r - 1].text == ","), None)
        if rel is not None and (NOT_PROGRAMMES.fullmatch(toks[rel - 2].low) or toks[rel - 2].text in _BODIES_LOW):
            continue  # "The board, which has nine members": a board's seats
        if any(t.low in ("minimum", "maximum", "höchstens", "maximal") for t in toks[max(0, q - 3):q]):
            continue  # "a minimum of 10 members": a bound
        if _planned(s, i):
            continue  # "will bis 2027 auf 300 Mitglieder wachsen", "würde … auf 42 Mitglieder wachsen"
        if any(t.low in _LOSS for t in toks[max(0, q - 3):q]) or (
                i + 2 < len(toks) and (toks[i + 1].low in _LOSS or member_noun(toks[i + 1].text) is not None
                                       and toks[i + 2].low in _LOSS)):
            continue  # "has lost 40 members", "hat 40 Mitglieder verloren", "12 verlorene Mitglieder": a loss
        # ("über 4.100 vorwiegend kleine und mittlere Mitgliedsunternehmen": five words may stand between)
        found = _member_noun_after(toks, i, lang=s.lang)
        if found is None and s.lang == "de" and all(t.kind == "word" and t.text.islower() for t in toks[i + 1:i + 5]):
            found = _member_noun_after(toks, i, span=5, lang=s.lang)
        plural_frame = False  # "41 Netzwerke als Mitglieder": the construction says it is a count
        place_ref: str | None = None  # "im Cluster", "dort": whose, by a reference
        kind = "member_count"
        frame = "count: number + member noun"
        at: int | None = None
        new = False
        if found is not None:
            at, mn, new = found
            if mn.count_noun or toks[at].low == "mitgliedschaften" and tok.value < 1000:
                continue  # ("drei Mitgliedschaften: Basis, Plus, Premium": kinds of membership)
            if new or any(t.low in _NEW for t in toks[max(0, i - 2):i]):
                # "zwölf neue Mitglieder aufgenommen": newcomers without names, told by their number
                owner, elsewhere = _owned_by(s, at, mn)
                if not elsewhere and not _someone_elses_subject(s, i) and _batch_news(s, i):
                    out.append(_batch_hit(s, i, at, owner))
                continue
        else:
            if prev in ("in", "aus", "across", "from") and s.member_nouns and not _after_relative_pronoun(toks, q):
                continue  # "500.000 Mitglieder in 12.000 Ortsvereinen": where the members are, not a count
            if prev in ("mit", "with") and any(j in (q - 2, q - 3) for j, _ in s.member_nouns):
                continue  # "173 ordentliche Mitglieder mit 12 verbundenen Unternehmen": a part of them
            # "41 Netzwerke als Mitglieder", "vereint 90 besonders leistungsfähige Netzwerke".
            k = i + 1
            while k < len(toks) and k <= i + (7 if s.lang == "en" else 5) and (
                    toks[k].text == "," or _ADJ_SKIP.match(toks[k].low) and not (
                    s.lang == "de" and toks[k].text[:1].isupper())
                    # English compounds: "80 innovation clusters", "18 research universities"
                    or s.lang == "en" and toks[k].kind == "word" and toks[k].text.islower()
                    and toks[k].low not in _EN_STOP and not NOT_PROGRAMMES.fullmatch(toks[k].low)
                    and any(ORG_PLURALS.match(t.low) and member_noun(t.text) is None for t in toks[k + 1:k + 3])) \
                    and not ORG_PLURALS.match(toks[k].low):
                k += 1
            if k >= len(toks) or not (ORG_PLURALS.match(toks[k].low) or _members_by_verb(s, k)):
                continue
            if q >= 2 and toks[q - 1].low in _POSSESSIVE_DET and toks[q - 2].low in ("in", "aus", "von", "bei", "an"):
                continue  # "In seinen zwölf Landesverbänden sind über 4.100 Mitgliedsunternehmen": where they are
            if k + 3 < len(toks) and toks[k + 1].low in ("mit", "with") and toks[k + 2].kind == "num" \
                    and member_noun(toks[k + 3].text) is not None:
                continue  # "275 Clubs mit 80.247 Mitgliedern": the clubs hold the members that count
            _, clause_here = _clause(s, i)
            if any(t.low in _NEW or t.low in ("weitere", "further", "additional") for t in toks[i + 1:k]) \
                    or any(lem in JOIN_VERBS | ADMIT_VERBS and any(t is toks[vk] for t in clause_here)
                           and not (s.lang == "en" and lem in JOIN_VERBS and vk < i)  # "joins 15 associations"
                           # "we welcomed 10 universities to our membership": newcomers by their number
                           or lem in WELCOME_VERBS and vk < i and any(t is toks[vk] for t in clause_here)
                           and re.search(r"(?i)\b(?:to|into|in)\s+(?:our|the|its|their)\s+(?:membership|network|"
                                         r"alliance|association|ranks)|als (?:neue )?mitglieder", s.text) is not None
                           for vk, lem in s.verbs):
                # "Zwölf weitere Innovationscluster wurden aufgenommen": newcomers, not the total
                if _batch_news(s, i):
                    out.append(_batch_hit(s, i, k))
                continue
            window = []
            for j, t in enumerate(toks[k + 1:k + 12], k + 1):
                if t.text in (":", ";", "–", "|") or t.low in ("mit", "with") or t.kind == "num" and (
                        member_noun(toks[j + 1].text if j + 1 < len(toks) else "")):
                    break  # "Vier Vereine haben über 1000 Mitglieder": those are the clubs' members
                window.append(t)
            mk = next((j for j, t in enumerate(window, k + 1) if (member_noun(t.text) is not None
                       or t.low == "teil" and j + 1 < len(toks) and toks[j + 1].low in ("des", "der", "dieses"))
                       and not (j + 1 < len(toks) and toks[j + 1].low in _NOT_MEMBER_HEADS_EN)), None)
            _, clause_toks = _clause(s, i)
            # "…, die 18 Bürgervereine unter ihrem Dach vereint": a relative clause puts its verb last
            relative = _after_relative_pronoun(toks, q)
            # ("der rund 80 Unternehmen vertritt" stays no count: a cluster represents, not has, them)
            counting = [lem for vk, lem in s.verbs if lem in COUNT_VERBS and lem != "haben" and (
                        vk < i or relative and vk > k and lem in _RELATIVE_COUNTING)
                        and any(t is toks[vk] for t in clause_toks)
                        and not any(j < vk and any(toks[j] is t for t in clause_toks) for j, _ in s.member_nouns)]
            if s.lang == "en" and re.search(r"\bmade up of\s+(?:\w+\s+){0,2}$", s.text[:toks[i].start]):
                counting = counting or ["made up of"]  # "The Network is made up of 18 institutions"
            # "In der Kreishandwerkerschaft sind 15 Innungen organisiert", "… im „netz“ zusammengeschlossen"
            gathered = [lem for vk, lem in s.verbs if lem in _GATHERED and vk > k
                        and any(t is toks[vk] for t in clause_toks)]
            place = next((p for p in s.phrases if (p.prep in ("in", "im", "bei", "beim", "to")
                                                   or p.prep == "von" and toks[max(0, p.start - 2)].low == "rahmen")
                          and p.org and not generic(p.text) and any(t is toks[p.start] for t in clause_toks)), None)
            if mk is not None:
                at, mn, frame = mk, member_noun(toks[mk].text) or MemberNoun(), "count: members as"
            elif "angehören" in counting and (dative := next(
                    (p for p in s.phrases if p.det in ("dem", "diesem", "unserem") and p.prep is None
                     and any(t is toks[p.start] for t in clause_toks)), None)) is not None:
                # "inzwischen gehören dem Verband 19 Kommunen an": the dative is whose members they are
                mn = MemberNoun(owner=None if generic(dative.text) else dative.text)
                at, frame = k, "count: angehören (dative)"
                if generic(dative.text):
                    mn = MemberNoun()
            elif (inside := _attributed_in(s, q)) is not None:
                # "die in das Programm „go-cluster“ aufgenommenen rund 100 Cluster"
                at, mn, frame = k, MemberNoun(owner=None if generic(inside.text) else inside.text), \
                    "count: participle attribute"
                if generic(inside.text):
                    place_ref = inside.text.lower()
            elif counting and relative and (antecedent := _antecedent(s, q)) is not None:
                at, mn, frame = k, MemberNoun(owner=antecedent.text), f"count: {counting[0]} (relative clause)"
            elif counting and _counting_subject(s, i):
                at, mn, frame = k, MemberNoun(), f"count: {counting[0]}"
            elif gathered and place is not None:
                at, mn, frame = k, MemberNoun(owner=place.text), f"count: {gathered[0]} in"
            elif gathered and (dative_ := next((p for p in s.phrases if p.det in ("dem", "der", "diesem")
                                                 and p.prep is None and (p.org or generic(p.text)) and p.start < i
                                                 and any(t is toks[p.start] for t in clause_toks)), None)) is not None:
                # "Aus diesen Bereichen haben sich dem Verband über 500 Firmen angeschlossen"
                at, mn, frame = k, MemberNoun(owner=None if generic(dative_.text) else dative_.text), \
                    f"count: {gathered[0]} (dative)"
                if generic(dative_.text):
                    place_ref = dative_.text.lower()
            elif gathered and (there := next((p for p in s.phrases if p.prep in ("in", "im", "bei", "beim", "to")
                                              and generic(p.text) and any(t is toks[p.start] for t in clause_toks)),
                                             None)) is not None:
                # "Im Cluster sind rund 350 Unternehmen organisiert": the cluster the text is about
                at, mn, frame = k, MemberNoun(), f"count: {gathered[0]} in"
                place_ref = there.text.lower()
            elif gathered and any(t.low in ("dort", "darin", "hier", "there") for t in clause_toks):
                at, mn, frame = k, MemberNoun(), f"count: {gathered[0]} there"
                place_ref = ""
            elif (formed := _formed(s, i, k, clause_toks)) is not None:
                # "Aktuell bilden 53 Handwerkskammern den Handwerkskammertag", "the nine companies
                # forming the Alliance": the members are the subject, the organisation the object
                at, frame = k, "count: bilden"
                mn = MemberNoun() if generic(formed.text) else MemberNoun(owner=formed.text)
                if generic(formed.text):
                    place_ref = formed.text.lower()
            else:
                continue
            plural_frame = True
        the_total = prev in ("die", "the") and tok.value >= 10 and at == i + 1 \
            and not (q > 1 and toks[q - 2].low in PREPOSITIONS_)  # "Die 95 Mitglieder von …", not "für die 70 …"
        # "das rund 80 Mitglieder starke Innovationsnetzwerk": the count is an attribute of the noun after it
        strong = at is not None and at + 1 < len(toks) and re.match(r"stark|strong", toks[at + 1].low) is not None
        if not strong and ((attendance and not the_total and _ATTENDANCE.search(_part(s, i)) is not None)
                           or _someone_elses_subject(s, i)
                           or not (plural_frame or _licensed(s, i, at))):
            continue
        if strong:
            head = s.phrase_after(at + 1, within=1)
            ends = at + 2 >= len(toks) or toks[at + 2].kind == "punct"
            if (head is None or head.start > at + 2) and ends \
                    and any(t.low in _COPULA for t in toks[max(0, i - 4):i]):
                # "UnternehmensGrün ist 300 Mitglieder stark", "The Guild is now 600 members strong"
                head = _clause_subject(s, i)
                head = head if head is not None and head.end <= i and not _SUB_UNIT.search(head.text) else None
            if head is None or NOT_PROGRAMMES.search(head.text):
                continue
            hit = Hit(kind, "count: N members strong", toks[at].text, number=tok.value, qualifier=_qualifier(toks, i))
            _set_programme(hit, head, s, i)
            out.append(hit)
            continue
        owner, elsewhere = _owned_by(s, at, mn)
        if elsewhere:
            continue
        if new or any(t.low in _NEW for t in toks[max(0, i - 2):i]):
            continue  # newcomers: handled above
        rate = " ".join(t.low for t in toks[at + 1:at + 4])
        if re.match(r"(?:a|per|each|every) year|pro jahr|im jahr\b|jährlich|im schnitt", rate):
            continue  # "averaging 35 to 40 members a year": a rate, not a count
        if re.match(r"(?:weniger|mehr|fewer|more|less)\b", rate):
            continue  # "hat lediglich 820 Mitglieder weniger": a difference
        if _PREVIOUS.search(s.text[max(0, toks[q].start - 60):toks[q].start]):
            continue  # "eclipsing the previous mark of 623 members": the record it broke
        hit = Hit(kind, frame, toks[at].text, number=tok.value, qualifier=_qualifier(toks, i))
        subj = _clause_subject(s, i) if owner else None
        if owner and subj is not None and subj.text.lower().startswith(owner.lower()) and subj.text != owner:
            owner = subj.text  # "Die IHK Musterstadt zählt 45.000 IHK-Mitglieder"
        # "der VfB Stuttgart mit 43 703 Mitgliedern", "The Guild, with over 40 members": the name
        # right before "mit" has them
        with_owner = next((p for p in s.phrases if p.end == q - 1 and p.prep is None and not p.bracketed
                           and p.org and not generic(p.text) and not NOT_PROGRAMMES.search(p.text)), None) \
            if not owner and prev in ("mit", "with") else None
        if not owner and with_owner is None and q > 0 and re.search(r"\w['’]s$", toks[q - 1].text):
            # "The Tidewater Logistics Network's 27 member companies"
            with_owner = next((p for p in s.phrases if p.end == q and is_org(re.sub(r"['’]s$", "", p.text))
                               and not generic(re.sub(r"['’]s$", "", p.text))), None)
            if with_owner is not None:
                with_owner = Phrase(with_owner.start, with_owner.end, re.sub(r"['’]s$", "", with_owner.text),
                                    with_owner.det, with_owner.prep, True)
        if owner:
            hit.programme = owner
            hit.roles["programme"] = f"{owner} (attached to {toks[at].text})"
        elif with_owner is not None:
            hit.programme = with_owner.text
            hit.roles["programme"] = f"{with_owner.text} (before '{toks[q - 1].text}')"
        elif place_ref is not None:
            hit.ref = place_ref
        else:
            _programme_by_clause(s, hit, i, None)
        out.append(hit)
    # An infobox line: "Mitglieder 1202 (2021)", "Members: 4,500"
    # ("Members: 120+, e.g. Audi AG, BMW AG": examples may follow the figure)
    if toks and (len(toks) <= 8 or len(toks) > 3 and toks[1].text == ":" and toks[3].text in ("+", ",", ";")) \
            and toks[0].low in ("mitglieder", "members", "mitgliederzahl", "mitglieder:", "membership") and not out:
        k = 2 if len(toks) > 2 and toks[1].text == ":" else 1
        figure = toks[k].value if k < len(toks) else None
        if figure is not None and toks[k].kind == "num" and figure >= 2 \
                and not 1900 <= figure <= 2100 and not is_ordinal(toks, k) \
                and not (k + 1 < len(toks) and (toks[k + 1].kind == "word" or toks[k + 1].text in ("%", "/"))):
            hit = Hit("member_count", "count: infobox", toks[0].text, number=toks[k].value)
            hit.ref = ""
            out.append(hit)
    # "…, bringing the total to 132", "which brings our membership to 98": the new total
    for m in (_BRINGING.finditer(s.text) if _BRING_WORDS.search(s.text) else ()):
        found_at = next((j for j, t in enumerate(toks) if t.start >= m.end()), None)
        if found_at is None:
            continue
        k, value = found_at, toks[found_at].value
        if toks[k].kind != "num" or not value or is_ordinal(toks, k) \
                or any(h.number == value for h in out) or 1900 <= value <= 2100:
            continue
        nxt = toks[k + 1].low if k + 1 < len(toks) else ""
        if nxt in _PERCENT or nxt in _MONEY or (nxt and ORG_PLURALS.match(nxt) is None and member_noun(nxt) is None
                                                  and toks[k + 1].kind == "word" and nxt not in _FUNCTION_AFTER):
            continue
        arrived = s.member_nouns and any(lem in JOIN_VERBS | ADMIT_VERBS | _ARRIVAL for _, lem in s.verbs)
        if not ("member" in m.group(0).lower() or "mitglied" in m.group(0).lower() or arrived
                or nxt and (member_noun(nxt) is not None or ORG_PLURALS.match(nxt))):
            continue  # "Members donated again, bringing the total to 2,300": a total of something else
        if NOT_PROGRAMMES.search(s.text[m.start():m.end() + 40]) or re.search(r"\bboard\b", s.text, re.I):
            continue  # "3 members to the board bring the total to 12"
        hit = Hit("member_count", "count: bringing the total to", m.group(0).split()[0], number=value)
        _programme_by_clause(s, hit, k, None)
        out.append(hit)
    # "… waren es 57 Mitglieder, heute sind es 120": the number the pronoun stands for.
    if out:
        for i, tok in enumerate(toks[2:], 2):
            if tok.kind == "num" and tok.value and not is_ordinal(toks, i) and \
                    {toks[i - 2].low, toks[i - 1].low} in ({"sind", "es"}, {"are", "now"}, {"waren", "es"}) \
                    and not any(h.number == tok.value for h in out):
                first = out[0]
                out.append(Hit("member_count", "count: es sind", "es", number=tok.value,
                               programme=first.programme, ref=first.ref, roles=dict(first.roles)))
    # "Die Zahl der Mitglieder stieg auf 47", "Mitgliederzahl: 1.200", "membership grew to 300".
    for i, tok in enumerate(toks):
        noun = member_noun(tok.text) if tok.kind == "word" and ("mitglied" in tok.low or "member" in tok.low) \
            else None
        counted = noun is not None and noun.count_noun
        if noun is not None and not counted and i >= 2 and (toks[i - 2].low in _NUMBER_WORDS_COUNT
                                                            or toks[i - 2].low.endswith("zahl")) \
                and toks[i - 1].low in ("der", "of", "an", "ihrer", "seiner", "unserer"):
            counted = True
        if not counted or attendance:
            continue
        back = next((k for k in range(max(0, i - 7), i) if toks[k].kind == "num" and k > 0
                     and toks[k - 1].low in ("auf", "to")), None)
        ahead = range(i + 1, min(len(toks), i + 13))
        to_number = next((k for k in ahead if toks[k].kind == "num" and toks[k - 1].low in ("auf", "to")), None)
        for k in ([back] if back is not None else [to_number] if to_number is not None else ahead):
            t = toks[k]
            if t.kind == "num" and t.value and not (1900 <= t.value <= 2100) and not is_ordinal(toks, k):
                nxt = toks[k + 1].low if k + 1 < len(toks) else ""
                prev = toks[k - 1].low
                if nxt in _PERCENT:
                    break
                # ("die Mitgliederzahl von 700 erreicht", "Die Zahl der Mitglieder habe 200 erreicht")
                reached = prev in ("von", "of", "hat", "habe", "hatte", "has") \
                    and any(x.low in _REACHED for x in toks[k + 1:k + 4])
                if prev in ("um", "by", "von", "from") and not reached or any(x.low in ("je", "pro", "per")
                                                                              for x in toks[max(0, k - 3):k]):
                    continue  # (but "die Mitgliederzahl von 700 erreicht": a mark reached)
                between = {x.low for x in toks[min(i, k) + 1:max(i, k)]}
                if not (prev in ("auf", "to", "bei", "at", ":", "of") or reached or between & _LINKING
                        or lemmas & GROWTH_VERBS or _qualifier(toks, k)):
                    break
                if any(h.number == t.value for h in out):
                    break
                after = toks[k + 1] if k + 1 < len(toks) else None
                if after is not None and after.kind == "word" and member_noun(after.text) is None \
                        and not ORG_PLURALS.match(after.low) \
                        and (after.text[:1].isupper() if s.lang == "de" else
                             after.low not in _FUNCTION_AFTER and not after.low.endswith("ed")):
                    continue  # "Mitgliederzahl …: 68 Männer, 30 Frauen", "315 Vereinen": another noun
                hit = Hit("member_count", "count: number of members", tok.text, number=t.value,
                          qualifier=_qualifier(toks, k))
                owner, elsewhere = _owned_by(s, i, noun or MemberNoun())
                if elsewhere:
                    break
                if not owner and i > 0 and re.search(r"\w['’]s$", toks[i - 1].text):
                    # "The Riverside Chamber's membership grew to 840"
                    possessor = next((p for p in s.phrases if p.end == i), None)
                    name = re.sub(r"['’]s$", "", possessor.text) if possessor is not None else ""
                    if name and is_org(name) and not generic(name) and not NOT_PROGRAMMES.search(name):
                        owner = name
                if owner:
                    hit.programme = owner
                else:
                    _programme_by_clause(s, hit, i, None)
                out.append(hit)
                break
    return out


# Verbs telling that members arrived, besides joining and admitting ("gewinnen", "welcome").
_ARRIVAL = frozenset("gewinnen begrüßen welcome gain add verzeichnen".split())
_NEWCOMER = ("neuzug", "neuaufnahme")
# A number of new members that is a goal or a rate, not an arrival.
_GOAL = re.compile(r"\b(?:ziel\w*|goal|target|aim|plan\w*|pro jahr|jährlich|per year|a year|each year|"
                   r"every year|im schnitt|on average|durchschnittlich|"
                   # "Seit 2015 haben wir insgesamt 18 neue Mitglieder aufgenommen": a sum, not news
                   r"bisher|bislang|so far|mittlerweile|already|seit \d{4}|since \d{4})\b", re.IGNORECASE)
_ARRIVED = re.compile(r"\b(?:hinzu|dazu)(?:gekommen|gewonnen|kommen|gestoßen|gestossen)|\bsigned up\b|\bneu dabei\b",
                      re.IGNORECASE)


_LOYAL = LowerCased(re.compile(r"\b(?:seit|since|for)\s+(?:über\s+|mehr als\s+|more than\s+|over\s+)?"
                               r"(?:\d+|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|vielen|many|einem halben|"
                               r"half a)?\s*(?:jahren|jahrzehnten|jahrhundert|years|decades|century)\b.{0,30}"
                               r"\b(?:dabei|treu|mitglied|members?)\b", re.IGNORECASE))


def _batch_news(s: Sentence, at: int) -> bool:
    """Whether the clause around ``at`` tells that a number of members arrived ("zwölf neue
    Mitglieder aufgenommen", "14 new members joined"), rather than presenting or counting them."""
    if _MODAL.search(s.text) and _MODAL.search(_POLITE.sub("", s.text)) \
            and not re.search(r"\b(?:konnte|konnten|could)\b|\b(?:habe|hat|haben|hatte)\b.{0,80}\bkönnen\b", s.text):
        return False
    # Someone else's members only in the clause that tells of them: ", wie das Organisationsteam
    # mitteilte" reports the news, it is not about the team
    clause = _clause(s, at)[0]
    if NOT_PROGRAMMES.search(clause) or _NOT_ADMIT.search(clause) or _GOAL.search(s.text):
        return False
    if _LOYAL.search(clause):
        return False  # "Vier weitere Mitglieder sind seit einem halben Jahrhundert dabei": honoured, not new
    if _ATTENDANCE.search(_part(s, at)):
        return False  # "8 Neu-Mitglieder waren vertreten und stellten sich den Anwesenden vor"
    if _CALL.match(s.text.strip("„“\"' ")):
        return False  # "Become a member and join more than 300 companies": an invitation
    if _among(s, at):
        return False
    arrival = JOIN_VERBS | ADMIT_VERBS | _ARRIVAL
    if any(lem in arrival for _, lem in s.verbs) or _ARRIVED.search(s.text) is not None:
        return True
    # "Neustart geglückt – 23 neue Mitglieder", "17 neue Mitglieder standen 10 Austritten gegenüber":
    # new members with a number are news of arrival unless they are only being counted among others.
    return at == 0 or s.tokens[at - 1].low not in ("der", "den", "die", "the", "von", "of", "unter", "among")


def _among(s: Sentence, at: int) -> bool:
    """ "…, darunter zwölf neue Mitglieder": new members counted inside a total, not news."""
    # ("of" only right before the number: "22 of the new members", not "Chamber of Commerce added 22")
    return any(t.low in ("darunter", "davon", "including", "among", "unter") for t in s.tokens[max(0, at - 3):at]) \
        or at > 0 and s.tokens[at - 1].low == "of"


def _batch_hit(s: Sentence, i: int, at: int, owner: str | None = None) -> Hit:
    """A new membership of ``number`` members the text does not name."""
    toks = s.tokens
    hit = Hit("new_member", "new members: number", toks[at].text, number=toks[i].value,
              qualifier=_qualifier(toks, i))
    hit.roles["members"] = f"{toks[i].text} {toks[at].text} (not named)"
    if owner:
        hit.programme = owner
        hit.roles["programme"] = f"{owner} (attached to {toks[at].text})"
    else:
        target = next((p for p in s.phrases if p.prep in ("in", "ins", "im", "zum", "bei", "beim", "into", "to")
                       and p.start > i and (p.org or generic(p.text))), None)
        _set_programme(hit, target, s, i) if target is not None else _programme_by_clause(s, hit, i, None)
    return hit


_LICENSING_BEFORE = frozenset("mit with von of auf to der des seine seinen seiner ihre ihren ihrer its their our "
                              "unsere unseren unserer insgesamt total marke grenze mark milestone hürde "
                              "schwelle: rund über knapp fast gut etwa boasts boast approaching approaches reached "
                              "reaches passed surpassed exceeded tops topped counts numbers totals includes "
                              "including comprising comprises having".split())
_HOLDING = frozenset(
    "haben zählen umfassen vereinen vertreten verzeichnen bündeln verbinden repräsentieren organisieren "
    "gehören angehören ausweisen aufweisen erreichen überschreiten knacken durchbrechen wachsen steigen "
    "have count number include represent comprise unite reach exceed surpass grow total verfügen nutzen bring".split())
_PARTICIPLE_END = re.compile(r"(?:\bge\w+(?:t|en)|\w+iert|\w*(?:ausge|vorge|mitge|zuge|abge|aufge|eingel)\w+)$")
_GROUP_BEFORE = frozenset("delegation abordnung gruppe team group panel jury".split())


# Events where members are counted as present, not as members: "120 Mitglieder bei der Jahreshauptversammlung".
_GATHERING = re.compile(r"versammlung|fest\b|feier|ausflug|fahrt|wahl|treffen|tagung|sitzung|meeting|party|"
                        r"dinner|reception|trip|vote", re.IGNORECASE)


def _formed(s: Sentence, i: int, k: int, clause_toks: list[Token]) -> Phrase | None:
    """The organisation that the N members (number at i, noun at k) form: the object of "bilden"
    or "form" in their clause, with an article ("den Verband", "the Alliance"), no board or team."""
    verb = next((vk for vk, lem in s.verbs if lem in ("bilden", "form") and (vk > k or vk == i - 1)
                 and any(t is s.tokens[vk] for t in clause_toks)), None)
    if verb is None:
        return None
    after = max(verb, k)
    obj = next((p for p in s.phrases if after < p.start <= after + 3 and p.prep is None
                and p.det in ("den", "das", "die", "the", "unseren", "unser", "our", "its", "ihren")), None)
    if obj is None or NOT_PROGRAMMES.search(obj.text) or not (obj.org or generic(obj.text)):
        return None
    return obj


def _licensed(s: Sentence, i: int, at: int) -> bool:
    """Does the sentence say that an organisation HAS this many members, rather than that this
    many members did something ("zwölf Mitglieder stellen aus", "five members presented")?"""
    toks = s.tokens
    q = i
    while q > 0 and toks[q - 1].low in _QUALIFIER_WORDS:
        q -= 1
    before = toks[q - 1].low if q > 0 else ""
    if before in ("von", "of") and q > 1 and toks[q - 2].low in _GROUP_BEFORE:
        return False
    if before in ("mit", "with") and NOT_PROGRAMMES.search(" ".join(t.text for t in toks[max(0, q - 4):q])):
        return False
    if before in _LICENSING_BEFORE or before in ("es", "sind", "are", "now", "nun", "jetzt", "heute", "today"):
        return True
    if before in ("'s", "’s") or q > 0 and re.search(r"\w['’]s$", toks[q - 1].text):
        return True  # "The network's 15 member companies"
    # "Von den über 1000 Mitgliedern beteiligen sich 500 …", "Of the 300 members, …": the part is
    # taken from the whole, which is the count
    partitive = q > 1 and toks[q - 2].low in ("von", "of") and (q == 2 or toks[q - 3].text == ",")
    if before in ("die", "the", "den", "allen", "all") and (toks[i].value or 0) >= 10 and at == i + 1 \
            and (partitive or not (q > 1 and toks[q - 2].low in PREPOSITIONS_)):
        after = s.phrase_after(at, within=0)
        return after is None or after.start != at + 1  # "die 95 go-cluster-Mitglieder", not "die drei … X, Y"
    if at + 1 < len(toks) and toks[at + 1].low in ("starke", "starken", "starker", "strong", "-strong"):
        return True  # "das rund 80 Mitglieder starke Netzwerk"
    text, clause = _clause(s, i)
    if _NOW.search(text) or re.search(r"\bat present\b", text, re.I):
        return True  # "Currently 72 members make use of …", "Aktuell greifen 58 Mitglieder … zurück"
    if q == 0 and s.text.rstrip()[-1:] not in ".!?:;" and sum(t.kind == "word" for t in toks) <= 10 \
            and (owner := s.phrase_after(at, within=1)) is not None and owner.org and owner.prep is not None \
            and not _GATHERING.search(s.text):
        return True  # a headline: "412 Mitglieder beim Sozialverband Hainfeld"
    head = next((k for k, t in enumerate(toks) if t.text in ("-", "–", ":", "|")), None)
    if head is not None and sum(t.kind == "word" for t in toks[:head]) <= 6 \
            and (i < head or sum(t.kind == "word" for t in toks[head:]) <= 6):
        return True  # a headline: "Schon 350.000 Mitglieder – Der Alpenverein wächst", "Mitglieder: 1.200"
    words = [t for t in clause if t.kind == "word"]
    if words and (verb_lemma(words[-1].low, s.lang) or "") in _GATHERED and any(
            t.low in ("sind", "waren", "are", "were") for t in clause):
        return True  # "Dort sind … 1000 Mitgliedsunternehmen zusammengeschlossen"
    for k, lem in s.verbs:
        if lem in _HOLDING and any(t is s.tokens[k] for t in clause):
            last = words[-1].low if words else ""
            if lem == "haben" and last and (_PARTICIPLE_END.search(last) or participle(last, s.lang)):
                # "haben sieben Mitgliedsunternehmen … entwickelt": an auxiliary; but "haben sich
                # 1800 Mitgliedskommunen angeschlossen" still says how many there are
                return (verb_lemma(last, s.lang) or "") in _GATHERED | {"beitreten"}
            return True
    return False


_INCLUDING = frozenset("darunter including namely u.a. insbesondere among :".split())
_QUANTIFIERS = frozenset("alle viele mehrere einige beide beiden zahlreiche all many several some both".split())
_FUNCTION_AFTER = frozenset("members and as in of to at on by since now this last this year in".split())
# ("zertifizieren": "Derzeit sind 87 Innovationscluster im Rahmen von »go-cluster« zertifiziert")
_GATHERED = frozenset("organisieren zusammenschließen anschließen vereinen bündeln belong zertifizieren".split())
# "Die Fusion ist ein Zusammenschluss von 2 Unternehmen", "a network of 12 companies under one holding"
_NOT_A_UNION = re.compile(r"\b(?:fusion|merger|übernahme|holding|konzern|tochter\w*|subsidiar\w*|firmengruppe)\b",
                          re.IGNORECASE)
_UNION_NOUN = re.compile(r"^(?:zusammenschluss|verbund|netzwerk|dachverband|bündnis|network|association|alliance|"
                         r"federation|coalition|union|consortium|vereinigung|arbeitsgemeinschaft|dachorganisation|"
                         r"league|partnership)$")
_REACHED = frozenset("erreicht überschritten geknackt erreichen überschreiten knacken reached passed surpassed "
                     "exceeded hit".split())
_CHANGE_NOUNS = frozenset("zuwachs zuwächse anstieg rückgang verlust plus minus increase growth rise decline loss "
                          "drop gain".split())
_QUALIFIER_WORDS = frozenset("über mehr als rund knapp fast gut etwa ca ca. rd. circa nahezu beinahe insgesamt "
                             "mindestens "
                             "more than over around about approximately some nearly almost at least weit "
                             "heute inzwischen mittlerweile derzeit aktuell bereits schon nunmehr".split())


def _someone_elses_subject(s: Sentence, at: int) -> bool:
    """"The board of X has seven members", "Der Vorstand des Vereins hat neun Mitglieder", and
    "Vier Vereine haben über 1000 Mitglieder", "Acht der 18 Bundesligisten haben …": a count
    of members of several others."""
    _, clause = _clause(s, at)
    first = next((k for k, t in enumerate(s.tokens) if t is clause[0]), 0) if clause else 0
    verb = next((k for k in range(first, at)
                 if s.tokens[k].low in _COPULA or s.tokens[k].low in ("hat", "haben", "zählt", "zählen")), at)
    subject_words = s.tokens[first:verb]
    if subject_words and subject_words[0].kind == "num" and not 1900 <= (subject_words[0].value or 0) <= 2100 \
            and not is_ordinal(s.tokens, first):  # "Dritter ist der VfB mit 30.000 Mitgliedern" is a rank
        return True
    quantified = any(t.low in _QUANTIFIERS or (t.kind == "num" and not 1900 <= (t.value or 0) <= 2100)
                     for t in subject_words[:3])
    if quantified and any(t.kind == "word" and ORG_PLURALS.match(t.low) for t in subject_words[:4]):
        return True
    if NOT_PROGRAMMES.search(" ".join(t.text for t in subject_words)) is not None:
        return True
    # "Die zwölf Mitglieder bilden den Vorstand": members who form a board are its members
    formed = next((vk for vk, lem in s.verbs if lem in ("bilden", "form") and any(t is s.tokens[vk] for t in clause)),
                  None)
    if formed is not None and NOT_PROGRAMMES.search(" ".join(t.text for t in s.tokens[formed + 1:formed + 5])):
        return True
    # "Mit seinen 24 Mitgliedern ist der Gemeinderat voll besetzt": the subject after the verb
    subj = _clause_subject(s, at)
    return subj is not None and at < subj.start <= at + 6 and NOT_PROGRAMMES.search(subj.text) is not None \
        and any(t.low in _COPULA for t in s.tokens[at:subj.start]) \
        and not any(t.text in (",", "„", "“", '"', ":") for t in s.tokens[at:subj.start])


_HOLDING_VERBS = frozenset("vereinen umfassen bündeln zählen".split())
_RELATIVE_COUNTING = _HOLDING_VERBS | {"angehören", "zusammenschließen", "organisieren", "anschließen"}
_RELATIVE_PRONOUNS = frozenset("die der das dem denen which that".split())
# Plural nouns that are never members, whatever verb counts them.
_NEVER_MEMBERS = re.compile(
    r"^(?:\w*(?:mitarbeiter\w*|beschäftigte\w*|angestellte\w*|teilnehm\w*|besucher\w*|gäste\w*|zuschauer\w*|"
    r"einwohner\w*|jahre\w*|monate\w*|tage\w*|stunden|euro|prozent|projekte\w*|veranstaltungen|kunden|"
    r"patienten|studierende\w*|schüler\w*|auszubildende\w*|arbeitsplätze\w*|stellen|produkte\w*|"
    r"quadratmeter|hektar|kilometer|tonnen|mal|punkte\w*|seiten|artikel|themen|branchen|länder\w*|"
    r"mandatsträger\w*|abgeordnete\w*|ehrenamtliche\w*|helfer\w*))$")


def _members_by_verb(s: Sentence, k: int) -> bool:
    """ "vereint 46 Einzelhändler", "zählt 300 Sportschützen": any plural noun a verb of holding
    counts, when the noun is not one of people or things that are never members."""
    tok = s.tokens[k]
    if s.lang != "de" or tok.kind != "word" or not tok.text[:1].isupper() or _NEVER_MEMBERS.match(tok.low):
        return False
    # The number is the verb's object, not inside a prepositional phrase ("in fünf Feldern").
    n = next((j for j in range(k - 1, max(-1, k - 6), -1) if s.tokens[j].kind == "num"), None)
    q = n
    while q is not None and q > 0 and s.tokens[q - 1].low in _QUALIFIER_WORDS:
        q -= 1
    if q is None or q > 0 and s.tokens[q - 1].low in PREPOSITIONS_:
        return False
    relative = q > 0 and _after_relative_pronoun(s.tokens, q)  # "…, die 46 Einzelhändler unter ihrem Dach vereint"
    # ("14.229 Personen sind dem Alpenverein beigetreten": any plural that joins is a number of newcomers)
    return any((lem in _HOLDING_VERBS or lem == "angehören") and (vk < k or relative)
               or lem in ("beitreten", "join") and vk > k for vk, lem in s.verbs)


def _after_relative_pronoun(toks: list[Token], q: int) -> bool:
    """A relative clause starts just before token ``q`` (", die 18 …", ", dem damit 115 …"): its
    verb comes last, after the count."""
    # ", in dem sich über 270 Firmen … zusammengeschlossen haben": a preposition may lead it
    return any(toks[r].low in _RELATIVE_PRONOUNS and (toks[r - 1].text == "," or r > 1 and toks[r - 2].text == ","
                                                      and toks[r - 1].low in PREPOSITIONS_)
               for r in range(max(1, q - 3), q))


def _antecedent(s: Sentence, q: int) -> Phrase | None:
    """The organisation a relative clause before token ``q`` describes: "die Arbeitsgemeinschaft
    Freiburger Bürgervereine (AFB), die 18 Bürgervereine unter ihrem Dach vereint"."""
    comma = next((r - 1 for r in range(q - 1, max(0, q - 5), -1) if s.tokens[r - 1].text == ","), None)
    if comma is None:
        return None
    before = [p for p in s.phrases if p.end <= comma and not p.bracketed]
    if not before or before[-1].end < comma - 4:
        return None
    p = before[-1]
    return p if (p.org or is_org(p.text)) and not generic(p.text) and not NOT_PROGRAMMES.search(p.text) else None


def _counting_subject(s: Sentence, at: int) -> bool:
    subj = _clause_subject(s, at)
    if subj is None:
        return False
    if subj.det in ("die", "the") and " " not in subj.text and ORG_PLURALS.match(subj.text.lower()):
        return False  # "Die Cluster vertreten 10.000 Unternehmen": the members, not the programme
    return bool(subj.org or generic(subj.text) or is_org(subj.text))


# "Neu dabei sind A, B und C", "Weitere Neumitglieder sind unter anderem …", "New members include …"
_LIST_LEAD = re.compile(
    r"\b(?:neu\s+(?:dabei|hinzugekommen|aufgenommen|(?:im|in\s+der|beim|bei)\s+[^,.:;]{1,40}?)\s+(?:sind|ist)"
    r"(?:\s+seit\s+\w+(?:\s+\d{4})?)?|"
    r"neu\s+(?:in\s+(?:den|das|die)\s+(?:[^,.:;\s]+\s+){0,2}?\w*(?:verband|verein|netzwerk|cluster|bündnis|allianz|"
    r"initiative|kreis|club|klub|gemeinschaft|forum|ring|verbund|programm)\w*(?:\s+[^,.:;\s]+){0,3}?\s+)?"
    r"aufgenommen\s+(?:wurden|wurde|werden|wird)|"
    # "Aufgenommen wurden die Stadtwerke A und der Zweckverband B": the participle put first
    r"^aufgenommen\s+(?:wurden|wurde|worden\s+sind)|"
    r"(?:weitere\s+)?neue(?:n)?\s+mitglieder\s+sind|(?:weitere\s+)?neumitglieder\s+sind|"
    r"zu\s+den\s+neuen\s+mitgliedern\s+(?:gehören|zählen)|(?:\w+\s+)?neuzugänge\s+sind|neuzugang\s+ist|"
    r"(?:the\s+)?(?:new|newest|latest)\s+members\s+(?:include|are)|newly\s+joined\s+(?:are|were)|"
    r"inducted\s+(?:were|are)|(?:the\s+)?new\s+inductees\s+(?:are|were|include)|"
    r"please\s+(?:join\s+us\s+in\s+)?welcom(?:e|ing)(?:\s+(?:our\s+)?new\s+members?)?)"
    r"(?:\s+unter\s+anderem|\s+u\.\s?a\.)?\s*:?\s+",
    re.IGNORECASE,
)
# Words that end the "Mit A, B und C …" list: the clause's verb.
_LIST_END = frozenset("wurden wurde sind seien ist sei haben hat hatten hatte konnte konnten kamen kam "
                      "begrüßte begrüßt begrüßen traten tritt treten nahm nimmt nahmen".split())


def _name_item(item: str) -> bool:
    """An item of a list that can be a member's name ("Swissôtel", "Gemeinde Münster", "1. FC Kaiserslautern"),
    not a quantity ("28 weitere Kommunen", "zwei Landkreise")."""
    first = item.split()[0] if item.split() else ""
    if first.isdigit() or first.lower() in _QUANTITY_WORDS:
        return False
    if _abstract_noun(item):
        return False  # "Produktion und Verfahren": an abstract noun, no name
    # (a brand written in lower case is a name when a legal form ends it: "kleinwerk Design GmbH")
    return (item[:1].isupper() or item[:1].isdigit() or LEGAL_TAIL.search(item) is not None) and len(item) <= 90 \
        and not generic(item) and not is_owner(item) and NOT_PROGRAMMES.search(item) is None \
        and item.lower() not in _PRONOUN_SUBJECT and first.lower().strip("„“”\"") not in _PRONOUN_SUBJECT


def header_owner(header: str, lang: str) -> Hit:
    """A listed new member's hit without its member: whose list a header ("Neue Mitglieder im
    Netzwerk Muster:") announces, by the same rule as a list in a sentence (``_set_programme``);
    a header that names none leaves it to the text around."""
    s = analyse(header, lang)
    owner = Hit("new_member", "new member: list lines", header)
    target = next((p for p in s.phrases if p.prep in (*_LIST_TARGET_PREPS, "of") and (p.org or generic(p.text))),
                  None)
    if target is not None:
        _set_programme(owner, target, s, target.start)
        if owner.ref:
            owner.roles["programme"] = owner.ref
    return owner


def listed_member(owner: Hit, member: str, place: str | None) -> Hit | None:
    """A new member listed on a line of its own under a header, whose owner is ``header_owner``'s;
    None when the line is no member's name."""
    if not _name_item(member) or owner.programme == member:
        return None
    return replace(owner, member=member, place=place, roles=dict(owner.roles))


_NAME_GLUE = frozenset("für der des und von e.v. e. v. mbh & co. of and the for de la".split())
# What members often are, besides organisations: towns, utilities, universities, hospitals, banks.
_MEMBER_KIND = re.compile(r"\b(?:stadt|stadtwerke|gemeinde|landkreis|kreis|markt|universität|hochschule|"
                          r"fachhochschule|klinik\w*|krankenhaus|museum|sparkasse|volksbank|bank|university|college|"
                          r"hospital|city|town|county|village|municipality)\b", re.IGNORECASE)
_QUANTITY_WORDS = frozenset("ein eine einen einer zwei drei vier fünf sechs sieben acht neun zehn elf zwölf "
                            "weitere viele mehrere einige zahlreiche a an two three four five several many".split())
# "Wie immer, in Reihenfolge des Beitritts: A, B und C": a colon after words of joining opens a list.
_COLON_LEAD = re.compile(r"(?:willkommen\s+(?:im|in\s+der|beim|bei)\s+[^:]{2,60}|"
                         r"welcomed?\s+[^:.;]{0,50}?\bto\s+(?:our|the|its)\s+membership|"
                         r"beitritt\w*|aufnahme\w*|neuzug[aä]ng\w*|neue[nrs]?\s+mitglied(?:er|ern|s)?\b|neumitglied\w*|"
                         r"new\s+(?:[\w-]+\s+){0,2}(?:members?|affiliates?)|newly\s+joined|neu\s+dabei|neu\s+im\s+\w+|"
                         r"welcome|joining|joined|enrolled|"
                         r"beigetreten|aufgenommen)[^:.;]{0,40}:\s+",
                         re.IGNORECASE)


_HIRE = re.compile(r"\b(?:cfo|ceo|coo|cto|officer|director|manager|chief|president|sponsor\w*|partner\w*|staff|"
                   r"employee\w*|colleague\w*|hire\w*|intern\w*|volunteer\w*|coach\w*|board)\b", re.IGNORECASE)


# Where a list's new members go: "Neu im Netzwerk X: …", "… zum Verband Y".
_LIST_TARGET_PREPS = ("in", "ins", "im", "zum", "bei", "beim", "into", "to")


_INSTRUMENT_TAIL = re.compile(
    r"\s+(?:an\s+der|am|an\s+den|auf\s+der|on|on\s+the)\s+(?:[\w-]+-)?(?:querflöte|flöte|klarinette|trompete|posaune|"
    r"tenorhorn|saxophon|saxofon|schlagzeug|tuba|horn|waldhorn|oboe|fagott|gitarre|geige|violine|bratsche|cello|"
    r"kontrabass|bass|keyboard|klavier|akkordeon|euphonium|bariton|flügelhorn|percussion|drums|trumpet|flute|"
    r"clarinet|trombone|saxophone|violin|guitar|piano)\b.*$", re.IGNORECASE)
_COUNTED_TAIL = re.compile(r"\s+(?:\d+|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|two|three|four|five|"
                           r"six|seven|eight|nine|ten)\s+(?:neue\w*\s+|new\s+)?[\w-]+(?:\s+(?:und|and)\s+[\w-]+)?"
                           r"\s*[.!]?\s*$", re.IGNORECASE)
# Several bodies of one kind by their names: "Städte Lübeck und Neumünster", "Landkreise A und B"
_KIND_LIST = re.compile(r"^(Städte|Gemeinden|Landkreise|Kreise|Kommunen|Hochschulen|Universitäten|Universities|"
                        r"Cities|Towns|Counties)\s+([A-ZÄÖÜ][\w-]*(?:\s+[A-ZÄÖÜ][\w-]*)?(?:(?:,\s*|\s+(?:und|and|sowie)\s+)"
                        r"[A-ZÄÖÜ][\w-]*(?:\s+[A-ZÄÖÜ][\w-]*)?)+)$")
# "Inducted were A and B at the club's breakfast meeting on Saturday": where, not who
_AT_EVENT_TAIL = re.compile(r"\s+(?:at|during)\s+(?:the|a|an|its|their|our)\b.*$|\s+on\s+(?:monday|tuesday|wednesday|"
                            r"thursday|friday|saturday|sunday)\b.*$", re.IGNORECASE)
# "Neu hinzugekommen sind im Frühjahr die Bäckerei X …": when, before the names
_LEADING_TIME = re.compile(r"^\s*(?:im|ab|seit|zum|am|in\s+diesem|im\s+vergangenen|in|this|last)\s+(?:\d+\.\s+)?"
                           r"(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|"
                           r"frühjahr|frühling|sommer|herbst|winter|jahr|monat|quartal|halbjahr|year|month|quarter|"
                           r"spring|summer|autumn|fall|winter)\b(?:\s+\d{4})?\s+", re.IGNORECASE)
# A name right after a verb of saying is who speaks: "…, said Jim Zemlin"
_SPOKEN_BY = re.compile(r"\b(?:said|says|sagte|sagt|erklärte|betonte)\s*$", re.IGNORECASE)


def list_frames(s: Sentence) -> list[Hit]:
    """New members given as a list: after a lead ("Neu dabei sind …") or as "Mit A, B und C sind
    drei neue Mitglieder beigetreten". One hit per name."""
    toks = s.tokens
    low = s.text.lower()
    arrival = JOIN_VERBS | ADMIT_VERBS | _ARRIVAL
    leads = "neu" in low or "new" in low or "beitritt" in low or "aufnahme" in low or "welcome" in low \
        or low.startswith(("aufgenommen", "inducted"))
    if not leads and not any(lem in arrival for _, lem in s.verbs):
        return []  # most sentences: no lead and no verb of joining (checked before any pattern)
    if _MODAL.search(s.text) or NOT_PROGRAMMES.search(s.text):
        return []
    found: list[tuple[str, int, str]] = []  # (name, token index of the lead, lead)
    list_end = len(toks)
    lead = _LIST_LEAD.search(s.text) if leads else None
    if lead is None and ":" in s.text:
        lead = _COLON_LEAD.search(s.text)
        if lead is not None and re.match(r"(?i)joining|joined|beigetreten|aufgenommen", lead.group(0)) \
                and not (s.member_nouns or re.search(r"(?i)\bneu|\bnew\b|\bmember|\bmitglied", s.text[:lead.end()])
                         or any(ORG_PLURALS.match(t.low) for t in toks if t.start < lead.start())):
            lead = None  # "Aufgenommen: Hochwasser in Talheim": a caption
        after = [t for t in toks if lead is not None and t.start >= lead.end()]
        verbs = {k for k, _ in s.verbs}
        if any(t.low in _COPULA or t.low in _LIST_END or toks.index(t) in verbs for t in after):
            lead = None  # "Neu im Netzwerk X: Die Y GmbH ist seit Januar Mitglied": a clause, not a list
    if lead is not None and lead.group(0).lower().startswith("please") and _HIRE.search(s.text):
        lead = None  # "Please welcome our new CFO, Dana Reyes": a colleague, not a member
    if lead is not None:
        at = next((k for k, t in enumerate(toks) if t.start >= lead.start()), 0)
        span = s.text[lead.end():].split("\n", 1)[0]  # a line break without a full stop ends the list
        # "Neu hinzugekommen sind mit A, B und C drei Jungmusiker": the names, then their number
        span = _COUNTED_TAIL.sub("", _LEADING_TIME.sub("", re.sub(r"^\s*(?:mit|with)\s+", "", span)))
        found = [(name, at, lead.group(0).strip()) for name in split_names(span)]
        if lead.start() == 0 and lead.group(0).lower().startswith("aufgenommen"):
            # "Aufgenommen wurden die Fotos im Sommer": put first, the participle also takes
            # pictures; only organisations' names are newcomers then
            # (only a name: no lower-case word but a name's own glue, "Fotos im Museum Lindau" is none)
            found = [f for f in found if (is_org(f[0]) or LEGAL_TAIL.search(f[0]) or _MEMBER_KIND.search(f[0]))
                     and not any(w[:1].islower() and w not in _NAME_GLUE for w in f[0].split())]
    else:
        arrived = _ARRIVED.search(s.text)  # "… sind mit A und B zwei neue Mitglieder dazugestoßen"
        if not (any(lem in arrival for _, lem in s.verbs) or arrived) or _NOT_ADMIT.search(s.text):
            return []
        verbs = {k for k, _ in s.verbs}
        if arrived:
            verbs.add(next((j for j, t in enumerate(toks) if t.start >= arrived.start()), len(toks) - 1))
        for m, tok in enumerate(toks[:-1]):
            if tok.low not in ("mit", "with"):
                continue
            # (without an article only a list of three or more names: "mit allnatura Vertriebs
            # GmbH, Energiedienst AG und der Symrise AG acht neue Mitglieder aufgenommen")
            articled = toks[m + 1].low in ("der", "dem", "den", "the")
            if not articled and not (toks[m + 1].kind in ("word", "quote") and s.text.count(",", toks[m].start) >= 2):
                continue
            stop = next((j for j in range(m + 2, len(toks)) if toks[j].kind == "num" or toks[j].low in _LIST_END
                         or j in verbs or toks[j].text in (";", ":") or toks[j].low in _QUANTITY_WORDS), None)
            if stop is None or not any(k >= stop for k in verbs):
                continue
            span = s.text[toks[m + 1].start:toks[stop].start]
            names = split_names(span)
            named = sum(bool(LEGAL_TAIL.search(n) or is_org(n) or _MEMBER_KIND.search(n)) for n in names)
            if not articled and (len(names) < 3 or named < 2):
                continue  # (without articles only a list of names: "mit Hilfe von Kessler, Roth und Weber" is none)
            if len(names) >= 2 or any(t.low in _NEW for t in toks[stop:]):
                found = [(name, m, f"{tok.text} … {toks[stop].text}") for name in names]
                list_end = stop
            break
    out = []
    for name, at, how in found:
        # "Streaming-Anbieter wie Netflix": the names follow; "Lea Fink am Tenorhorn": her instrument
        name = _SUCH_AS.split(name, maxsplit=1)[-1]
        name = _AT_EVENT_TAIL.sub("", _INSTRUMENT_TAIL.sub("", name))
        if not _name_item(name) or _SPOKEN_BY.search(s.text, 0, max(0, s.text.find(name))):
            continue  # ("…, said Jim Zemlin, the Foundation's director": who speaks, not who joins)
        hit = Hit("new_member", "new member: list", how, member=name)
        hit.roles["member"] = f"{name} (listed after '{how}')"
        place = re.search(r"\b(?:aus|from|in)\s+([A-ZÄÖÜ][\w-]+(?:\s+[A-ZÄÖÜ][\w-]+)?)$", name)
        if place:
            hit.member, hit.place = name[:place.start()].strip(), place.group(1)
        target = next((p for p in s.phrases if p.prep in _LIST_TARGET_PREPS
                       and (p.org or generic(p.text)) and not any(p.text in n for n, _, _ in found)), None)
        # "… drei neue Mitglieder dem Logistiknetz Ostsee beigetreten": the dative after the list
        dative = next((p for p in s.phrases if p.det == "dem" and p.prep is None and not generic(p.text)
                       and (p.org or is_org(p.text) or p.start >= list_end)
                       and not any(p.text in n for n, _, _ in found)), None)
        if target is None and dative is not None and not NOT_PROGRAMMES.search(dative.text):
            hit.programme = dative.text
            hit.roles["programme"] = f"{dative.text} (dative of the joining)"
        elif target is not None:
            _set_programme(hit, target, s, at)
        else:
            hit.ref = ""  # whose list it is, the text around says
        out.append(hit)
    return out


def accession_frames(s: Sentence) -> list[Hit]:
    """ "Mit dem Beitritt der Stadtwerke Rosenau zählt das Bündnis 40 Mitglieder", "die Aufnahme des
    Clusters X in das Programm": the newcomer named by the noun of joining."""
    toks = s.tokens
    out: list[Hit] = []
    low = s.text.lower()
    if not any(w in low for w in ("beitritt", "aufnahme", "accession", "inclusion", "addition", "admission")):
        return out
    if _MODAL.search(s.text) or NOT_PROGRAMMES.search(s.text) or _NOT_ADMIT.search(s.text):
        return out
    for k, tok in enumerate(toks[:-2]):
        if tok.low not in ("beitritt", "beitritts", "aufnahme", "accession", "inclusion", "addition", "admission"):
            continue
        if tok.low in ("inclusion", "addition", "admission") and not (
                any(k < j <= k + 8 for j, _ in s.member_nouns) or re.search(r"(?i)membership", s.text)):
            continue  # "the addition of a new wing", "the inclusion of Talheim in the flood map": not of members
        if toks[k + 1].low not in ("der", "des", "von", "vom", "of"):
            continue
        member = s.phrase_after(k + 1, within=2)
        if member is None or member.start > k + 3 or generic(member.text) or not _nameish(s, member) \
                or is_owner(member.text) or ORG_PLURALS.match(member.text.split()[0].lower()):
            continue  # "die Aufnahme von Partnern aus Wirtschaft und Wissenschaft": nobody by name
        if " " not in member.text and not member.org and member.det in ("des", "der") \
                and s.tokens[member.end:member.end + 1] and s.tokens[member.end].low in ("des", "der", "von"):
            continue  # "die Aufnahme des Gebiets des ehemaligen Landkreises": a thing of someone's
        target = next((p for p in s.phrases if p.start > member.end and p.prep in ("in", "ins", "zum", "zur", "to",
                                                                                  "into", "bei") and
                       (p.org or generic(p.text))), None)
        name = member.text
        first, _, rest = name.partition(" ")
        if member.det == "des" and rest and first.endswith("s") and org_word(first[:-1]):
            name = f"{first[:-1]} {rest}"  # "des Clusters Photonik Jena": the Cluster Photonik Jena
        # "The inclusion of Dartmouth College, the University of Utah and …": every one of them
        group = [member] + [p for p in coordinated(s.text, toks, s.phrases, member)[1:] if _nameish(s, p)]
        for p in group:
            name_ = name if p is member else p.text
            hit = Hit("new_member", "new member: accession noun", tok.text, member=name_, place=_place_after(s, p))
            hit.roles["member"] = f"{p.text} (after '{tok.text}')"
            if target is not None:
                _set_programme(hit, target, s, k)
            else:
                _programme_by_clause(s, hit, member.end, member)
            out.append(hit)
    return out


def _body_admits(s: Sentence, k: int, lem: str) -> bool:
    """"Der Photonik-Cluster hat die Lumora GmbH aufgenommen": a membership body admitting a firm
    needs no word of membership."""
    if lem not in ADMIT_VERBS or any(t.low in ("wurde", "wurden", "worden", "was", "were") for t in s.tokens):
        return False
    subj = _clause_subject(s, k)
    if subj is None or generic(subj.text) or not MEMBERSHIP_BODY.search(subj.text) or _CORPORATE.search(subj.text):
        return False
    obj = next((p for p in s.phrases if p.start > subj.end and p.prep is None and p.start < k), None)
    if obj is None or not any(t.kind == "legal" for t in s.tokens[obj.start:obj.end]):
        return False
    # "als Hauptsponsor aufgenommen", "auf seine Warnliste", "in seinen Index": admitted as or into something else
    return not any(t.low in ("als", "auf", "in", "ins", "unter") for t in s.tokens[obj.end:k])



def _without_subject(s: Sentence, k: int, window: str) -> str:
    """The window around an admitting verb without its subject: "Der Vorstand nahm X in den Verband
    auf" is admitted by the board; "X wurde in den Vorstand aufgenommen" joins the board."""
    subj = _clause_subject(s, k)
    if subj is None or subj.end > k or subj.prep is not None:
        return window
    return window.replace(subj.text, "", 1)


_CORPORATE = re.compile(r"\b(?:gruppe|group|holding|konzern|ag|se|inc|corp)\b", re.IGNORECASE)
_ANY_MEMBER = frozenset("alle all jedem jeden vielen viele einige einigen zahlreichen zahlreiche many several "
                        "some".split())


def _member_ordinal_in(toks: list[Token]) -> bool:
    """An ordinal that is not a date ("seit dem 1. März" is a day, not the 1st member)."""
    return any(is_ordinal(toks, j) and not (j + 1 < len(toks) and toks[j + 1].low.rstrip(".") in _MONTHS)
               for j in range(len(toks)))


_NOT_JOINED = re.compile(r"\b(?:protest\w*|call\w*|campaign\w*|fight|effort\w*|chorus|trend|boycott|strike|"
                         r"petition|debate|discussion|conversation|celebration\w*|race|list|team|staff|faculty|"
                         r"company|firm)\b")
# Countries of an intergovernmental body are member states, never a membership clusterwatch watches.
_BELONGS_NOW = re.compile(r"\b(?:ab sofort|seit kurzem|neuerdings|nun auch|jetzt auch|ab dem \d{1,2}\. \w+|"
                          r"seit (?:anfang |ende |mitte )?(?:januar|februar|märz|april|mai|juni|juli|august|"
                          r"september|oktober|november|dezember)(?! \d{4}))\b", re.IGNORECASE)
_MEMBER_STATES = LowerCased(re.compile(r"member (?:states?|countr\w+|nations?)|mitglied(?:s)?(?:staat|länder|land)\w*",
                                       re.IGNORECASE))


# Verbs of a "Mit A und B …" sentence that make A and B the newcomers: "Mit A und B wächst das
# Netzwerk auf 133 Mitglieder", "Mit A, B und C bringen drei neue Mitglieder ihr Wissen ein". Present
# forms only: "Mit A wuchs der Cluster 2019 auf 60" is history.
_WITH_GROWTH = frozenset("wächst wachsen steigt steigen erhöht erhöhen bringt bringen begrüßt begrüßen gewinnt "
                         "gewinnen verstärkt verstärken".split())


def _with_newcomers(s: Sentence) -> list[Hit]:
    """ "Mit der Spedition X und dem Softwarehaus Y wächst das Netzwerk auf 142 Mitglieder": the
    organisations after a leading "Mit" are the members that made it grow, the subject after the
    verb is whose membership it is. Only organisations (a legal form, an organisation's noun):
    "Mit Blick auf …", "Mit Hilfe der Volksbank …", "Mit Anna Berger als Vorsitzender …" name none."""
    toks = s.tokens
    if len(toks) < 6 or toks[0].low != "mit" or toks[1].kind == "num" or not s.member_nouns:
        return []
    first = next((p for p in s.phrases if p.start in (1, 2) and p.prep == "mit"), None)
    if first is None or not _newcomer_name(s, first):
        return []
    group = [first] + [p for p in coordinated(s.text, toks, s.phrases, first)[1:]
                       if p.prep not in ("aus", "from") and _nameish(s, p) and not generic(p.text)]
    # the verb right after the names and where they are from ("aus Zwickau", "mit Sitz am Leipzig/Halle
    # Airport"); anything else between ("als Partner", "an der Spitze") makes them no newcomers
    last = max(p.end for p in group)
    limit = last + 8
    while last < min(limit, len(toks)) and (toks[last].low in _SEAT_WORDS or toks[last].kind == "word"
                                            and toks[last].text[:1].isupper()):
        last += 1
    if last >= len(toks) or toks[last].low not in _WITH_GROWTH or _MODAL.search(s.text):
        return []
    k = last
    # the members they made: "auf 142 Mitglieder", "drei neue Mitglieder", "um zwei Mitglieder"
    if not any(j > k and (any(t.low in _NEW | _FURTHER for t in toks[max(k, j - 3):j])
                          or any(t.low in ("auf", "um") for t in toks[max(k, j - 4):j]))
               for j, _ in s.member_nouns):
        return []
    # whose: the subject after the verb, or where they bring themselves in ("in das Netzwerk Holz")
    target = next((p for p in s.phrases if p.start > k and p.prep in (None, "in", "ins", "im", "zum", "zur", "bei",
                                                                      "beim") and (p.org or generic(p.text))
                   and not NOT_PROGRAMMES.search(p.text)), None)
    out = []
    for p in group:
        hit = Hit("new_member", "new member: mit … wächst", toks[k].text, member=p.text, place=_place_after(s, p))
        hit.roles["member"] = f"{p.text} (after 'Mit')"
        if target is not None:
            _set_programme(hit, target, s, k)
        else:
            _programme_by_clause(s, hit, k, p)
        out.append(hit)
    return out


_SEAT_WORDS = frozenset("aus in im am an mit sitz , / -".split())


def _newcomer_name(s: Sentence, p: Phrase) -> bool:
    return (p.org or LEGAL_TAIL.search(p.text) is not None) and _nameish(s, p) and not generic(p.text) \
        and not is_owner(p.text) and not ORG_PLURALS.match(p.text.split()[0].lower()) \
        and not NOT_PROGRAMMES.search(p.text)


# An invitation or a how-to, which names no one who joined: "Bitte wenden Sie sich bei Interesse, dem
# Netzwerk beizutreten, …", "Als Unterzeichner beitreten".
_INVITATION = LowerCased(re.compile(r"\b(?:interesse|möglichkeit|bitte|wenden sie sich|interessiert|"
                                    r"interested in joining|opportunity to join|how to join)\b.{0,80}"
                                    r"\b(?:beizutreten|einzutreten|join\w*)\b|"
                                    r"^\W*(?:\w+\s+){0,3}(?:beitreten|eintreten|mitglied werden)\W*$", re.IGNORECASE))


def new_member_frames(s: Sentence) -> list[Hit]:
    if _MEMBER_STATES.search(s.text) or _INVITATION.search(s.text):
        return []
    in_list = list_frames(s)
    if in_list:
        # "Eight companies join …: A, B …, alongside six new members at supporting level: C, D": a
        # list led by "new members:" and one led by a verb of joining may share a sentence
        in_names = [h.member or "" for h in in_list]
        return in_list + [h for h in _joined_list(s, set(in_names), _modal(s))
                          if not any((h.member or "") in m or m in (h.member or "") for m in in_names)]
    accession = accession_frames(s) or _with_newcomers(s)
    if accession:
        return accession
    out: list[Hit] = []
    toks = s.tokens
    if not toks or _CALL.match(s.text.strip("„“\"' ")) and not s.phrases:
        return out
    # "… als neues Mitglied begrüßen zu dürfen": a formula of politeness, not a possibility
    modal = _modal(s)
    passive = any(t.low in ("wurde", "wurden", "wird", "worden", "was", "were", "been") for t in toks)
    for k, lem in s.verbs:
        if lem == "eintreten" and not any(p.prep in ("in", "ins") and (p.org or generic(p.text)
                                                                      or p.text.lower().endswith("abteilung"))
                                          for p in s.phrases):
            continue  # "tritt für Vielfalt ein", "der Fall ist eingetreten": no body entered
        if lem == "angehören" and not (_BELONGS_NOW.search(s.text) and _belongs_to_body(s)):
            continue  # (belonging is joining only from now on, and only to a membership body)
        if lem in JOIN_VERBS or lem == "angehören":
            # ("Ab sofort gehört die Hochschule X dem Verbund an": belonging from now on is joining)
            latest = k > 0 and toks[k - 1].low == "to" and s.lang == "en" and any(
                t.low in ("latest", "newest", "first", "most") or t.kind == "ord" for t in toks[max(0, k - 5):k - 1]) \
                and (joined_body := s.phrase_after(k, within=1)) is not None and joined_body.org  # "… the Council"
            if modal or toks[k].low in ("beizutreten",) or (k > 0 and toks[k - 1].low == "to" and not latest and
                                                           not re.search(r"invitation|einladung", s.text, re.I)):
                continue
            if k + 1 < len(toks) and toks[k + 1].low in ("us", "now", "today", "forces", "hands", "kräfte", "me",
                                                         "myself", "him", "her", "them", "our"):
                continue
            if s.lang == "en" and toks[k].low == "joining" and k > 0 and toks[k - 1].low in ("for", "by", "after",
                                                                                           "before", "of"):
                continue  # "Thanks to our Board Chair for joining the senior team": taking part
            if s.lang == "en" and toks[k].low == "joined" and k > 0 \
                    and toks[k - 1].low in ("is", "are", "was", "were", "been", "be"):
                continue  # "Anna Lee is joined (in the task) by Tom Park": accompanied, a passive
            if NOT_PROGRAMMES.search(" ".join(t.text for t in toks[k + 1:k + 4])):
                continue  # "has joined the board", "trat dem Vorstand bei"
            if s.lang == "en" and _AS_ROLE.search(" ".join(t.low for t in toks[k + 1:k + 12])):
                continue  # "Dr. Evan Hale joined the Institute as director": a post, not a membership
            if s.lang == "en" and (_NOT_JOINED.search(" ".join(t.low for t in toks[k + 1:k + 5]))
                                   or any(t.low in ("other", "others") for t in toks[k + 1:k + 3])):
                continue  # "joined the protest", "joined other chambers in opening up …": no membership
            if s.lang == "en" and any(t.kind == "num" for t in toks[k + 1:k + 4]) \
                    and not any(t.low in ("as", "the") for t in toks[k + 1:k + 2]):
                continue  # "joins 17 national associations and 600 workshops": it unites them
            subj = _clause_subject(s, k)
            if subj is None or generic(subj.text) or subj.text.lower() in _PRONOUN_SUBJECT \
                    or NOT_PROGRAMMES.search(subj.text) or not _nameish(s, subj):
                continue
            if s.lang == "en" and subj.start > k:
                continue  # "Eleven new members joined the Guild": English puts no subject after its verb
            if s.lang == "de" and subj.det in ("der", "dem") \
                    and any(t.kind == "num" for t in toks[subj.end:subj.end + 3]):
                continue  # "traten der ASEW 34 Neu-Mitglieder bei": the dative; the number is the subject
            if s.lang == "en" and subj.end < k and toks[subj.end].text.islower() and toks[subj.end].kind == "word" \
                    and toks[subj.end].low not in _EN_STOP and toks[subj.end].low not in ("and", "has", "have") \
                    and proper_noun(toks[subj.end].text, "en"):
                continue  # "the California company joined": a description; the name is elsewhere
            target = None
            including = next((j for j in range(k + 1, len(toks)) if toks[j].low in _INCLUDING and toks[j].text != ":"),
                             len(toks))
            for p in s.phrases:
                if p.start <= subj.start:
                    continue
                if p.start > including:
                    break  # "joins a who's who of foundations, including the X Foundation": not what it joins
                if p.start > 1 and toks[p.start - 1].low == "with" or toks[p.start - 1].low == "alongside":
                    continue  # "joined the network along with USN": a fellow joiner, not the network
                if (s.lang == "de" and p.det in ("dem", "der") and p.prep is None and lem == "beitreten") or \
                        (lem == "eintreten" and p.prep in ("in", "ins")) or \
                        (s.lang == "en" and p.start > k and p.prep in (None, "the")):
                    target = p
                    break
            first_joiner = _first_of_group(s, subj)
            if _continues_origin(s, first_joiner):
                continue  # "Mitglieder aus Argentinien, Bolivien und Chile sind beigetreten": origins
            group = coordinated(s.text, toks, s.phrases, first_joiner)
            fronted = next((p for p in s.phrases if p.det == "dem" and p.prep is None and p.end <= subj.start), None) \
                if lem == "beitreten" and s.lang == "de" else None
            if fronted is not None:
                target = fronted  # "Dem Netzwerk X sind die Stadt A und der Förderverein der B beigetreten"
            elif target is not None and lem == "beitreten" and s.lang == "de" and target.start >= 2 \
                    and toks[target.start - 2].low in ("und", "sowie"):
                # "die Stadt A und der Landkreis B der Metropolregion C beigetreten": the dative was
                # read as the last name's genitive, and the last name as the dative
                cut = next((j for j in range(target.start + 1, target.end - 1) if toks[j].low == "der"), None)
                if cut is not None:
                    head_text = span_text(s.text, toks, target.start, cut)
                    tail = span_text(s.text, toks, cut + 1, target.end)
                    head = Phrase(target.start, cut, head_text, "der", None, True)
                    group = [p for p in group if p.start != target.start] + [head]
                    target = Phrase(cut + 1, target.end, tail, "der", None, is_org(tail))
            for joiner in group:
                if target is not None and joiner.start == target.start or not _nameish(s, joiner):
                    continue
                kinds = _KIND_LIST.match(joiner.text)
                if kinds is not None:
                    # "die kreisfreien Städte Lübeck und Neumünster": each town is a member
                    for name in re.split(r",\s*|\s+(?:und|and|sowie)\s+", kinds.group(2)):
                        hit = _joiner(s, f"new member: {lem}", toks[k].text, joiner, "subject", target, k)
                        hit.member = name
                        hit.roles["member"] = f"{name} (one of '{joiner.text}', subject)"
                        out.append(hit)
                    continue
                if lem == "hinzukommen" and (not (joiner.org or _MEMBER_KIND.search(joiner.text)
                                                  or LEGAL_TAIL.search(joiner.text)) or joiner.det == "des"):
                    # "Hinzu kommen Kosten für die Anreise": only a body comes in as a member; "Zu den
                    # Aufgaben des Fördervereins ist … dazugekommen": the genitive is whose tasks grew
                    continue
                out.append(_joiner(s, f"new member: {lem}", toks[k].text, joiner, "subject", target, k))
        elif lem in ADMIT_VERBS or lem in WELCOME_VERBS:
            if s.lang == "en" and k > 0 and toks[k - 1].low == "to" and not (k > 1 and toks[k - 2].low in _GLAD):
                continue  # "changed its bylaws to admit new classes of members": a purpose
            if lem == "begrüßen" and not _NEW_IN.search(s.text) and (
                    _GREETED.search(s.text) or any(t.kind == "num" for t in toks[:k])
                    and any(j < k for j, _ in s.member_nouns)):
                # "begrüßte die anwesenden Mitglieder sowie den Bürgermeister", "konnte im Hotel 36
                # Mitglieder begrüßen": a greeting at a meeting
                continue
            if modal or _NOT_ADMIT.search(_without_subject(s, k, " ".join(t.text for t in toks[max(0, k - 6):k + 7]))):
                continue
            if s.lang == "en" and (_AS_ROLE.search(" ".join(t.low for t in toks[k + 1:k + 16])) or _NEW_POST.search(
                    " ".join(t.text for t in toks[k + 1:k + 10])) and not re.search(r"(?i)\bas an? (?:new )?member\b",
                                                                                  s.text)):
                continue  # "welcomed Anna Lee to the Alliance as its new director": a post, not a membership
            member_ctx = bool(s.member_nouns)
            # (also "named associate members of the X Consortium": the body after the member noun)
            target = next((p for p in s.phrases if (p.prep in ("in", "ins", "into", "to", "im", "zum", "bei")
                                                    or p.prep == "of" and any(p.start - 3 <= j < p.start
                                                                              for j, _ in s.member_nouns))
                           and (p.org or generic(p.text))), None)
            if not member_ctx and target is None and not _body_admits(s, k, lem):
                continue
            if member_ctx and _member_ordinal_in(toks):
                continue  # the ordinal frame reports it
            if s.lang == "de" and lem in WELCOME_VERBS and any(
                    j < k and toks[j - 1].low in _NEW | _FURTHER
                    and any(x.kind == "num" for x in toks[max(0, j - 3):j])
                    for j, _ in s.member_nouns):
                # "Zwölf neue Mitglieder konnte der Verein X begrüßen", "X konnte im vergangenen Jahr 30 neue
                # Mitglieder in seinen Reihen begrüßen": X welcomes a number, names none
                continue
            if lem in WELCOME_VERBS and not member_ctx and not re.search(r"\bnew\b|\bneue", s.text, re.I) and not (
                    # "to welcome A and B to the Aurora Universities Network": into a membership body
                    target is not None and target.start > k and target.prep in ("to", "in", "im", "zum")
                    and target.org and MEMBERSHIP_BODY.search(target.text)):
                continue
            headline = k == len(toks) - 1 or (k == len(toks) - 2 and toks[-1].kind == "punct")
            headline = headline and not any(t.low in _COPULA or t.low in ("hat", "haben") for t in toks)
            if passive or headline or (s.lang == "en" and toks[k].low in ("admitted", "accepted")
                                       and not _has_object(s, k)):
                subj = _clause_subject(s, k)
                member, how = subj, "subject (passive)"
                prog_phrase = target
                if k + 1 < len(toks) and toks[k + 1].text == ":":
                    # "Als neues Mitglied wurde aufgenommen: Die Schlüsselregion e. V. (Velbert)"
                    member = next((p for p in s.phrases if p.start > k + 1 and p.prep is None), None)
                    how = "named after the colon"
            elif any(t.kind == "num" for t in toks[k + 1:k + 3]):
                continue  # "welcomed 9 new members to the club": a number of members, no names
            else:
                # (a genitive is never the object: "begrüßte der Vorsitzende des Vereins X seine …")
                # (an acronym in brackets repeats the name before it: "Die Hochschulrektorenkonferenz (HRK)")
                objs = [p for p in s.phrases if p.start > k and p.prep is None] if s.lang == "en" else \
                    [p for p in s.phrases if p.prep is None and p.det != "des" and not p.bracketed][1:]
                member = objs[0] if objs else None
                how = "object"
                prog_phrase = _clause_subject(s, k)
                if k > 2 and toks[k - 2].low in _GLAD:  # "X is delighted to welcome …": X welcomes
                    prog_phrase = _clause_subject(s, k - 3)
                if target is not None:
                    prog_phrase = target
            if member is None or generic(member.text) or NOT_PROGRAMMES.search(member.text):
                continue
            if member.text.lower() in _PRONOUN_SUBJECT or not _nameish(s, member):
                continue
            # "Wir heißen Sulz und Blaustein willkommen", "A und B wurden aufgenommen": every
            # object of the welcome, every subject of the passive is a member
            group = coordinated(s.text, toks, s.phrases, member) if how == "object" else \
                _whole_group(s, member) if how == "subject (passive)" \
                else [member]
            for joiner in group:
                # After a name, a single capitalised word in the same list is a name too ("A und Auenwald")
                listed_name = how == "subject (passive)" and joiner.det is None and not generic(joiner.text) \
                    and not ORG_PLURALS.match(joiner.text.lower()) and joiner.text[:1].isupper()
                if joiner is not member and (not (_nameish(s, joiner) or listed_name) or generic(joiner.text)
                                             or prog_phrase is not None and joiner.start == prog_phrase.start):
                    continue
                out.append(_joiner(s, f"new member: {lem}", toks[k].text, joiner, how, prog_phrase, k))
    out += _joined_list(s, {h.member for h in out}, modal)
    if not out and s.lang == "en" and not modal:
        out += _added(s)
    # "With the addition of Dales Wool Ltd, the network now has 75 members": the newcomer
    for k, tok in enumerate(toks[:-2]):
        if s.lang == "en" and tok.low == "addition" and toks[k + 1].low == "of" and s.member_nouns and not modal:
            first = s.phrase_after(k + 1, within=1)
            if first is None or generic(first.text) or not _nameish(s, first):
                continue
            named = {h.member for h in out}
            with_first = k >= 2 and toks[k - 2].low == "with" and toks[k - 1].low == "the"
            for p in coordinated(s.text, toks, s.phrases, first):
                if p.end < len(toks) and toks[p.end].low in ("now", "has", "have", "is", "are", "counts", "currently"):
                    break  # "With the addition of X, the network now has …": the clause's subject, no list item
                if with_first and p is not first and any(t.text == "," for t in s.tokens[first.end:p.start]):
                    break  # "With the addition of X, the Y …": the comma ends the fronted phrase
                if p.text in named or not _nameish(s, p) or _not_a_newcomer(p.text):
                    continue
                hit = Hit("new_member", "new member: addition", "addition", member=p.text, place=_place_after(s, p))
                hit.roles["member"] = f"{p.text} (the addition of)"
                _programme_by_clause(s, hit, k, p)
                out.append(hit)
    # "X ist (seit kurzem) neu im Exzellenzprogramm Y", "X und Y sind neu bei Z".
    for k, tok in enumerate(toks[:-1]):
        if tok.low in ("neu", "new") and toks[k + 1].low in ("im", "in", "bei", "beim", "to") and not modal:
            target = s.phrase_after(k + 1, within=1)
            subj = _clause_subject(s, k)
            if target is None or subj is None or not (target.org or generic(target.text)) or not _nameish(s, subj):
                continue
            for joiner in _whole_group(s, subj):
                if not _nameish(s, joiner) or joiner.start >= k:
                    continue
                out.append(_joiner(s, "new member: neu im", tok.text, joiner, "subject", target, k))
    if out:
        return out
    # "X ist neues Mitglied im Y", "Neues Mitglied: X", "X is now a member of Y".
    for i, tok in enumerate(toks):
        # "X wird Teil der Hanse-Allianz", "X becomes part of the network": membership by another noun
        part = (tok.low == "teil" and i + 1 < len(toks) and toks[i + 1].low in ("des", "der", "dieses", "unseres")
                or tok.low == "part" and i + 1 < len(toks) and toks[i + 1].low == "of") and i > 0 \
            and toks[i - 1].low in ("wird", "wurde", "ist", "sind", "werden", "becomes", "became", "become", "is",
                                    "now", "jetzt", "nun", "offiziell", "officially")
        if part:
            body = s.phrase_after(i + 1, within=2)
            subj_ = _clause_subject(s, i)
            if body is None or not MEMBERSHIP_BODY.search(body.text) or _CORPORATE.search(body.text) \
                    or subj_ is None or not (subj_.org or len(subj_.text.split()) > 1 or subj_.text.isupper()):
                part = False  # "Die neue Halle ist Teil des Programms", "ist jetzt Teil der Fenn Gruppe"
        if tok.kind != "word" or not ("mitglied" in tok.low or "member" in tok.low or part):
            continue
        if i + 2 < len(toks) and toks[i + 1].low == "zu" and toks[i + 2].text.islower():
            continue  # "Probleme, neue Mitglieder zu gewinnen": what is hard to do, no newcomer
        mn = MemberNoun() if part else member_noun(tok.text)
        # ("Die neuen Mitglieder, A und B, könnten …": the names in apposition are told as fact,
        # whatever the main clause supposes)
        apposed = i >= 2 and i + 1 < len(toks) and toks[i + 1].text == "," and toks[i - 1].low in _NEW \
            and toks[i - 2].low in ("die", "das", "the", "unsere", "unser", "our")
        if mn is None or mn.count_noun or modal and not apposed:
            continue
        before = {t.low for t in toks[max(0, i - 3):i]}
        # ("have all become members": "all" floats; it quantifies the subject, not the members)
        quantified = before & _ANY_MEMBER
        if quantified and quantified <= {"all", "alle"} and toks[i - 1].low in _COPULA:
            quantified = set()
        if before & _EVERY or quantified:
            continue  # "über jedes neue Mitglied": any member, not one
        if before & {"alte", "alten", "bisherige", "bisherigen", "old", "existing", "current"}:
            continue  # "neue und alte Mitglieder wiedersehen": members in general
        if i > 0 and NOT_PROGRAMMES.fullmatch(toks[i - 1].low):
            continue  # "a new board member", "new staff members"
        novelty = mn.new or bool(before & _NEW) or (part or tok.low == "mitglied") and i > 1 \
            and (toks[i - 1].low in ("wird", "wurde", "becomes", "became")
                 # "wurde im Sommer 2024 wieder Mitglied des …"
                 or tok.low == "mitglied" and any(t.low in ("wird", "wurde", "werden", "wurden")
                                                  for t in toks[max(0, i - 9):i - 1])
                 and not any(t.text == "," or t.low in ("bereits", "schon", "damals") for t in toks[max(0, i - 9):i])) \
            or bool(
            re.search(r"\b(?:jetzt|nun|seit kurzem|ab sofort|ab heute|offiziell|now|officially|neu|becomes|"
                      r"became|become|has become|seit (?:anfang |ende |mitte )?(?:januar|februar|märz|april|mai|juni|"
                      r"juli|august|september|oktober|november|dezember|dem \d+\.\s\w+)|"
                      r"since (?:january|february|march|april|may|june|july|august|september|october|november|"
                      r"december))\b", s.text, re.I))
        if not novelty:
            continue
        if any(t.kind == "num" and not (j + 1 < len(toks) and toks[j + 1].low.rstrip(".") in _MONTHS)
               and not (t.value and 1900 <= t.value <= 2100 and t.text.isdigit())
               for j, t in enumerate(toks[max(0, i - 3):i], max(0, i - 3))) and _gained_with(s, i) is None \
                and not _named_among_number(s, i) or _member_ordinal_in(toks):
            # "41 neue Mitglieder" is a number of them ("seit dem 1. Juli Mitglied" a date), unless
            # the sentence names them: "Der Verband hat mit A, B und C drei neue Mitglieder aufgenommen"
            continue
        owner, elsewhere = _owned_by(s, i, mn)
        if elsewhere:
            continue
        names: list[Phrase] = []
        listed = False
        among = _among_new(s, i)
        gained = _gained_with(s, i) if among is None else None
        if among is not None:
            # "Zu den neuen Mitgliedern des Clusters gehören A und B", "New members include A and B"
            names = coordinated(s.text, toks, s.phrases, among[1])
            if owner is None and among[0] is not None:
                owner = among[0].text
        elif gained is not None:
            # "Mit der Beispiel GmbH hat der Verband ein neues Mitglied gewonnen"
            names = coordinated(s.text, toks, s.phrases, gained)
        elif i + 1 < len(toks) and toks[i + 1].text in (":",) or (
                i + 2 < len(toks) and toks[i + 1].low in ("sind", "are") and toks[i + 2].text == ":"):
            first = next((p for p in s.phrases if p.start > i and p.prep is None), None)
            group = coordinated(s.text, toks, s.phrases, first) if first is not None else []
            if group and (group[-1].end >= len(toks) or toks[group[-1].end].kind != "word"):
                names = [p for p in group if not generic(p.text)]  # not "…: go-cluster zählt jetzt 93"
            listed = True
        elif i >= 2 and toks[i - 2].low in ("als", "as") or (i >= 3 and toks[i - 3].low in ("als", "as")):
            # A headline: "Pixelbau GmbH als neues Mitglied der Initiative Digitalregion"
            als = i - 2 if toks[i - 2].low in ("als", "as") else i - 3
            names = [p for p in s.phrases if p.end == als and p.prep is None and not generic(p.text)]
            if als == 0:
                # "As the newest member, MCAA has agreed …", "Als neuestes Mitglied hat die X AG …":
                # the subject of the clause the phrase begins
                subj = _clause_subject(s, i + 1)
                names = [subj] if subj is not None and subj.start > i and subj.prep is None \
                    and not generic(subj.text) else []
        else:
            subj = _clause_subject(s, i)
            # "X ist … Mitglied", and with inversion "Seit Januar ist X Mitglied"
            # (near the noun: "X has changed its bylaws to admit new classes of members" is no "X is a member")
            # ("has gained another new member": "has" is an auxiliary there, the subject gains members)
            copula = any(t.low in _COPULA and not (t.low in ("has", "have") and j + 1 < len(toks)
                                                    and toks[j + 1].low not in ("become", "been", "now"))
                         for j, t in enumerate(toks[:i]) if j >= max(subj.end if subj else 0, i - 5)) or (
                subj is not None and any(t.low in _COPULA for t in toks[max(0, subj.start - 3):subj.start])) or (
                subj is not None and tok.low == "mitglied"  # "wurde nach langer Beobachterrolle im März Mitglied"
                and any(t.low in ("wurde", "wurden", "wird", "werden") for t in toks[max(subj.end, i - 9):i])) or (
                # a subordinate clause puts the copula last: "…, dass X aus Y neues Mitglied geworden ist"
                subj is not None and subj.end <= i and _verb_final_copula(s, subj.start, i))
            # "Das neueste Mitglied im Programm ist die Gemeinde Münster": the name after the copula
            cop_after = next((j for j in range(i + 1, min(len(toks), i + 8)) if toks[j].low in ("ist", "is", "sind",
                                                                                               "are")), None)
            after_cop = s.phrase_after(cop_after, within=2) if cop_after is not None else None
            if subj is not None and subj.end <= i and not generic(subj.text) and copula:
                # "A, B and the C have all become members"
                names = _whole_group(s, subj)
            elif after_cop is not None and after_cop.prep is None and not generic(after_cop.text) \
                    and (subj is None or subj.end > i or generic(subj.text)):
                names = coordinated(s.text, toks, s.phrases, after_cop)
                if owner is None and cop_after is not None:
                    owner_p = next((p for p in s.phrases if i < p.start < cop_after and p.prep in (
                        "im", "in", "bei", "beim", "of", "der", "des") and (p.org or generic(p.text))), None)
                    if owner_p is not None and not generic(owner_p.text):
                        owner = owner_p.text
            else:
                # "das neueste Mitglied der Initiative, die Beispiel GmbH, …"
                comma = next((j for j in range(i + 1, min(len(toks), i + 10)) if toks[j].text == ","), None)
                if comma is not None:
                    appo = s.phrase_after(comma, within=1)
                    if appo is not None and appo.prep is None and not generic(appo.text):
                        # "Die neuen Mitglieder, die TU A und die Hochschule B, könnten …": all of them,
                        # up to the comma that closes the apposition
                        names = coordinated(s.text, toks, s.phrases, appo) if apposed and comma == i + 1 \
                            and tok.low.endswith(("mitglieder", "members")) else [appo]
        for p in names:
            if NOT_PROGRAMMES.search(p.text) or p.text.lower() in _PRONOUN_SUBJECT or not _nameish(s, p) \
                    or _continues_origin(s, p):
                continue
            hit = Hit("new_member", "new member: noun", tok.text, member=p.text, place=_place_after(s, p))
            hit.roles["member"] = p.text
            if owner:
                hit.programme = owner
            elif listed or among is not None:
                hit.ref = ""  # "Die neuen Mitglieder sind: …": whose, the text around says
            elif gained is not None:
                # "Mit A und B hat der Verein …": whose is the subject after the names, never a name
                _set_programme(hit, next((q for q in s.phrases if q.start >= names[-1].end and q.prep is None
                                          and q.start < i), None), s, i)
            else:
                _programme_by_clause(s, hit, i, p)
            out.append(hit)
        break
    return out


_ADDED_TO = re.compile(r"\bto\s+(?:its|their|the|our)\s+(?:[\w-]+\s+){0,2}?(consortium|network|alliance|membership|"
                       r"association|federation|coalition|group|ranks|roster|council|society|chamber|club|league|"
                       r"partnership|initiative)\b", re.IGNORECASE)
_ADDED_AS = re.compile(r"\b(?:were|was|have been|has been)\s+added\s+as\s+(?:a\s+|an\s+)?(?:new\s+)?"
                       r"(?:[\w-]+\s+){0,2}?(?:members?|institutions?)\b", re.IGNORECASE)


_NOT_ADDED = re.compile(r"(?i)\b(?:advisory|steering|sponsors?|mentors?|speakers?|panel|faculty|staff|lineup|"
                        r"portfolio|roster of speakers|list)\b")


def _belongs_to_body(s: Sentence) -> bool:
    """ "Ab sofort gehört X dem Verbund an": the dative is a membership body, not a team, a group
    of companies, a district or a constituency, and X is an organisation, a town or a person."""
    body = next((p for p in s.phrases if p.det in ("dem", "der") and p.prep is None), None)
    if body is None or NOT_PROGRAMMES.search(body.text) or _CORPORATE.search(body.text) \
            or _TERRITORY.search(body.text) or _SUB_UNIT.search(body.text):
        return False
    subj = next((p for p in s.phrases if p.prep is None and p is not body and p.det != "des"), None)
    return subj is not None and not _TERRITORY.search(subj.text) \
        and (subj.org or _MEMBER_KIND.search(subj.text) is not None or LEGAL_TAIL.search(subj.text) is not None
             or len(subj.text.split()) >= 2 and all(w[:1].isupper() for w in subj.text.split())
             and not re.match(r"(?i)(?:marke|gebäude)\b", subj.text))


_TERRITORY = re.compile(r"(?i)\b(?:land|landkreis|wahlkreis|bezirk|kreis|stadtteil|ortsteil|bundesland)\b")


def _added(s: Sentence) -> list[Hit]:
    """ "UCAR has added A and B to its consortium", "A and B were added as sponsoring
    institutions": adding names to a membership body admits them."""
    toks = s.tokens
    verb = next((k for k, lem in s.verbs if lem == "add" or toks[k].low in ("added", "adds")), None)
    if verb is None:
        return []
    out: list[Hit] = []
    passive = _ADDED_AS.search(s.text)
    into = _ADDED_TO.search(s.text, toks[verb].start) if not passive else None
    if passive:
        subj = _clause_subject(s, verb)
        if subj is None or subj.start > verb:
            return []
        group = _whole_group(s, subj)
        how, target = "subject (passive)", None
    elif into is not None:
        first = s.phrase_after(verb, within=1)
        if first is None or first.prep is not None or toks[first.start].start > into.start():
            return []
        group = [p for p in coordinated(s.text, toks, s.phrases, first) if toks[p.start].start < into.start()]
        how = "object"
        target = next((p for p in s.phrases if toks[p.start].start >= into.start()), None)
        if target is None:
            target = _clause_subject(s, verb)
    else:
        return []
    if NOT_PROGRAMMES.search(s.text[toks[verb].start:]) or _NOT_ADDED.search(s.text[toks[verb].start:]):
        return []  # "has added X to its advisory council / steering group / sponsors", "board member"
    for p in group:
        # (not _nameish: "added" before a name is also how a quotation is attributed)
        if p.end < len(toks) and _OFFICE.search(" ".join(t.text for t in toks[p.end:p.end + 2])):
            continue  # "added Clean Freight Coalition director Jane Smith": a speaker
        if NOT_PROGRAMMES.search(p.text) or _OFFICE.search(p.text) or generic(p.text) \
                or not (p.org or len(p.text.split()) > 1 or _MEMBER_KIND.search(p.text) or p.text.isupper()):
            continue
        out.append(_joiner(s, "new member: added", toks[verb].text, p, how, target, verb))
    return out


def _fellow_members(s: Sentence, k: int) -> bool:
    """ "OpenProject joins a who's who of foundations, including A and B": after one named joiner,
    the names that "including" lists are the members it joins, not newcomers."""
    verb = next((j for j, lem in reversed(s.verbs) if j < k and lem in JOIN_VERBS), None)
    if verb is None or any(t.low in _NEW for t in s.tokens[verb:k]):
        return False  # "… join, among them new members including A and B"
    if any(t.low in ("by", "others", "together", "along", "von") for t in s.tokens[max(0, verb - 6):k]) \
            or s.tokens[verb - 1].low in ("been", "was", "were", "wurde", "wurden"):
        return False  # "was joined by five companies, including …", "X and others joined …, including …"
    subj = _clause_subject(s, verb)
    if subj is not None and (subj.text.endswith(("'s", "’s")) or len(_whole_group(s, subj)) > 1):
        return False  # "Europe's largest ports have joined …", "A and B joined …, including …"
    return subj is not None and subj.end <= verb \
        and not any(t.kind == "num" or t.low in _QUANTIFIERS for t in s.tokens[max(0, subj.start - 2):subj.start]) \
        and not ORG_PLURALS.match(subj.text.split()[-1].lower()) and _nameish(s, subj)


def _joined_list(s: Sentence, named: set[str | None], modal: bool) -> list[Hit]:
    """Names listed after a verb of joining: "… sind 14 Organisationen beigetreten, darunter A, B
    und C", "new members including A and B", "Eight companies join …: A, B and C"."""
    toks = s.tokens
    out: list[Hit] = []
    joined = any(lem in JOIN_VERBS | ADMIT_VERBS and lem != "hinzukommen"
                 and not (k + 1 < len(toks) and toks[k + 1].low in ("forces", "hands"))
                 and not _NOT_ADMIT.search(" ".join(t.text for t in toks[max(0, k - 6):k + 7]))
                 for k, lem in s.verbs) or any(
        t.low in _NEW and k + 1 < len(toks) and member_noun(toks[k + 1].text) is not None
        for k, t in enumerate(toks) if t.kind == "word") or any(
        (mn := member_noun(t.text)) is not None and mn.new for t in toks if t.kind == "word")  # "Neumitgliedern"
    addressed = any(t.text == "Sie" for t in toks[1:])  # "Werben Sie neue Mitglieder, insbesondere …"
    if joined and not modal and not addressed and not NOT_PROGRAMMES.search(s.text):
        for k, tok in enumerate(toks):
            if tok.low not in _INCLUDING:
                continue
            if tok.text == ":" and not any(k - 8 <= j < k for j, _ in s.member_nouns) \
                    and not any(k - 8 <= j < k and lem in JOIN_VERBS and j + 2 < k
                                and toks[j + 1].low in ("the", "der", "dem", "den", "das", "die")
                                and s.phrase_after(j, within=2) is not None for j, lem in s.verbs):
                continue  # "Berlin: …" is a dateline, not a list of members ("X join …: A, B" is one)
            first = s.phrase_after(k, within=1)
            if first is None and k + 2 < len(toks) and toks[k + 1].kind == "word" and toks[k + 1].text.islower() \
                    and (marker := _such_as_at(toks, k + 2, ("like",))) is not None:
                # "including studios such as A, B and C": a lower-case noun, then the names
                first = s.phrase_after(marker, within=1)
            if first is None or first.prep is not None:
                continue
            # "darunter Streaming-Anbieter wie Netflix und Zattoo", "including firms such as A": the names follow
            such = _such_as_at(toks, first.end, ("wie", "like", "as"))
            if such is not None:
                first = s.phrase_after(such, within=1)
                if first is None or first.prep is not None:
                    continue
            if tok.text != ":" and _fellow_members(s, k):
                continue
            group = coordinated(s.text, toks, s.phrases, first)
            after = group[-1].end
            if tok.text == ":" and after < len(toks) and toks[after].kind == "word" \
                    and toks[after].low not in ("and", "und", "sowie"):  # (", SINOPEC and thyssenkrupp")
                continue  # "Vier neue Mitglieder: go-cluster zählt jetzt 93": a clause, not a list
            for p in group:
                if p.text in named or not _nameish(s, p) or NOT_PROGRAMMES.search(p.text):
                    continue
                # (after "wie": "Netflix und Zattoo" are two names, read as one phrase)
                pair = _TWO_WORDS.match(p.text) if such is not None else None
                for name in pair.groups() if pair else (p.text,):
                    hit = Hit("new_member", "new member: list", tok.text, member=name, place=_place_after(s, p))
                    hit.roles["member"] = f"{name} (listed after '{tok.text}')"
                    if tok.text == ":":
                        _programme_by_clause(s, hit, k, group[0])
                        if hit.programme and any(hit.programme == g.text for g in group):
                            hit.programme, hit.ref = None, ""
                    else:
                        _programme_by_clause(s, hit, k, p)
                    out.append(hit)
            break
    return out


_TWO_WORDS = re.compile(r"^([A-ZÄÖÜ][\w&.+-]*)\s+(?:und|and)\s+([A-ZÄÖÜ][\w&.+-]*)$")


def _such_as_at(toks: list[Token], j: int, words: tuple[str, ...]) -> int | None:
    """The token that ends "such as" (or one of ``words``, "wie", "like") at ``j``: the names follow it."""
    if j + 1 < len(toks) and toks[j].low == "such" and toks[j + 1].low == "as":
        return j + 1
    return j if j < len(toks) and toks[j].low in words else None


_COPULA = frozenset("ist sind wird wurde werden wurden is are was were becomes became become has have".split())
_GLAD = frozenset("delighted pleased happy proud honored honoured glad excited thrilled".split())
_AMONG_VERBS = frozenset("gehört gehören zählt zählen sind ist are is include includes".split())
_GAINED = frozenset("gewonnen hinzugewonnen dazugewonnen bekommen erhalten begrüßt begrüßen gewinnen stärker gained "
                    "won".split())


def _among_new(s: Sentence, i: int) -> tuple[Phrase | None, Phrase] | None:
    """The names after "Zu den neuen Mitgliedern (des X) gehören …", "Among the new members are …",
    "New members include …": (the owner the noun names, the first name), or None."""
    toks = s.tokens
    lead = {t.low for t in toks[max(0, i - 3):i]}
    verb = next((j for j in range(i + 1, min(len(toks), i + 9)) if toks[j].low in _AMONG_VERBS), None)
    if verb is None or not ({"zu", "den"} <= lead or "among" in lead or toks[verb].low in ("include", "includes")):
        return None
    owner = next((p for p in s.phrases if i < p.start < verb and (p.prep in ("im", "in", "of", "bei", "beim")
                                                                  or p.prep is None and p.det in ("des", "der"))
                  and p.org and not generic(p.text)), None)
    first = s.phrase_after(verb, within=2)
    if first is None or first.prep is not None or generic(first.text):
        return None
    return owner, first


def _named_among_number(s: Sentence, i: int) -> bool:
    """ "A, B and C are among the 11 new members", "A und B sind zwei der zwölf neuen Mitglieder": the
    subject names some of a number of newcomers."""
    toks = s.tokens
    if _OFFICE_BODY.search(s.text) or re.search(r"(?i)\bcouncil\b.{0,40}\bsworn\b|\bsworn in\b", s.text):
        return False  # "… are among the 11 new members of the City Council sworn in": an office
    lead = [t.low for t in toks[max(0, i - 6):i]]
    return any(w in ("among", "unter") for w in lead) and any(w in ("are", "were", "sind", "waren") for w in lead) \
        or "of" in lead and any(w in ("some", "two", "three", "four", "five") for w in lead) \
        and any(w in ("are", "were") for w in lead)


def _not_a_newcomer(name: str) -> bool:
    """A person with a title, a single plain word (a place), or a kind of membership: "Dr. Priya
    Nair", "Birmingham", "Associate Membership"."""
    words = name.split()
    return bool(re.match(r"(?:dr|prof|mr|mrs|ms|sir|dame)\.?\s", name, re.IGNORECASE)) \
        or any(member_noun(w) is not None for w in words) \
        or len(words) == 1 and name.isalpha() and name[1:].islower()


def _gained_with(s: Sentence, i: int) -> Phrase | None:
    """The name in "Mit der Beispiel GmbH hat der Verband ein neues Mitglied gewonnen"."""
    toks = s.tokens
    gain = any(t.low in _GAINED for t in toks[i + 1:i + 4])
    if not gain:
        # "Der Verband hat mit X ein weiteres Mitglied" (no verb after the noun): only a membership body
        subj = _clause_subject(s, i)
        if not (i > 0 and toks[i - 1].low in ("neues", "weiteres") and any(t.low in ("hat", "has") for t in toks[:i])
                and subj is not None and MEMBERSHIP_BODY.search(subj.text) and not NOT_PROGRAMMES.search(subj.text)):
            return None
    first = next((p for p in s.phrases if p.end <= i and p.prep in ("mit", "with")), None)
    # (one word only as a name: "mit der Thüga", never "mit Freude")
    if first is None or generic(first.text) or not (first.org or len(first.text.split()) > 1 or (
            first.det is not None and _nameish(s, first) and toks[first.start].low not in _COMMON_AFTER_MIT)) \
            or _CAMPAIGN.match(first.text):
        return None
    return first


_COMMON_AFTER_MIT = frozenset("freude stolz hilfe recht abstand sicherheit blick".split())


# "Mit der Aktion Freundeskreis hat der Golfclub ein neues Mitglied gewonnen": how, not who
_CAMPAIGN = re.compile(r"(?:aktion|kampagne|projekt|tag|woche|veranstaltung|initiative|campaign|drive|event|hilfe|"
                       r"unterstützung|dank|help|support)\b",
                       re.IGNORECASE)


# Who speaks for or runs an organisation is not joining it: "said Amanda Lee, vice president",
# "President Tony", "der VUN-Vorsitzende", "Bürgermeister Alfred Mutter", "die Verbandsspitze".
_OFFICE = re.compile(
    r"(?:^|[\s-])(?:vice|president|presidents|chair\w*|director|directors|ceo|cfo|cto|secretary|spokes\w+|"
    r"manager|head|founder|präsident\w*|vizepräsident\w*|vorsitzende\w*|vorstand\w*|geschäftsführer\w*|"
    r"geschäftsleiter\w*|"
    r"bürgermeister\w*|landrat|landrätin|sprecher\w*|leiter\w*|spitze|minister\w*|staatssekretär\w*|"
    r"gemeinderä\w*|stadträ\w*)(?:$|[\s,])", re.IGNORECASE)
_SAYING = frozenset("said says sagte sagt erklärte erklärt betonte betont meinte stated explained added "
                    "commented noted so freute".split())


_SUBORDINATORS = frozenset("dass daß weil nachdem seit seitdem da sodass".split())
_FINAL_COPULA = frozenset("ist sind wird werden wurde wurden geworden".split())


def _verb_final_copula(s: Sentence, subject_at: int, noun_at: int) -> bool:
    """German subordinate clause with the copula at its end: "dass X (aus Y) neues Mitglied geworden
    ist", "weil die Stadt jetzt Mitglied im Verband wird" (the subordinator right before the subject)."""
    toks = s.tokens
    if s.lang != "de" or subject_at == 0 or toks[subject_at - 1].low not in _SUBORDINATORS \
            and not (subject_at > 1 and toks[subject_at - 2].low in _SUBORDINATORS):
        return False
    end = next((j for j in range(noun_at + 1, len(toks)) if toks[j].kind == "punct"), len(toks))
    return end - noun_at <= 6 and toks[end - 1].low in _FINAL_COPULA


def _official(s: Sentence, p: Phrase) -> bool:
    if _OFFICE.search(p.text):
        return True
    toks = s.tokens
    before = toks[p.start - 1] if p.start > 0 else None
    if before is not None and before.kind == "word" and _OFFICE.search(before.text):
        return True
    after = [t.low for t in toks[p.end:p.end + 2]]
    if after and (after[0] in _SAYING or after[0] == "," and len(after) > 1 and
                  (after[1] in _SAYING or _OFFICE.search(after[1]))):
        return True
    return p.start > 0 and toks[p.start - 1].low in _SAYING  # "…, said Amanda Lee"


def _nameish(s: Sentence, p: Phrase) -> bool:
    """A phrase that can be a member's name: an organisation, several words, or one word that is
    a name or noun — at the sentence start German and English capitalise any word ("Allein",
    "Erfreulich", "Just"), so there the word's part of speech decides."""
    if p.det in ("ein", "eine", "einen", "einem", "einer", "a", "an") and not p.org:
        return False  # "ein Maschinenbauer aus Ulm": someone, not a name
    if _official(s, p) or p.text.lower() in ("please", "bitte", "thanks", "danke", "nummer", "number", "nr", "nr."):
        return False  # (also "als Mitglied Nummer 333": the number's word, no one's name)
    if p.text.split()[0].lower() in _PRONOUN_SUBJECT or p.text.lower().startswith(("als ", "unterzeichner")):
        return False  # "We are extremely excited to have …", "Unterzeichner": a clause or a role, not a name
    if p.text.endswith(("'s", "’s")) and p.end < len(s.tokens) and s.tokens[p.end].text[:1].islower():
        return False  # "Europe's largest ports": whose, not who
    if p.text.lower().rstrip(".") in _MONTHS or p.text.lower() in _WEEKDAYS:
        return False  # "On Friday, Sept. 27, three hospitals joined": a date
    if " " not in p.text and (p.text.lower().startswith(_NEWCOMER) or member_noun(p.text) is not None):
        return False  # "begrüßt Neuzugang", "welcomes Newmembers": the newcomer, not a name
    if p.text.lower().endswith(("beitrag", "beiträge", "gebühr", "gebühren", "antrag", "formular", "satzung",
                                "ordnung", " fee", " fees", " form")):
        return False  # "wird der Jahresbeitrag fällig": a fee or a form, never a member
    before = [t for t in s.tokens[max(0, p.start - 2):p.start] if t.low not in DETERMINERS_]
    if any(t.text == "," for t in before):  # "On Friday, Feb. 17, UR joined": a date, then the name
        before = before[[t.text for t in before].index(",") + 1:]
    if any((t.kind == "num" and not 1900 <= (t.value or 0) <= 2100)
           or t.low in ("weitere", "weiteren", "further", "other", "zwei", "two") or t.low in _QUANTIFIERS
           or t.low in ("viele", "vielen", "zahlreichen", "einige", "mehrere") for t in before):
        return False  # "Zwölf weitere Innovationscluster": a number of members, no name
    if is_owner(p.text):
        return False  # a ministry admits members; it is never one
    if " " not in p.text and not p.org and ORG_PLURALS.match(p.text.lower()):
        return False  # "Firmen", "Kommunen": members, but no name
    if p.org or len(p.text.split()) > 1:
        return True
    if any(c.isupper() for c in p.text[1:]) or any(c.isdigit() for c in p.text):
        return True  # "BDSW", "biosaxony"-like brands with capitals inside, "C40"
    if s.lang == "de" and _abstract_noun(p.text):
        return False  # "Einladung", "Verfahren", "Verbandsspitze": a common noun, no one's name
    # One plain word ("Säulen", "Jüngere"): a name only if it is not a common noun or adjective.
    return proper_noun(p.text, s.lang)


def _abstract_noun(word: str) -> bool:
    """One plain German word with the ending of a common noun ("Einladung", "Verfahren")."""
    return word.isalpha() and word[1:].islower() and _ABSTRACT_NOUN.search(word) is not None


# Endings of German common nouns that are never a one-word name of a town or a firm
_ABSTRACT_NOUN = re.compile(r"(?:ung|ungen|heit|keit|tion|tionen|ität|ismus|nis|nisse|spitze|verfahren|kontakte|"
                            r"projekte|kreises|gremium|gremien)$", re.IGNORECASE)


def _continues_origin(s: Sentence, p: Phrase) -> bool:
    """``p`` goes on a list begun after "aus"/"from" ("aus Argentinien, Bolivien und Chile")."""
    before = [q for q in s.phrases if q.end <= p.start]
    # ("from Portugal, the Netherlands and Chile": articles and "and" may stand between the items)
    if before and (p.org or _MEMBER_KIND.search(p.text)) and any(t.low in ("und", "and", "sowie")
                                                                 for t in s.tokens[before[-1].end:p.start]):
        return False  # "X aus Bonn und die Stadtwerke Lindau": a second newcomer, no second origin
    return bool(before) and before[-1].prep in ("aus", "from", "in") and \
        all(t.text == "," or t.low in ("the", "der", "die", "das", "und", "and", "sowie")
            for t in s.tokens[before[-1].end:p.start]) and before[-1].end < p.start


def _whole_group(s: Sentence, p: Phrase) -> list[Phrase]:
    """Every name coordinated with ``p``, from the first ("A, B und C" for any of them)."""
    return coordinated(s.text, s.tokens, s.phrases, _first_of_group(s, p))


# The sentence after a number of newcomers that names them: "… three more Affiliates have joined. These
# include A, B and C", "… mehr als 200 neue Mitglieder beigetreten. Darunter befinden sich auch
# prominente Namen wie A, B oder C", "Hinzu kommen die Städte A und B", "One is A, the other is B".
FOLLOW_ON = re.compile(
    r"^\s*(?:(?:darunter|dazu)\s+(?:sind|befinden\s+sich|zählen|gehören)|hinzu\s+kommen|neu\s+(?:mit\s+)?dabei\s+sind|"
    r"(?:das|es)\s+(?:sind|waren)|(?:these|they|those)\s+(?:include|are)|among\s+them\s+are|"
    r"the\s+(?:new|newest)\s+(?:[\w-]+\s+)?(?:members|companies|organi[sz]ations|affiliates)\s+(?:include|are)|"
    r"one\s+is)\b"
    r"(?:\s+(?:auch|zum\s+beispiel|unter\s+anderem|u\.\s?a\.|etwa|diesmal|now|also|for\s+example))*",
    re.IGNORECASE)
# "prominente Namen aus der TK-Branche wie A, B oder C", "companies such as A": the names follow
_SUCH_AS = re.compile(r"\b(?:wie|such\s+as|like)\s+", re.IGNORECASE)


def follow_on_names(s: Sentence, newcomers: Hit) -> list[Hit]:
    """The newcomers a sentence right after ``newcomers`` (a new-member event without a name) names,
    as new members of the same body."""
    lead = FOLLOW_ON.match(s.text)
    if lead is None:
        return []
    start = lead.end()
    such = _SUCH_AS.search(s.text, start, start + 80)
    if such is not None:
        start = such.end()
    first = next((p for p in s.phrases if s.tokens[p.start].start >= start and p.prep is None), None)
    if first is None or first.det == "des" \
            or any(t.kind in ("num", "numword") or t.low in _QUANTITY_WORDS
                   for t in s.tokens if start <= t.start < s.tokens[first.start].start):
        return []  # "Darunter sind auch drei Vorstandsmitglieder des Kunstvereins": some of them, unnamed
    group = coordinated(s.text, s.tokens, s.phrases, first)
    if lead.group(0).strip().lower().startswith("one is"):
        # "One is A in Portugal, the other is B"
        other = re.search(r"\bthe\s+other\s+is\b", s.text, re.IGNORECASE)
        second = next((p for p in s.phrases if other is not None and s.tokens[p.start].start >= other.end()
                       and p.prep is None), None)
        group = [first] + ([second] if second is not None else [])
    out = []
    for p in group:
        if generic(p.text) or NOT_PROGRAMMES.search(p.text) or not _nameish(s, p) or _continues_origin(s, p) \
                or ORG_PLURALS.match(p.text.split()[0].lower()) or p.text.lower() in _PRONOUN_SUBJECT:
            continue
        if such is None and not (p.org or " " in p.text or _MEMBER_KIND.search(p.text) or LEGAL_TAIL.search(p.text)
                                 or any(c.isupper() for c in p.text[1:])):
            continue  # "Darunter sind auch Mitarbeiter der Universität": a kind of people, no name ("… wie
            # Verizon, Versatel": after "wie" one word is a name)
        hit = Hit("new_member", "new member: named after a number", lead.group(0).strip(), member=p.text,
                  place=_place_after(s, p), programme=newcomers.programme, ref=newcomers.ref)
        hit.roles["member"] = f"{p.text} (named after: {newcomers.trigger} …)"
        out += _split_pair(hit, True)
    return out


def _first_of_group(s: Sentence, p: Phrase) -> Phrase:
    """The first phrase of a coordination that ends with ``p`` ("A, B und C" -> A)."""
    first = p
    before = [q for q in s.phrases if q.end <= p.start]
    skip = None  # a place the previous name comes from: "A aus Bonn und B", "A from Oslo and B"
    for n, q in reversed(list(enumerate(before))):
        if q is skip:
            continue
        between = s.tokens[q.end:first.start]
        if between and all(t.text == "," or t.low in ("und", "and", "sowie") or t.low in ("der", "die", "das", "the")
                           for t in between) and q.prep is None:
            first = q
            continue
        if between and q.prep in ("aus", "from", "in") and n > 0 and before[n - 1].prep is None \
                and before[n - 1].end == q.start - 1 and not (q.org or _MEMBER_KIND.search(q.text)) \
                and all(t.text == "," or t.low in ("und", "and", "sowie", "der", "die", "das", "the") for t in between):
            first, skip = before[n - 1], before[n - 1]
            continue
        break
    return first


def _joiner(s: Sentence, frame: str, trigger: str, member: Phrase, how: str, target: Phrase | None,
            at: int) -> Hit:
    """A new membership of ``member``, whose programme ``target`` names (or the clause refers to)."""
    hit = Hit("new_member", frame, trigger, member=member.text, place=_place_after(s, member))
    hit.roles["member"] = f"{member.text} ({how})"
    _set_programme(hit, target, s, at)
    return hit


def _has_object(s: Sentence, k: int) -> bool:
    return any(p.start > k and p.prep is None for p in s.phrases)


def _set_programme(hit: Hit, p: Phrase | None, s: Sentence, at: int) -> None:
    if p is not None and p.org and not generic(p.text) and not NOT_PROGRAMMES.search(p.text):
        hit.programme = p.text
        hit.roles["programme"] = p.text
    elif p is not None and generic(p.text):
        hit.ref = p.text.lower()
    else:
        hit.ref = _ref(s, at)


# A call to join: "Become a member today and join more than 250 companies", "Werden Sie Mitglied":
# the count scorer never adds a count from such a sentence (the frames meet it in their own way:
# _INVITATION, the modal test).
CALL_TO_JOIN = LowerCased(re.compile(r"\b(?:become (?:a |an )?(?:\w+ )?member|join (?:us|now|today)|"
                                      r"werden sie (?:\w+ )?mitglied|jetzt mitglied|mitglied werden)\b", re.IGNORECASE))
# Tests of a clause, by name, for the count scorer to weigh (count_scorer): those of the frames that
# changed its cross-validated score (a meeting's attendance, the past, now, a wish).
CLAUSE_TESTS: dict[str, Any] = {
    "attendance": _ATTENDANCE, "history": _HISTORY, "past": _PAST, "now": _NOW, "modal": _MODAL,
}


_INSIDE = frozenset(("im", "in", "beim", "bei", "within"))


def clause_owner(s: Sentence, at: int) -> tuple[str | None, str | None]:
    """Whose members a number at token ``at`` counts, when no frame said: the owner a membership
    noun after it names ("Mitglieder des Vereins X"), else the clause's subject, else how the
    sentence refers back ((name, None) or (None, reference))."""
    for k, mn in s.member_nouns:
        if at < k <= at + 5:
            owner, elses = _owned_by(s, k, mn)
            if owner and not elses:
                return owner, None
            break
    hit = Hit("member_count", "", "")
    subj = _clause_subject(s, at)
    # ("Rund 250 Unternehmen und Organisationen haben sich der Alliance angeschlossen": the counted
    # noun is the subject, the members, not whose members they are)
    _set_programme(hit, None if subj is not None and at < subj.start <= at + 3 else subj, s, at)
    if hit.programme is None and not hit.ref:
        # "Im Netzwerk X arbeiten heute 164 Mitgliedsfirmen zusammen": the body the clause's
        # members are in
        _, words = _clause(s, at)
        first = words[0].start if words else 0
        inside = next((p for p in s.phrases if p.prep and p.prep.split()[0].lower() in _INSIDE
                       and p.org and s.tokens[p.start].start >= first and p.start < at
                       and not NOT_PROGRAMMES.search(p.text) and not generic(p.text)), None)
        if inside is not None:
            return inside.text, None
        # the one membership body the sentence names, wherever it stands: "Dem Bauernbund (SBB)
        # kann niemand das Wasser reichen: über 20.000 Mitgliedsbetriebe", "sind 51 Organisationen
        # im „netz“ zusammengeschlossen" (a firm named there is more often a member)
        bodies = {p.text for p in s.phrases if p.org and not p.bracketed and not generic(p.text)
                  and not at < p.start <= at + 3 and not NOT_PROGRAMMES.search(p.text)
                  and not COMPANY.search(p.text)}
        if len(bodies) == 1:
            return bodies.pop(), None
    return hit.programme, hit.ref


def _title_case(s: Sentence) -> bool:
    words = [t.text for t in s.tokens if t.kind == "word" and len(t.text) > 3]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words) \
        and s.text.rstrip()[-1:] not in ".!?"


_RANK = re.compile(r"(?:^|\s)(?:professor\w*|professorin|fellow|instructor|lecturer|scientist|researcher|nurse|"
                   r"postdoc\w*|student\w*|dozent\w*|kreisfachberater\w*|fachberater\w*|referent\w*)(?:$|\s)",
                   re.IGNORECASE)


_PLURAL_VERBS = frozenset("are were have sind waren haben hatten wurden werden traten treten gehören zählen "
                          "join become became".split())
_PAIR = re.compile(r"^(.+?\S)\s+(?:and|und|sowie)\s+(.+)$")


# A person's name: first name(s) and surname, capitalised ("Carla Jennings", "Amber B. Ferrell")
_PERSON = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:\s+[A-Z]\.)?(?:\s+(?:von|van|de|der|da))?\s+[A-ZÄÖÜ][a-zäöüß]+"
                     r"(?:-[A-ZÄÖÜ][a-zäöüß]+)?$")


def _split_pair(h: Hit, plural: bool | None = None) -> list[Hit]:
    """ "Yale University and Arizona State University", "Stadtwerke Lindau und Kessler AG": two
    complete names read as one phrase are two newcomers ("Verband für Handel und Gewerbe" is one)."""
    m = _PAIR.match(h.member or "") if h.kind == "new_member" else None
    if m is None or m.group(1).endswith("-") or m.group(2).lower().startswith(("co.", "co ", "cie")):
        return [h]  # ("Hansen Logistik GmbH und Co. KG": one legal form)
    if plural is not None and not plural and "subject" in h.roles.get("member", ""):
        return [h]  # "Oakdale Bank and Trust Company has joined": a subject with its verb in the singular
    left, right = m.group(1), m.group(2)
    whole = [n for n in (left, right) if len(n.split()) >= 2 and (is_org(n) or _MEMBER_KIND.search(n)
                                                                  or LEGAL_TAIL.search(n) or _PERSON.match(n))
             or n.isupper() and 2 <= len(n) <= 8]  # "KAIST and Seoul National University", "Ann Lee and Omar Haddad"
    if len(whole) < 2:
        return [h]
    return [replace(h, member=n, roles={**h.roles, "member": f"{n} (one of two names joined by 'and')"})
            for n in (left, right)]


def _only_titles(name: str) -> bool:
    """ "Associate Professor", "Chief Executive", "Research Fellow": titles without a person's name
    ("Professor Anna Clarke" has one)."""
    if not (_OFFICE.search(name) or _RANK.search(name)):
        return False
    rest = [w for w in name.split() if not (_OFFICE.search(f" {w} ") or _RANK.search(f" {w} "))
            and w.lower() not in _TITLE_WORDS]
    return not rest


_TITLE_WORDS = frozenset("associate assistant research registered clinical chief executive senior junior deputy "
                         "vice erster ersten erste zweiter zweiten stellvertretender stellvertretende "
                         "general managing".split())


def _headline_joiner(s: Sentence, h: Hit) -> bool:
    """A title-case headline whose first name is the joiner, right before a verb of joining or
    becoming: "Northfield Guild Joins Example Alliance as Associate Member", "Lakeview Clinic
    Becomes the Newest Member of the Health Network"."""
    if not h.frame.startswith("new member") or not s.phrases:
        return False
    first = s.phrases[0]
    if not (first.start == 0 and first.text == h.member and first.end < len(s.tokens)
            and s.tokens[first.end].low in ("joins", "joined", "becomes", "became")):
        return False
    # what it joins must be a membership body ("… Joins Lawsuit Against …", "… Joins Study on …",
    # "… Joins Board of Directors", "… as Chief Medical Officer" are no membership)
    rest = " ".join(t.text for t in s.tokens[first.end + 1:])
    body = next((p for p in s.phrases if p.start > first.end and is_org(p.text)), None)
    return body is not None and not NOT_PROGRAMMES.search(rest) \
        and not _AS_ROLE.search(rest.lower()) and not _OFFICE.search(rest) and not _CORPORATE.search(body.text)


# A goal is no milestone: "Our aim is to get the District to 1,400 members", "the target of recruiting
# 100 new members", "Ziel sind 500 Mitglieder bis 2030".
_AIM = LowerCased(re.compile(r"\b(?:our aim|the aim|aims to|goal|goals|target|targets|hopes? to|hoping to|"
                             r"plans? to|get to|unser ziel|das ziel|ziel ist|ziel sind|zielmarke|angestrebt\w*|"
                             r"anzustreben|streben \w+ an|strebt \w+ an)\b", re.IGNORECASE))


# A board's members in the count's own clause ("des Präsidiums", "of the board", "im Vorstand")
_BOARD_OF = re.compile(r"\b(?:des|dem|im|der|of\s+the|on\s+the|in\s+the)\s+(?:\w+\s+)?(?:vorstand\w*|präsidium\w*|"
                       r"aufsichtsrat\w*|beirat\w*|kuratorium\w*|board|committee|jury|gremium\w*)\b", re.IGNORECASE)


def sentence_hits(s: Sentence, doc_year: Callable[[], int | None]) -> list[tuple[Hit, bool]]:
    """The frames' hits in an analysed sentence, each with whether its clause tells of the past."""
    # Ordinals and counts need a number (number words are digits by now): a sentence without one
    # is read for newcomers only, the common case among sentences read for their cue words
    numbered = any(t.kind in ("num", "ord", "numword", "dec") for t in s.tokens)
    hits = ordinal_frames(s) if numbered else []
    hits += [h for h in count_frames(s) if not any(o.number == h.number for o in hits)] if numbered else []
    hits += new_member_frames(s) if not any(h.kind == "member_ordinal" for h in hits) else []
    if any(h.kind == "new_member" and h.member for h in hits):  # the names tell it better than their number
        hits = [h for h in hits if not (h.kind == "new_member" and not h.member)]
    if s.lang == "en" and any(h.kind == "new_member" and h.member for h in hits) and _title_case(s):
        # "Weapons, Tobacco Makers, Koch Group Are Among Newest ALEC Members": in a headline in
        # title case every word looks like a name, so none can be told to be one
        # ("Example Council Joins Example Alliance" is told: a verb of joining, one name before it)
        hits = [h for h in hits if not (h.kind == "new_member" and h.member) or _headline_joiner(s, h)]
    if any(h.kind == "new_member" and h.member for h in hits):
        plural = any(t.low in _PLURAL_VERBS for t in s.tokens)
        hits = [part for h in hits for part in _split_pair(h, plural)]
    # A post or a rank is never a newcomer's name: "ranks including Professor, Research Fellow",
    # "begrüßte … Ersten Bürgermeister Rüdiger Gerst"
    hits = [h for h in hits if not (h.kind == "new_member" and h.member and _only_titles(h.member))]
    if hits and s.text.rstrip(" “”\"'»«)").endswith("?"):
        return []  # "How does the club get to 100,000 members?": a question, no news
    aims = [m.end() for m in _AIM.finditer(s.text)] if hits else []
    out = []
    future = _FUTURE.search(s.text) is not None if hits else False
    for h in hits:
        at = index_of(s, h)
        if aims and 0 <= at < len(s.tokens) and any(0 <= s.tokens[at].start - end <= 60 for end in aims):
            continue  # "Our aim is to get the District to 1,400 members": the goal, not the count
        if h.kind != "member_count" and _NEGATION.search(_COMPARED.sub("", _clause(s, at)[0])):
            continue  # "Die Mitgliedsnummer 200.000 wird nicht vergeben", "X did not join"
        if h.kind != "member_count" and future:
            continue  # "on its way to becoming the alliance's 14th member"
        if h.kind == "member_count" and 0 <= at < len(s.tokens) and _BOARD_OF.search(_clause(s, at)[0]):
            continue  # "die Verkleinerung des Präsidiums von neun auf sieben Mitglieder": a board's seats
        # An infobox's "(2021)" dates the figure it gives; it is the latest the page states
        out.append((h, h.frame != "count: infobox" and historical(s, doc_year, at, h.kind)))
    return out
