"""Text in, membership events out: the frame reader (the successor of ``detector``, measured
against real pages with ``bench/score_detection.py --detector frames``; not yet the default, see
CHANGELOG).

1. Paragraphs and sentences (``sentences``); a sentence without a membership cue is only read
   for the organisations it names (``document``), so that a later "der Verein" can be resolved.
2. A cue sentence has its number words turned into digits (text2num), is tokenised
   (``tokens``), its names found (``names``) and its trigger verbs lemmatised (``lexicon``,
   HanTa), then read by the membership frames (``frames``).
3. Whose membership an event is comes from the sentence, else from what it refers back to, else
   from the text's topic (``document``); an event whose text never says stays ``programme:
   None`` with the reason in ``why``.
4. One event per milestone in a document (``_merge``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .document import Document, names_in, without_legal_form
from .frames import Hit, _generic, sentence_hits
from .model import Event
from .numbers import guess_language, has_number_words, words_to_digits
from .programmes import normalise_programme
from .sentences import paragraphs, split_paragraph

_CUE = re.compile(
    r"mitglied|member|beitr|beigetr|aufgenomm|aufnehm|aufnahme|join|admit|welcom|begrüß|angehör|"
    r"gehör|zählt|zählen|vereint|vereinen|umfass|bündel|verbind|vertrit|vertret|repräsent|unite|"
    r"compris|represent|brings together|tritt|trat|treten|nahm|nimm|nehm",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MAX_SENTENCE = 1200
_MAX_COUNT = 10_000_000


def _title_of(text: str, title: str | None) -> str | None:
    if title:
        return title
    first = text.lstrip().split("\n", 1)[0].strip()
    if 0 < len(first) <= 160 and not first.endswith((".", ":")):
        return first
    return None


def _event(hit: Hit, sentence: str, doc: Document, index: int) -> Event:
    name = hit.programme
    if name and _generic(name):  # "Verein", "Organisation": a reference, not a name
        hit.ref, name = name.lower(), None
    why: dict[str, Any] = {"frame": hit.frame, "trigger": hit.trigger, "roles": dict(hit.roles),
                           "sentence": sentence}
    if name:
        why["programme"] = f"named in the sentence: {name}"
    else:
        name, reason = doc.resolve(hit.ref, index, exclude=hit.member)
        why["programme"] = reason
    display = without_legal_form(name) if name else None
    programme = normalise_programme(display) if display else None
    if hit.qualifier:
        why["qualifier"] = hit.qualifier
    return Event(
        kind=hit.kind,  # type: ignore[arg-type]
        programme=programme or None,
        number=hit.number,
        member=hit.member,
        place=hit.place,
        evidence=sentence,
        rule=hit.frame,
        qualifier=hit.qualifier,
        programme_name=name,
        why=why,
    )


def read(text: str, title: str | None = None) -> list[Event]:
    """Membership events in a document (plain text; see html_to_text for pages)."""
    if not text:
        return []
    doc = Document()
    head = _title_of(text, title)
    lang = guess_language(text)
    years = [int(y) for y in _YEAR.findall(text[:20_000])]
    doc_year = max(years) if years else None
    events: list[Event] = []
    index = 0
    if title:  # a title passed separately is sentence 0; one at the text's top is read below
        for name in names_in(title):
            doc.note(name, 0)
        events += _read(title, lang, doc_year, doc, 0)
        index = 1
    for par in paragraphs(text):
        cue = _CUE.search(par) is not None
        for sentence in split_paragraph(par):
            if len(sentence) > _MAX_SENTENCE:
                sentence = sentence[:_MAX_SENTENCE]
            names = names_in(sentence) if (index < 3 or cue or head is None) else []
            if cue and _CUE.search(sentence):
                found = _read(sentence, lang, doc_year, doc, index, names)
                events += found
            for name in names:
                doc.note(name, index)
            index += 1
    return _merge(events)


def _read(sentence: str, lang: str, doc_year: int | None, doc: Document, index: int,
          names: list[str] | None = None) -> list[Event]:
    normalised = words_to_digits(sentence, lang, check=True) if has_number_words(sentence, lang) else sentence
    # Names of this sentence that come before the trigger count as mentions already.
    for name in names or []:
        doc.note(name, index)
    _, hits, past = sentence_hits(normalised, lang, doc_year)
    out = []
    for hit in hits:
        if hit.number is not None and not (0 < hit.number <= _MAX_COUNT):
            continue
        if past and hit.kind in ("member_ordinal", "new_member"):
            continue
        if past and hit.kind == "member_count":
            continue
        out.append(_event(hit, sentence.strip(), doc, index))
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
    better = new if (new.member and not old.member) else old
    return replace(old, programme=programme, programme_name=programme_name, member=member,
                   place=old.place or new.place, evidence=better.evidence, why=better.why)


def _same(a: Event, b: Event) -> bool:
    if a.kind != b.kind or not _related(a.programme, b.programme):
        return False
    if a.kind == "new_member":
        if a.member and b.member:
            return a.member.split()[0].lower() == b.member.split()[0].lower()
        return a.number == b.number
    return a.number == b.number


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
    kept: list[Event] = []
    for ev in out:
        if ev.kind == "member_count" and any(
            o.number == ev.number and _related(o.programme, ev.programme) for o in ordinals
        ):
            continue  # "100 Mitglieder sind erreicht" beside "als 100. Mitglied": one milestone
        if ev.kind == "new_member" and any(
            _related(o.programme, ev.programme) and (not ev.member or not o.member or
                                                     o.member.split()[0] == ev.member.split()[0])
            for o in ordinals
        ):
            continue  # the ordinal already reports the admission
        kept.append(ev)
    return kept
