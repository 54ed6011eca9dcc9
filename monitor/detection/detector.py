"""Text in, membership events out: sentence by sentence, with document context for the
programme when a sentence only says "das Programm" or "das Cluster"."""

from __future__ import annotations

import re
from dataclasses import replace

from .entities import find_member
from .model import Event
from .numbers import (
    NumberFormatError,
    guess_language,
    has_number_words,
    parse_number,
    words_to_digits,
)
from .programmes import (
    NOT_PROGRAMMES,
    Mention,
    find_mentions,
    is_programme_like,
    may_name_programme,
    normalise_programme,
)
from .rules import (
    ENUMERATION_AFTER,
    GROWTH_BEFORE,
    HISTORY_AFTER,
    HISTORY_IN,
    NOT_MEMBERSHIP_PREFIX,
    POSSESSIVE_BEFORE,
    QUALIFIER_BEFORE,
    SHARE_BEFORE,
    Rule,
    anchors_present,
    applicable,
    applicable_within,
    canonical_qualifier,
    core_present,
    select,
)
from .sentences import paragraphs, split_paragraph

# Keywords for cutting pathological sentences into windows (see _windows).
_KEYWORDS = re.compile(
    "mitglied|member|beitr|beigetreten|aufgenommen|cluster|join|tritt|trat|admitted", re.I
)
# Real sentences are short; a pathological "sentence" (1 MB without a full stop) is cut into
# windows around the keywords so no rule ever scans more than a few hundred characters.
_MAX_SENTENCE = 1200
_WINDOW = 300
_DIGIT = re.compile(r"\d")

_MAX_COUNT = 1_000_000
_LOOK_BACK = 200
# "… Mitglied des Deutschen Bundestages", "… member of the European Parliament".
_ATTACHED_NOT_PROGRAMME = re.compile(
    r"\s*(?:(?:des|der|dem|im|in der|in the|of the|of)\s+)?"
    r"(?:(?:\w+ischen|\w+ische|Deutschen|European|German)\s+)?" + NOT_PROGRAMMES.pattern,
    re.IGNORECASE,
)


_BATCH = re.compile(
    r"\b(?:weitere|neue)\s+(?:Innovationscluster|Cluster|Netzwerke|Mitglieder|Unternehmen|"
    r"Organisationen|Einrichtungen)\b"
)
_AUXILIARY = re.compile(r"\b(?:hat|haben)\s", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.,;:!?]")
# The last word of a perfect-tense clause: "entwickelt", "gebracht", "vorgestellt", "realisiert".
_PARTICIPLE_END = re.compile(r"\b(?:\w*ge\w+(?:t|en)|\w+iert|(?:be|ent|er|ver|zer)\w+t)\s*$")


def _windows(sentence: str) -> list[str]:
    if len(sentence) <= _MAX_SENTENCE:
        return [sentence]
    out: list[str] = []
    last_end = -1
    for m in _KEYWORDS.finditer(sentence):
        if m.start() < last_end:
            continue
        start = max(0, m.start() - _WINDOW)
        last_end = m.end() + _WINDOW
        out.append(sentence[start:last_end])
        if len(out) >= 50:
            break
    return out


class _LazyMentions:
    """Programme mentions of a sentence, searched for only when someone asks."""

    __slots__ = ("_sentence", "_found", "own")

    def __init__(self, sentence: str) -> None:
        self._sentence = sentence
        self._found: list[Mention] | None = None
        self.own: str | None = None  # the member the sentence announces, not a programme

    def get(self) -> list[Mention]:
        if self._found is None:
            self._found = find_mentions(self._sentence)
        return self._found


class _Context:
    """What the document has named so far, for sentences that only refer back.

    Earlier sentences are searched lazily, newest first, and only when a sentence needs them:
    most documents have no event at all, and the programme search is the costly part.
    """

    def __init__(self, title_programme: str | None) -> None:
        self.title_programme = title_programme
        self.history: list[_LazyMentions] = []

    def _recent(self) -> list[_LazyMentions]:
        # A reference reaches back a few paragraphs, not through a whole pathological file.
        return self.history[-_LOOK_BACK:][::-1]

    def programme(self) -> str | None:
        for earlier in self._recent():
            for mention in reversed(earlier.get()):
                if mention.name and mention.name != earlier.own and is_programme_like(
                    mention.name
                ):
                    return mention.name
        return self.title_programme

    def resolve(self, reference: Mention | None) -> str | None:
        """The name "das Netzwerk" or "das Cluster" refers to: the latest name with that head
        word, member or programme; anything else refers to the programme."""
        if reference is not None and reference.generic_kind == "organisation" and reference.head:
            head = reference.head
            for earlier in self._recent():
                names = [m.name for m in reversed(earlier.get()) if m.name]
                if earlier.own:
                    names.insert(0, earlier.own)
                for name in names:
                    if head in name and is_programme_like(name):
                        return name
        if reference is not None and reference.generic_kind == "programme":
            # "dem Programm" is the document's programme: the title's, else the latest name
            # introduced as a programme; an initiative it replaced is not what it refers to.
            if self.title_programme:
                return self.title_programme
            for earlier in self._recent():
                for mention in reversed(earlier.get()):
                    if mention.name and mention.head == "programm":
                        return mention.name
        return self.programme()


