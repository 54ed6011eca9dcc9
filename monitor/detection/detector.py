"""Text in, membership events out (measured against real pages by ``bench/score_detection.py``).

1. Paragraphs and sentences (``sentences``); a sentence without a membership cue is only read
   for the organisations it names (``document``), so that a later "der Verein" can be resolved.
2. A cue sentence has its number words turned into digits (text2num), is tokenised
   (``tokens``), its names found (``names``) and its trigger verbs lemmatised (``lexicon``,
   HanTa), then read by the membership frames (``frames``).
3. Every number of such a sentence is also a candidate count, scored by a model learned from
   labelled real pages (``count_scorer``, ``scoring``): a frame's count it is sure is wrong is
   dropped, a count the frames missed is added (``_scored``).
4. Whose membership an event is comes from the sentence, else from what it refers back to, else
   from the text's topic (``document``); an event whose text never says stays ``programme:
   None`` with the reason in ``why``.
5. One event per milestone in a document (``_merge``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import ahocorasick

from . import count_scorer
from .document import PERSON_TITLE, Document, place_body, without_dateline, without_legal_form
from .frames import (
    FOLLOW_ON,
    Hit,
    Sentence,
    analyse,
    clause_owner,
    follow_on_names,
    header_owner,
    index_of,
    listed_member,
    sentence_hits,
)
from .member_lists import member_lists
from .model import Event
from .names import PLACE_WORD, generic, org_word
from .numbers import guess_language, has_number_words, words_to_digits
from .programmes import DESCRIPTOR, nominative, normalise_programme
from .scoring import Candidate, model
from .sentences import paragraphs, split_paragraph

# Words without which no frame can fire. They are found with an Aho-Corasick automaton
# (pyahocorasick): one pass over the lower-cased text for all of them, several times faster than a
# regular expression of forty alternatives, which was the detector's largest cost on ordinary text.
_CUES = (
    "mitglied", "member", "beitr", "beigetr", "aufgenomm", "aufnehm", "aufnahme", "join", "admit", "welcom",
    "begrüß", "gehör", "zählt", "zählen", "vereint", "vereinen", "umfass", "bündel", "vertrit", "repräsent",
    "unite", "compris", "represent", "brings together", "verfüg", "zusammengeschlossen", "celebrat", "belong",
    "boast", "made up of", "neu dabei", "neu hinzu", "neuzug", "newcomer", "besteht aus", "bestehen aus",
    "consists of", "consist of",
    "organisiert", "belong to", "teil des", "teil der", "wird teil", "wurde teil", "jetzt teil", "nun teil",
    "offiziell teil", "becomes part of", "became part of", "now part of", "added", "angeschlossen",
    "zusammen geschlossen",
    # what an organisation is made of: "ein Zusammenschluss der 30 Bioregionen", "a network of 140 cities"
    "zusammenschluss der", "zusammenschluss von", "association of", "network of", "alliance of", "federation of",
    "coalition of", "consortium of",
    # members that form the organisation: "53 Handwerkskammern bilden den …", "the nine companies forming the Alliance"
    "form the", "forms the", "forming the",
    # belonging from now on: "Ab sofort gehört die Hochschule X dem Verbund an"
    "ab sofort", "seit kurzem", "neuerdings",
    # names added to a body: "UCAR has added A and B to its consortium", "were added as members"
    "has added", "have added", "added as",
    # entered: "ist zum 1. Januar in den Zweckverband eingetreten"
    "eingetreten",
    # came in: "A und B sind dazugekommen", "Hinzu kommen A und B"
    "hinzugekommen", "dazugekommen", "kommen hinzu", "kommt hinzu", "hinzu kommen", "hinzu kommt",
    # "inducted new members A and B"
    "induct",
    # certified into a programme: "Derzeit sind 87 Innovationscluster im Rahmen von »go-cluster« zertifiziert"
    "zertifiziert",
    # what an organisation counts: "The organization includes 120 institutions", "IFEX numbers more than 95"
    "includes", "numbers",
)
# Stems that hide inside common words ("nehm" in "Unternehmen", "trat" in "Vertrag") are cues only
# at the start of a word.
_WORD_START_ONLY = ("tritt", "trat", "nahm", "nimm", "nehm", "verbind", "vertret", "feier", "nutzen", "neu i",
                    "neu b", "bilde")
# Verbs that only count ("vereint 90 Netzwerke", "vertritt 300 Betriebe"): a sentence with no other
# cue needs a number for them to matter, and filler text is full of them.
_COUNTING_ONLY = frozenset(("gehör", "zählt", "zählen", "vereint", "vereinen", "umfass", "bündel", "vertrit",
                            "repräsent", "unite", "compris", "represent", "brings together", "verfüg",
                            "zusammengeschlossen", "verbind", "vertret", "feier", "nutzen", "celebrat", "belong",
                            "boast", "made up of", "besteht aus", "bestehen aus", "consists of", "consist of",
                            "organisiert", "belong to", "added", "teil des", "teil der", "angeschlossen",
                            "zusammen geschlossen", "zusammenschluss der", "zusammenschluss von", "association of",
                            "network of", "alliance of", "federation of", "coalition of", "consortium of",
                            "bilde", "form the", "forms the", "forming the", "zertifiziert", "includes",
                            "numbers"))
_DIGIT = re.compile(r"\d")


def _automaton(words: dict[str, Any]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


_CUE_FINDER = _automaton({cue: (len(cue), cue in _WORD_START_ONLY, cue in _COUNTING_ONLY)
                          for cue in _CUES + _WORD_START_ONLY})


def _cues(text: str) -> list[tuple[int, bool]]:
    """Where the text has a membership cue (offsets), and whether it only counts."""
    low = text.lower()
    found = []
    for end, (length, word_start, counting) in _CUE_FINDER.iter(low):
        start = end - length + 1
        if word_start and start > 0 and low[start - 1].isalpha():
            continue
        if counting and _DIGIT.search(low, max(0, start - 120), start) is None \
                and not _number_word(low, max(0, start - 120), start):
            # "sind 15 Innungen organisiert", "besteht aus 97 Städten": a verb that only counts
            # needs its number before it (filler text "organisiert" and "vertritt" all day long)
            # ("umfasst zehn Organisationen": the number may follow in words)
            if not _DIGIT.search(low, start, start + 80) and not _number_word(low, start, min(len(low), start + 40)):
                continue
        found.append((start, counting))
    return found


# Number words a count may be written in (text2num reads them; this only decides whether to look):
# "ty" only at a word's end ("twenty"). An automaton like the cues' answers in half the time of
# the alternation of these words, which the engine tries at nearly every position of the window.
_NUMBER_WORDS = ("zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf", "zig",
                 "hundert", "tausend", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "teen", "ty", "hundred", "thousand")
_NUMBER_WORD_FINDER = _automaton({word: word for word in _NUMBER_WORDS})


def _number_word(low: str, start: int, end: int) -> bool:
    """Whether ``low[start:end]`` has a number word (a word's end is also where the window ends)."""
    for last, word in _NUMBER_WORD_FINDER.iter(low, start, end):
        if word != "ty" or last + 1 == end or not (low[last + 1].isalnum() or low[last + 1] == "_"):
            return True
    return False


# Without a number only a new membership can be read, and that needs one of these words.
_NEWS = re.compile(
    "beitr|beigetr|aufgenomm|aufnehm|nahm|nimm|nehm|tritt|trat|join|welcom|begrüß|admit|accept|neu|new|jetzt|"
    "nun |kurzem|sofort|heute|offiziell|now|becom|became|darunter|including|heiß|seit |since |verstärk|"
    r"beitritt|aufnahme|accession|wird teil|wurde teil|part of|wird mitglied|gewonnen|among|"
    r"wurden?\s(?:\S+\s){0,8}?mitglied|"
    "weiteres mitglied|willkommen|has added|have added|added as|eingetreten|elected to|elects|named|"
    "hinzugekommen|dazugekommen|hinzu|induct|mitglied geworden|mitglied wird"
)


def _worth_reading(sentence: str, lang: str, counting_only: bool) -> bool:
    if _DIGIT.search(sentence):
        return True
    if not counting_only and _NEWS.search(sentence.lower()):
        return True
    return has_number_words(sentence, lang)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MAX_SENTENCE = 2000
_MAX_COUNT = 10_000_000


def _without_descriptor(name: str) -> str:
    """"Digitalverband Bitkom" is Bitkom: a descriptor before a one-word name is not part of it
    (the same rule as ``programmes``; "Bundesverband Windenergie" keeps its first word)."""
    words = name.split()
    if len(words) == 2 and DESCRIPTOR.match(words[0]) and not PLACE_WORD.search(words[1]) and "-" not in words[1]:
        return words[1]
    return name


_CREDIT = re.compile(r"\b(?:bild|credit|quelle)\b", re.IGNORECASE)


def _event(hit: Hit, sentence: str, doc: Document, index: int, members: frozenset[str] = frozenset()) -> Event:
    name = hit.programme
    if name and generic(name):  # "Verein", "Organisation": a reference, not a name
        hit.ref, name = name.lower(), None
    # "OSI President Simon Phipps", "Tim Wood Photo": a person, a credit
    if name and (PERSON_TITLE.search(name) or _CREDIT.search(name)):
        hit.ref, name = hit.ref or "", None
    why: dict[str, Any] = {"frame": hit.frame, "trigger": hit.trigger, "roles": dict(hit.roles),
                           "sentence": sentence}
    if name and place_body(name, named=True):
        # "im Landkreis", "Region Leipzig-Halle": where it happens, not whose members they are
        hit.ref, name = hit.ref or "", None
    if name and " " not in name and org_word(name) and re.search(
            rf"(?i)\b(?:der|die|das|dem|den|des|im|beim|vom|zum)\s+{re.escape(name)}", sentence):
        # "dem Heimatverein", "der Energiegenossenschaft": one word and an article refer back to the
        # organisation the text named in full ("Heimatverein Herzogenaurach")
        fuller = doc.fuller(name, index, members | ({hit.member} if hit.member else set()))
        if fuller:
            why["programme"], name = f"'{name}' refers back to {fuller}", fuller
    if name:
        why.setdefault("programme", f"named in the sentence: {name}")
    else:
        name, reason = doc.resolve(hit.ref, index, exclude=hit.member, members=members,
                                   count=hit.kind == "member_count")
        why["programme"] = reason
    display = _without_descriptor(without_legal_form(name)) if name else None
    programme = normalise_programme(display) if display else None
    if hit.qualifier:
        why["qualifier"] = hit.qualifier
    return Event(
        kind=hit.kind,  # type: ignore[arg-type]
        programme=programme or None,
        number=hit.number,
        # "mit der Technischen Universität Berlin": the member under its own name, in the nominative
        member=nominative(hit.member) if hit.member else None,
        place=hit.place,
        evidence=sentence,
        rule=hit.frame,
        qualifier=hit.qualifier,
        programme_name=name,
        why=why,
    )


def detect(text: str, title: str | None = None, language: str | None = None) -> list[Event]:
    """Membership events in a document (plain text; see html_to_text for pages).

    ``language`` is the page's declared language as extraction found it ("de", "en"); the
    detector reads German and English, and guesses from the words only when it is not given.
    """
    return _detect(text, title, language, None)


def check_models() -> None:
    """Load every model the detector uses (``scoring``), so that a broken installation is reported
    when a command or the service starts, not at the first text with a number in it."""
    model(count_scorer.WEIGHTS)


def count_candidates(text: str, title: str | None = None, language: str | None = None) -> list[Candidate]:
    """Every number the detector gives the count scorer, unscored: for training it
    (``bench/train_counts.py``)."""
    out: list[_Scored] = []
    _detect(text, title, language, out)
    return [c for c, _, _, _ in out]


# A number the count scorer looks at: (candidate, sentence, its unit in the document, the analysed
# sentence).
_Scored = tuple[Candidate, str, int, Sentence]


def _detect(text: str, title: str | None, language: str | None, collect: list[_Scored] | None) -> list[Event]:
    if not text:
        return []
    doc = Document()
    declared = language if language in ("de", "en") else None
    lang = declared or ""
    # Hits first, events once the whole text is read: whose membership an event is may be
    # named after it ("The Chamber welcomed … The Riverside Chamber of Commerce was founded …").
    found: list[tuple[Hit, str, int]] = []
    scored: list[_Scored] = []

    year: list[int | None] = []  # worked out on first use (a functools.cache per text cost more)

    def doc_year() -> int | None:  # the latest year the text names: "now" for its past tense
        if not year:
            years = [int(y) for y in _YEAR.findall(text[:20_000])]
            year.append(max(years) if years else None)
        return year[0]

    if title:  # a title passed separately comes first; one at the text's top is read below
        found += _read(title, declared or guess_language(text), doc_year, doc.add(title), scored)
    # A new-member event without a name, and its sentence's place: the next sentence may name them
    # ("… three more Affiliates have joined. These include A, B and C.")
    unnamed: tuple[Hit, int] | None = None
    for par in paragraphs(text):
        cues = _cues(par)
        if not cues and unnamed is None:
            doc.add(par)
            continue
        at = 0
        for sentence in split_paragraph(par):
            start = par.find(sentence, at)
            end = start + len(sentence)
            at = end if start >= 0 else at
            if len(sentence) > _MAX_SENTENCE:
                sentence = sentence[:_MAX_SENTENCE]
            index = doc.add(sentence)
            inside = [only for c, only in cues if start <= c < end] if start >= 0 else [False]
            lang = lang or guess_language(text)
            hits: list[tuple[Hit, str, int]] = []
            if inside and _worth_reading(sentence, lang, all(inside)):
                hits = _read(sentence, lang, doc_year, index, scored)
            if unnamed is not None and unnamed[1] == index - 1 and FOLLOW_ON.match(sentence):
                named = {h.member for h, _, _ in hits if h.kind == "new_member"}
                hits += [(h, sentence.strip(), index) for h in follow_on_names(analyse(sentence, lang), unnamed[0])
                         if h.member not in named]
            found += hits
            # ("three more Affiliates have joined": a plural for a name is no name either)
            unnamed = next(((h, index) for h, _, _ in hits if h.kind == "new_member"
                            and (h.member is None or generic(h.member))), None)
    if collect is not None:
        collect.extend(scored)
        return []
    found = _scored(found, scored)
    # A list's lines read as one sentence run together: "Kassel 2. Vellmar Sensorik AG", "- Muster GmbH"
    found = [f for f in found if not (f[0].kind == "new_member" and f[0].member and _RUN_TOGETHER.search(f[0].member))]
    listed = _listed(text, lang, doc)
    if listed:
        # The lines name the new members: what the sentences made of the same lines (read as one
        # paragraph) and their number ("hat neun Unternehmen aufgenommen") say less.
        headers = {sentence for _, sentence, _ in listed}
        found = [(hit, sentence, index) for hit, sentence, index in found
                 if not (hit.kind == "new_member" and (hit.member is None or any(h in sentence for h in headers)))]
        found += listed
    members = frozenset(hit.member for hit, _, _ in found if hit.member)
    events = _spelled_out([_event(hit, sentence, doc, index, members) for hit, sentence, index in found], text)
    # A text about a parliament or the EU whose sentence names no programme: "seiner Mitglieder"
    # are members of parliament, which are never a membership event.
    if any(e.programme is None for e in events):
        events = [e for e in events if e.programme is not None or not doc.not_a_programme]
    return _merge(events)


_RUN_TOGETHER = re.compile(r"^[-–•*·▪]\s|^\d{1,3}[.)]\s|\s\d{1,3}[.)]\s+[A-ZÄÖÜ]")


def _listed(text: str, lang: str, doc: Document) -> list[tuple[Hit, str, int]]:
    """New members listed line by line under a header (``member_lists``); whose members they are is
    read from the header ("Neue Mitglieder im Netzwerk Muster:") or, as for a sentence, from the
    text before it."""
    out = []
    for found in member_lists(text):
        lang = lang or guess_language(text)
        # the header's place among the text's units, for what it refers back to
        index = next((n for n, unit in enumerate(doc.units) if found.header in unit or unit in found.header),
                     len(doc.units) - 1)
        owner = header_owner(found.header, lang)  # read once for all its lines
        for item in found.items:
            hit = listed_member(owner, item.member, item.place)
            if hit is not None:
                hit.roles["member"] = f"{item.member} (the line '{item.line[:120]}' under the header)"
                out.append((hit, found.header, index))
    return out


def _read(sentence: str, lang: str, doc_year: Callable[[], int | None], index: int,
          scored: list[_Scored]) -> list[tuple[Hit, str, int]]:
    sentence = without_dateline(sentence)
    # (the test for number words is made once, here)
    normalised = words_to_digits(sentence, lang, check=False) if has_number_words(sentence, lang) else sentence
    out = []
    s = analyse(normalised, lang)  # one analysis for the frames and the count scorer
    hits = sentence_hits(s, doc_year)
    for hit, past in hits:
        if hit.number is not None and not (0 < hit.number <= _MAX_COUNT):
            continue
        if past:
            continue
        out.append((hit, sentence.strip(), index))
    if _DIGIT.search(normalised):
        scored += [(c, sentence.strip(), index, s) for c in count_scorer.candidates(s, index, hits)]
    return out


def _scored(found: list[tuple[Hit, str, int]], scored: list[_Scored]) -> list[tuple[Hit, str, int]]:
    """The frames' counts that the count scorer keeps, and the counts it finds that they missed.
    A number is known by its place: (sentence unit, token), so that "has 50 members and charges 50
    pounds" keeps the count whatever the pounds score."""
    if not scored:
        return found
    scorer = model(count_scorer.WEIGHTS)
    scores: dict[tuple[int, int], float] = {}
    sentences: dict[int, Sentence] = {}
    for c, _, index, s in scored:
        scores[(index, c.at)] = scorer.score(c)
        sentences[index] = s
    out = []
    for h, sentence, index in found:
        if h.kind == "member_count" and index in sentences:
            score = scores.get((index, index_of(sentences[index], h)))
            if score is not None:
                if score < scorer.keep:
                    continue
                h.roles.setdefault("score", round(score, 2))
        out.append((h, sentence, index))
    taken = {(index, h.number) for h, _, index in out if h.kind == "member_count"}
    for c, sentence, index, s in scored:
        if c.by_frame or c.veto or c.score < scorer.add or (index, c.number) in taken:
            continue
        taken.add((index, c.number))
        word = s.tokens[c.at].text
        programme, ref = clause_owner(s, c.at)
        out.append((Hit("member_count", "count: scored", word, c.number, programme=programme, ref=ref,
                        roles={"count": word, "score": round(c.score, 2)}), sentence, index))
    return out


def _related(a: str | None, b: str | None) -> bool:
    """Same name, or one the start of the other ("Allianz Industrie 4.0 [Baden-Württemberg]")."""
    if a is None or b is None:
        return a == b
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def _fuller(old: Event, new: Event) -> Event:
    """Keep one record per milestone, with the longest names and the sentence naming the member."""
    programme, programme_name = old.programme, old.programme_name
    if old.programme and new.programme and len(new.programme) > len(old.programme):
        programme, programme_name = new.programme, new.programme_name
    member = old.member
    if new.member and (not old.member or len(new.member) > len(old.member)):
        member = new.member
    better = new if (new.member and (not old.member or len(new.member) > len(old.member))) else old
    return replace(old, programme=programme, programme_name=programme_name, member=member,
                   place=better.place or old.place or new.place, evidence=better.evidence, why=better.why)


def _same_member(a: str, b: str) -> bool:
    """One newcomer under two spellings ("Beispiel GmbH" and "Beispiel GmbH & Co. KG", "Weber"
    and "Weber Sensorik GmbH"); "University of Lakemont" and "University of North Fenwick" are two."""
    x, y = without_legal_form(a).lower(), without_legal_form(b).lower()
    return x == y or x.startswith(y + " ") or y.startswith(x + " ")


def _words(name: str | None, hyphens: bool = False) -> set[str]:
    return set((name or "").replace("-", " " if hyphens else "-").split())


def _headline(e: Event) -> bool:
    return not e.evidence.rstrip("“”\"' ").endswith((".", "!", "?"))


def _same(a: Event, b: Event) -> bool:
    if a.kind == b.kind == "member_ordinal" and a.number == b.number and a.programme and b.programme:
        # "NABU NRW … das 100.000ste Mitglied" beside "… als 100.000stes Mitglied" (programme "NRW"), and a
        # headline "VdK Kreisverband begrüßt 19000. Mitglied" above "… des VdK-Kreisverbands Ingolstadt-
        # Eichstätt": one milestone (but "Sportverein Lindau" and "Sportverein Lindau-Reutin" are two clubs)
        hyphens = _headline(a) or _headline(b)
        x, y = _words(a.programme, hyphens), _words(b.programme, hyphens)
        if x <= y or y <= x:
            return True
    if a.kind != b.kind or not _related(a.programme, b.programme):
        return False
    if a.kind == "new_member":
        if a.member and b.member:
            return _same_member(a.member, b.member)
        return a.number == b.number
    return a.number == b.number


# "the Global Network Initiative (GNI)": a name and the acronym the text gives it.
_ACRONYM = re.compile(r"((?:[A-ZÄÖÜ][\w&.-]*\s+){1,7}?(?:(?:of|for|für|der|des|and|und|the)\s+)?"
                      r"(?:[A-ZÄÖÜ][\w&.-]*\s+){0,4}[A-ZÄÖÜ][\w&.-]*)\s+\(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9&-]{1,11})\)")


def _spelled_out(events: list[Event], text: str) -> list[Event]:
    """One programme under one name: an event that names it by the acronym the text defines
    ("GNI") gets the full name, so the headline's and the body's report are one event."""
    # Only a programme written like an acronym, and only when the text puts it in brackets.
    short_names = {e.programme_name for e in events if e.programme_name and " " not in e.programme_name
                   and e.programme_name.upper() == e.programme_name and len(e.programme_name) <= 12}
    spots = [i for name in short_names if (i := text.find(f"({name})", 0, 20_000)) >= 0]
    if not spots:
        return events
    names: dict[str, str] = {}
    for m in (m for i in spots for m in _ACRONYM.finditer(text[max(0, i - 200):i + 20])):
        long, short = m.group(1).strip(), m.group(2)
        initials = "".join(w[0] for w in long.split() if w[:1].isupper()).upper()
        if short.upper() in initials or initials.startswith(short.upper()[:2]):
            names.setdefault(short.lower(), long)
    if not names:
        return events
    out = []
    for e in events:
        long = names.get(e.programme or "")
        if long is not None:
            e = replace(e, programme=normalise_programme(_without_descriptor(without_legal_form(long))),
                        programme_name=long)
        out.append(e)
    return out


def _single_joiner(events: list[Event]) -> bool:
    """One named newcomer in the text: the ordinal without a name is most likely about it."""
    return len({e.member for e in events if e.kind == "new_member" and e.member}) <= 1


def _named_in_sentence(e: Event) -> bool:
    """A count whose sentence names whose it is stands on its own; one given to an organisation
    by reference may be a part of it or its past."""
    return str((e.why or {}).get("programme", "")).startswith("named in the sentence")


def _counts_members(e: Event) -> bool:
    """Does the count's own word name members ("Mitgliedsregionen", "member companies")?"""
    trigger = str((e.why or {}).get("trigger") or "").lower()
    return "mitglied" in trigger or "member" in trigger


def _counts_other(e: Event) -> bool:
    """Does the count's own word name something else than members ("1.000 Einrichtungen")? (A count
    the scorer found, "beträgt insgesamt 1.546", has its number for a word.)"""
    trigger = str((e.why or {}).get("trigger") or "")
    return trigger.isalpha() and not _counts_members(e)


def _merge(events: list[Event]) -> list[Event]:
    """One event per milestone in a document (a headline and the body saying the same thing are
    one); the fullest record of it wins."""
    out: list[Event] = []
    for ev in events:
        for i, old in enumerate(out):
            if _same(old, ev):
                out[i] = _fuller(old, ev)
                break
        else:
            out.append(ev)
    ordinals = [e for e in out if e.kind == "member_ordinal"]
    named = [e for e in out if e.kind == "new_member" and e.member]
    if len(ordinals) == 1 and ordinals[0].member is None and len({e.member for e in named}) == 1 \
            and _headline(ordinals[0]) \
            and (_related(named[0].programme, ordinals[0].programme) or named[0].programme is None):
        # A headline "BVB begrüßt das 200.000. Vereinsmitglied" above "X wurde als BVB-Mitglied
        # begrüßt": the one newcomer the text names is the ordinal's member
        o, joiner = ordinals[0], named[0]
        filled = replace(o, member=joiner.member, place=o.place or joiner.place,
                         why={**(o.why or {}), "member": f"the one newcomer the text names: {joiner.evidence}"})
        out = [filled if e is o else e for e in out]
        ordinals = [filled]
    out = [e for e in out if not (
        # "fünf neue Mitglieder aufgenommen … Neu dabei sind A, B, C, D und E": the names tell it.
        # Also when only some are named ("65 Firmen beigetreten, darunter A und B"): the named
        # newcomers are the news an analyst follows, the unnamed rest is no milestone of its own.
        e.kind == "new_member" and not e.member and e.number is not None
        and any(_related(n.programme, e.programme) or n.programme is None for n in named))]
    # In one sentence, members beat what they bring: "umfasst das NDGR 22 Mitgliedsregionen mit weit über
    # 1.000 Einrichtungen" counts 22 members (a count of another noun beside a count of members goes)
    counted = [e for e in out if e.kind == "member_count" and e.programme is not None]
    out = [e for e in out if not (
        e.kind == "member_count" and e.programme is not None and _counts_other(e)
        and any(o is not e and o.evidence == e.evidence and o.programme == e.programme and _counts_members(o)
                for o in counted))]
    # One count per organisation and text: the largest is its total now ("davon 173 ordentliche
    # Mitglieder", "waren es 2015 noch 229" are parts and the past).
    largest: dict[str | None, int] = {}
    for ev in out:
        if ev.kind == "member_count" and ev.number is not None and ev.programme is not None:
            largest[ev.programme] = max(largest.get(ev.programme, 0), ev.number)
    out = [e for e in out if not (e.kind == "member_count" and e.programme is not None and e.number is not None
                                  and e.number < largest[e.programme] and not _named_in_sentence(e))]
    kept: list[Event] = []
    for ev in out:
        same_mark = next((o for o in ordinals if ev.kind == "member_count" and o.number == ev.number
                          and _related(o.programme, ev.programme)), None)
        if same_mark is not None and same_mark.programme != ev.programme:
            # "100 Mitglieder sind erreicht" beside "als 100. Mitglied": the text states both, and
            # both are kept; under one name, so that the milestone (programme and threshold, see
            # ``monitor.events``) is one alert
            ev = replace(ev, programme=same_mark.programme, programme_name=same_mark.programme_name,
                         why={**(ev.why or {}), "programme": f"as the ordinal {same_mark.number} beside it: "
                              f"{same_mark.programme_name}"})
        if ev.kind == "new_member" and any(
            # The ordinal's own member, or an unnamed admission beside it; other named newcomers stay.
            _related(o.programme, ev.programme)
            and (ev.member is None and ev.number is None
                 or ev.member is not None and (o.member is None and len(ordinals) == 1 and _single_joiner(out)
                                               or o.member is not None
                                               and o.member.split()[0] == ev.member.split()[0]))
            for o in ordinals
        ):
            continue  # the ordinal already reports the admission
        kept.append(ev)
    return kept
