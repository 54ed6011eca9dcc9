"""A learned score for member counts: is this number in this sentence how many members someone has?

The count frames (``frames.count_frames``) were written phrasing by phrasing, and on real pages
nobody here had read they found about half of the counts a person finds. Every number in a sentence
with a membership cue is therefore also a *candidate*, described by the words around it, the
sentence's verbs and what the frames made of it (fired, fired for the past, fired for something
else); a logistic model trained on labelled real pages (``bench/train_counts.py``, the labels in
``bench/realworld/labels.jsonl``) gives it a probability. A frame's count whose candidate scores
low is dropped, and a candidate the frames rejected but that scores high becomes a count.

The weights are in ``count_weights.json`` (see ``scoring``).
"""

from __future__ import annotations

from .frames import CALL_TO_JOIN, CLAUSE_TESTS, NUMBER_MARKS, Hit, Sentence, index_of
from .lowercase import LowerCased, lowered
from .scoring import Candidate
from .tokens import Token, is_ordinal

WEIGHTS = "count_weights.json"

# Words that qualify a count or date it to now ("rund", "über", "aktuell", "more than", "now").
_QUANTIFIERS = frozenset(
    "über rund etwa ca ca. circa knapp fast nahezu beinahe mehr gut insgesamt bereits schon inzwischen "
    "mittlerweile aktuell derzeit heute nun jetzt zurzeit mindestens weit than over about around some "
    "nearly almost approximately currently now today already total".split()
)


_NUMERIC = frozenset(("num", "numword", "dec", "ord"))
_CLAUSE_MARKS = frozenset(",;:–(")
_CLAUSE_ENDS = frozenset(",;:–)")


def _shape(tok: Token) -> str:
    if tok.kind in _NUMERIC:
        return "<num>"
    low = tok.low
    if "mitglied" in low or "member" in low:
        return "<member>" if len(low) <= 10 else "<member-compound>"
    return low


def _yearlike(tok: Token) -> bool:
    return tok.kind == "num" and len(tok.text) == 4 and tok.text.isdigit() and 1900 <= (tok.value or 0) <= 2100


_SUBJECT_DETERMINERS = frozenset("die unsere seine ihre alle diese the our its their all these".split())


def _members_as_subject(toks: list[Token], k: int, start: int) -> bool:
    """The member noun at ``k`` opens its clause as the subject ("Die Mitglieder bilden 600 junge
    Menschen aus", "Unsere Mitgliedsunternehmen beschäftigen 9.000 Menschen"), not as an owner
    after another noun ("Der Kreis der Mitglieder umfasst 39 Unternehmen")."""
    if k == start:
        return True
    return k - 1 >= start and k - 1 <= start + 1 and toks[k - 1].low in _SUBJECT_DETERMINERS


def _magnitude(value: int) -> str:
    for bound, name in ((10, "1"), (100, "2"), (1000, "3"), (10_000, "4"), (100_000, "5")):
        if value < bound:
            return name
    return "6"