def _title_programme(title: str | None) -> str | None:
    if not title:
        return None
    for mention in find_mentions(title):
        if mention.name and is_programme_like(mention.name):
            return mention.name
    return None


def _programme_for(
    match: re.Match[str],
    mentions: list[Mention],
    member_span: tuple[int, int] | None,
    ctx: _Context,
) -> tuple[str | None, bool]:
    """(programme, rejected): rejected when the membership is a parliament's, the EU's, …"""
    pp = match.groupdict().get("pp")
    if pp:
        if NOT_MEMBERSHIP_PREFIX.fullmatch(pp.strip("„“‚‘\"’”")) or not is_programme_like(pp):
            return None, True
        return normalise_programme(pp), False
    if member_span:
        # The joining organisation is not the programme it joins.
        mentions = [m for m in mentions if not member_span[0] <= m.start < member_span[1]]
    named = [m for m in mentions if m.name]
    if named:
        # The one nearest after the membership phrase names whose membership it is
        # ("… als 100. Mitglied in das Programm X"); otherwise the nearest before it.
        after = [m for m in named if m.start >= match.start()]
        pick = after[0] if after else named[-1]
        assert pick.name is not None
        if not is_programme_like(pick.name):
            return None, True
        return pick.name, False
    # The counted noun itself ("nutzen 101 Cluster") is not a reference to the owner.
    n_at = match.start("n") if "n" in match.re.groupindex and match.group("n") else match.end()
    generic = [m for m in mentions if m.generic_kind and not n_at <= m.start < match.end()]
    return ctx.resolve(generic[0] if generic else None), False


def _number(match: re.Match[str]) -> int | None:
    raw = match.groupdict().get("ord") or match.groupdict().get("n")
    if raw is None:
        return None
    try:
        return parse_number(raw)
    except NumberFormatError:
        return None


def _is_trap(rule: Rule, sentence: str, match: re.Match[str]) -> bool:
    n_start = match.start("n") if "n" in match.re.groupindex and match.group("n") else None
    before = sentence[max(0, match.start() - 30) : match.start()]
    after = sentence[match.end() : match.end() + 80]
    if rule.kind == "member_count":
        if NOT_PROGRAMMES.search(sentence[: match.end() + 60]):
            return True
        inner_before = sentence[match.start() : n_start] if n_start is not None else ""
        if GROWTH_BEFORE.search(before) or GROWTH_BEFORE.search(inner_before):
            return True
        if HISTORY_IN.search(match.group(0)) or HISTORY_AFTER.search(after):
            return True
        if rule.name == "count_total_de" and ENUMERATION_AFTER.search(after):
            return True
        if rule.name.startswith("count_verb") and _AUXILIARY.search(match.group(0)):
            # "Das haben sieben Mitgliedsunternehmen des Netzwerks entwickelt": "haben" is the
            # auxiliary of a perfect tense, the number counts the doers, not the members.
            clause = _CLAUSE_END.split(sentence[match.end() :], 1)[0]
            if _PARTICIPLE_END.search(clause):
                return True
        return False
    if rule.kind == "member_ordinal":
        # Only what the ordinal belongs to counts ("das 20. Mitglied des Bundestages"): a board
        # congratulating elsewhere in the sentence does not make it a board membership.
        return bool(_ATTACHED_NOT_PROGRAMME.match(after) or SHARE_BEFORE.search(before))
    return NOT_PROGRAMMES.search(sentence[match.start() : match.end() + 50]) is not None