def _features(s: Sentence, i: int, index: int, hits: list[tuple[Hit, bool]], own: tuple[Hit, bool] | None,
              shapes: list[str], members: list[bool]) -> list[str]:
    """``own``: the frame's count at this very number, and whether it told of the past; ``shapes``
    and ``members`` (is it a member noun) per token of the sentence."""
    toks = s.tokens
    n = len(toks)
    tok = toks[i]
    value = tok.value or 0
    out = [f"lang={s.lang}", f"mag={_magnitude(value)}", f"kind={tok.kind}"]
    append = out.append
    if _yearlike(tok):
        append("yearlike")
    if tok.dot:
        append("dot")
    if index == 0:
        append("first-unit")
    elif index < 4:
        append("early-unit")
    for off in (-3, -2, -1, 1, 2, 3):
        j = i + off
        append(f"w{off}={shapes[j] if 0 <= j < n else '<edge>'}")
    if i > 0 and toks[i - 1].low in _QUANTIFIERS:
        append("quantified")
    after = next((d for d in range(1, 6) if i + d < n and members[i + d]), 0)
    before = next((d for d in range(1, 9) if i - d >= 0 and members[i - d]), 0)
    append(f"member-after={after}")
    append(f"member-before={min(before, 4)}")
    if not after and not before:
        append("member-far" if any(members) else "member-none")
    # the counted noun: the first capitalised word (German) or word (English) after the number
    noun = next((t for t in toks[i + 1:i + 5] if t.kind == "word" and (t.cap or s.lang == "en")
                 and t.low not in _QUANTIFIERS), None)
    if noun is not None:
        append(f"noun-end={noun.low[-5:]}")
        append(f"noun={noun.low}")
    append(f"around={shapes[i - 1] if i > 0 else '<edge>'}|{shapes[i + 1] if i + 1 < n else '<edge>'}")
    if i > 0 and toks[i - 1].text == "(":
        append("in-brackets")
    if not s.text.rstrip().endswith((".", "!", "?", ":", "“", "\"", "”")):
        append("no-full-stop")
    # the clause's own words and verbs (between the punctuation marks around the number)
    start = next((k + 1 for k in range(i - 1, -1, -1) if toks[k].kind == "punct" and toks[k].text in _CLAUSE_MARKS),
                 0)
    end = next((k for k in range(i + 1, n) if toks[k].kind == "punct" and toks[k].text in _CLAUSE_ENDS), n)
    # (the sentence's other verbs and the clause's words as features of their own added nothing in
    # cross-validation, beside the words around the number)
    for k, lemma in s.verbs:
        if start <= k < end:
            append(f"clause-verb={lemma}")
    # What the frames test a clause for, as evidence the model weighs rather than a veto: a
    # meeting's attendance, the past and history, "now", a wish (CLAUSE_TESTS).
    stop = toks[end].start if end < n else len(s.text)
    clause = s.text[toks[start].start:stop] if start < n else s.text
    low = lowered(clause)
    for name, pattern in CLAUSE_TESTS.items():
        if pattern.found_in(clause, low) if isinstance(pattern, LowerCased) else pattern.search(clause):
            append("clause-" + name)
    if not any(members[start:end]):
        append("clause-without-member")
    if before and not after and before < i - start + 1:
        append("members-before-in-clause")  # "Die Mitglieder vertreten 10.000 Unternehmen": theirs
        if _members_as_subject(toks, i - before, start):
            append("members-subject")
    for j in range(max(0, i - 8), min(n, i + 9)):
        t = toks[j]
        if j != i and t.kind == "word":
            append(("L=" if j < i else "R=") + t.low[:6])
    numbers = sum(t.kind in ("num", "numword", "dec") for t in toks)
    append(f"numbers={min(numbers, 5)}")
    if n > 60:
        append("long")
    if own is not None:
        append(f"rule=member_count{'-past' if own[1] else ''}")
        append(f"frame={own[0].frame}")
    # (a count the frames read at another place of the sentence: "has 50 members and charges 50 pounds")
    related = [(h, past) for h, past in hits if h.number == value and (h.kind != "member_count" or own is None)]
    for h, past in related:
        append(f"rule={h.kind}{'-past' if past else ''}" if h.kind != "member_count" else "rule=same-number")
    if own is None and not related:
        append("rule-none" if not hits else "rule-other")
    return out


def candidates(s: Sentence, index: int, hits: list[tuple[Hit, bool]]) -> list[Candidate]:
    """Every cardinal number in the sentence that could be a count of members."""
    out: list[Candidate] = []
    numbers = [k for k, t in enumerate(s.tokens) if t.kind in ("num", "numword") and t.value is not None]
    if not numbers:
        return out
    # the number each of the frames' counts stands on (of two equal numbers, the one by its trigger)
    own = {index_of(s, h): (h, past) for h, past in hits if h.kind == "member_count"}
    call = CALL_TO_JOIN.found(s.text)
    shapes: list[str] = []
    members: list[bool] = []
    for k in numbers:
        t = s.tokens[k]
        value = t.value or 0
        if not 2 <= value <= 10_000_000 or is_ordinal(s.tokens, k) \
                or k > 0 and s.tokens[k - 1].low in NUMBER_MARKS:
            continue  # ("Mitglied Nummer 333", "member #500": which member, not how many)
        if not shapes:
            shapes = [_shape(t) for t in s.tokens]
            members = [shape.startswith("<member") for shape in shapes]
        frame = own.get(k)
        features = _features(s, k, index, hits, frame, shapes, members)
        # Never added, however it scores: the frames' past; a call to join; what members count as
        # the subject ("Unsere Mitglieder bilden 600 junge Menschen aus": 8 of 92 such numbers the
        # frames did not count were counts of members on the labelled pages)
        veto = "the frames read it as the past" if frame is not None and frame[1] else \
            "a call to join" if call else \
            "the members are the subject: the number is theirs" if "members-subject" in features else None
        out.append(Candidate(k, features, frame is not None and not frame[1], veto, number=value))
    return out