def _sentence_events(
    sentence: str, rules: list[Rule], evidence: str, mentions: _LazyMentions, ctx: _Context
) -> list[Event]:
    events: list[Event] = []
    has_digit = _DIGIT.search(sentence) is not None
    joiner: tuple[str | None, str | None, tuple[int, int] | None] | None = None
    has_ordinal = False
    seen_spans: list[tuple[int, int]] = []
    for rule in rules:
        if rule.kind == "new_member" and (has_ordinal or events):
            # The ordinal or count in the same sentence already reports the admission.
            break
        if rule.kind != "new_member" and not has_digit:
            continue
        for match in rule.pattern.finditer(sentence):
            if rule.kind != "new_member" and any(s <= match.start() < e for s, e in seen_spans):
                continue
            number = _number(match)
            if rule.kind != "new_member" and (number is None or not 0 < number < _MAX_COUNT):
                continue
            if rule.kind == "member_count" and number is not None and number < 2:
                continue
            if _is_trap(rule, sentence, match):
                continue
            is_joiner = rule.kind != "member_count"
            if is_joiner and joiner is None:
                joiner = find_member(sentence)
            member, place, span = joiner if is_joiner and joiner else (None, None, None)
            if rule.kind == "new_member" and member is None and _BATCH.search(sentence):
                # "vier weitere Cluster wurden aufgenommen": a batch without names is no
                # member to report; the release's count carries the news.
                break
            if (
                rule.kind == "member_ordinal"
                and span is not None
                and span[0] < match.start()
                and POSSESSIVE_BEFORE.search(sentence[max(0, match.start() - 20) : match.start()])
            ):
                # "Das Netzwerk X feiert sein 150. Mitglied": the name before is the programme;
                # a joiner named after it ("…: Am … wurde Y aufgenommen") still is the member.
                member, place, span = None, None, None
            programme, rejected = _programme_for(match, mentions.get(), span, ctx)
            if rejected:
                continue
            seen_spans.append(match.span())
            qualifier = match.groupdict().get("q")
            if qualifier is None and rule.kind == "member_count" and match.group("n"):
                q = QUALIFIER_BEFORE.search(sentence, max(0, match.start("n") - 20), match.start("n"))
                qualifier = q.group(0).strip() if q else None
            events.append(
                Event(
                    kind=rule.kind,
                    programme=programme,
                    number=number if rule.kind != "new_member" else None,
                    member=member,
                    place=place,
                    evidence=evidence,
                    rule=rule.name,
                    qualifier=canonical_qualifier(qualifier) if qualifier else None,
                )
            )
            if rule.kind == "member_ordinal":
                has_ordinal = True
            if rule.kind == "new_member":
                break
    return events


def _related(a: str | None, b: str | None) -> bool:
    """Same name, or one the start of the other ("Allianz Industrie 4.0 [Baden-Württemberg]")."""
    if a is None or b is None:
        return a == b
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def _fuller(old: Event, new: Event) -> Event:
    """Keep one record per milestone, with the longest names and the sentence naming the member."""
    programme = old.programme
    if old.programme and new.programme and len(new.programme) > len(old.programme):
        programme = new.programme
    member = old.member
    if new.member and (not old.member or len(new.member) > len(old.member)):
        member = new.member
    evidence = new.evidence if (new.member and not old.member) else old.evidence
    return replace(
        old, programme=programme, member=member, place=old.place or new.place, evidence=evidence
    )


def _same(a: Event, b: Event) -> bool:
    if a.kind != b.kind or not _related(a.programme, b.programme):
        return False
    if a.kind == "new_member":
        if a.member and b.member:
            return a.member.split()[0] == b.member.split()[0]
        return True
    return a.number == b.number


def _merge(events: list[Event]) -> list[Event]:
    """One event per milestone in a document; the fullest record of it wins."""
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
        if ev.kind == "new_member" and any(_related(o.programme, ev.programme) for o in ordinals):
            continue  # the ordinal already reports the admission
        kept.append(ev)
    return kept


def detect(text: str, title: str | None = None) -> list[Event]:
    """Membership events in a document (plain text; see html_to_text for pages)."""
    if not text:
        return []
    lang: str | None = None
    ctx = _Context(_title_programme(title))
    events: list[Event] = []
    for par in paragraphs(text):
        low = par.lower()
        core = core_present(low)
        # A sentence's anchor words are a subset of its paragraph's: when no rule can fire on
        # the whole paragraph, none fires on a sentence of it, so it is neither split nor read;
        # otherwise sentences only re-test the few words the paragraph holds.
        present = anchors_present(low, core) if core else frozenset()
        if not core or not select(core, present):
            # No event here, but "das Netzwerk" further down may refer to a name in it.
            if may_name_programme(par, low):
                ctx.history.extend(
                    _LazyMentions(par[i : i + _MAX_SENTENCE])
                    for i in range(0, len(par), _MAX_SENTENCE)
                )
            continue
        for sentence in split_paragraph(par):
            for window in _windows(sentence):
                wlow = window.lower()
                # Cheap substring anchors first; the number-word test (text2num) only for
                # sentences on which some rule can fire at all.
                _, rules = applicable_within(wlow, core, present)
                spelled = False
                if rules:
                    lang = lang or guess_language(text)
                    spelled = has_number_words(window, lang)
                    if not spelled and _DIGIT.search(window) is None:
                        rules = [rule for rule in rules if rule.kind == "new_member"]
                if not rules:
                    if may_name_programme(window, wlow):
                        ctx.history.append(_LazyMentions(window))
                    continue
                normalised = window
                if spelled and lang and any(rule.kind != "new_member" for rule in rules):
                    # Only ordinal and count rules read numbers, so only they pay for this.
                    normalised = words_to_digits(window, lang, check=False)
                    if normalised != window:  # anchors may differ once words became digits
                        nlow = normalised.lower()
                        rules = applicable(nlow, core_present(nlow))
                mentions = _LazyMentions(normalised)
                found = _sentence_events(normalised, rules, window.strip(), mentions, ctx)
                events.extend(found)
                member = next((e.member for e in found if e.member), None)
                if member:
                    mentions.own = normalise_programme(member)
                ctx.history.append(mentions)
    return _merge(events)
