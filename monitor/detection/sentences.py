"""Sentence splitting for press-release German and English.

A generic splitter breaks "e. V.", "Nr. 701", "Co. KG" and, worst of all, the ordinal in
"als 100.\\nMitglied", which is the very sentence the detector needs whole. So a full stop
only ends a sentence when what follows looks like the start of a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Link notes of aggregators ("<http://…>", "[1] http://…") carry dots that confuse splitting.
_LINK_NOTE = re.compile(r"<(?:https?://|www\.)[^<>\s]{0,2000}>|\[\d{1,3}\][ \t]?https?://\S{0,2000}")
# A note on a line of its own must not leave a blank line (a paragraph break) behind.
_NOTE_MARK = "\ue000"
_NOTE_LINE = re.compile(r"\n[ \t]*\ue000[ \t]*(?=\n)")
_BROKEN_PARTS = ("mit-", "mitg-", "mitgl-", "mitgli-", "mitglie-", "mem-")
_BROKEN_MEMBER = re.compile(r"(?i)(mit|mitg|mitgl|mitgli|mitglie|mem)-[ \t]*\n?[ \t]*"
                            r"(glied|lied|ied|ed|d|ber)")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Candidate boundary: terminal punctuation, optional closing quotes/brackets, then space.
_BOUNDARY = re.compile(r"[.!?…][\"“”‘’'»«)\]]*\s+")
_WORD_AFTER = re.compile(r"^[\"„“‚‘'»«(\[–-]*\s*(\S{1,40})")

# "als 100. „go-cluster“-Mitglied": a quote after an ordinal that closes into a compound.
_QUOTED_COMPOUND = re.compile(r"[„“‚‘\"'»«][^„“”‚‘’\"'»«]{1,40}[“”‘’\"'»«]-")

ABBREVIATIONS = frozenset(
    """
    nr no bzw z b u a o ca vgl ggf inkl zzgl dr prof dipl ing st co kg mbh e v etc usw evtl
    sog d h s abs art bzgl hr fr mio mrd tsd jan feb mar mär märz apr jun jul aug sep sept okt oct
    nov dez dec mr mrs ms inc ltd corp approx e.g i.e vs fig tel str gebr bros jr sr sen dt techn wiss geb
    gegr gegründ gem mind max min ev kath evang bzgl lt ua
    """.split()
)

# Words that start sentences. After "100." a capitalised noun continues the sentence
# ("100. Mitglied"); one of these starts a new one ("… waren es 57. Heute …").
SENTENCE_STARTERS = frozenset(
    """
    der die das den dem des ein eine einer eines es er sie wir ich ihr man im in mit seit auch
    damit dabei heute nun zudem außerdem bei am an auf aus für nach von vor zum zur dies diese
    dieser dieses hier so doch aber und als wie mehr weitere insgesamt inzwischen mittlerweile
    derzeit aktuell gegenwärtig zurzeit jetzt seitdem danach dafür darüber dazu deshalb denn
    the this that these it in we they he she a an at for with since today currently its their
    our there now as on by after by however meanwhile
    """.split()
)


def _ends_with_abbreviation(before: str) -> bool:
    tail = before[-41:].rsplit(None, 1)
    if not tail:
        return False
    word = tail[-1].rstrip(".!?…\"“”‘’'»«)]").lstrip("(\"„“‚‘'")
    low = word.lower()
    if low in ABBREVIATIONS:
        return True
    # Initials and the "V." of "e. V.".
    return len(word) == 1 and word.isalpha()


def _split_paragraph(par: str) -> Iterator[str]:
    start = 0
    for m in _BOUNDARY.finditer(par):
        end = m.end()
        stop = m.start()
        after = par[end : end + 60]
        if not after:
            break
        if after[0].islower():
            continue
        nxt = _WORD_AFTER.match(after)
        if nxt is None:
            continue
        first = nxt.group(1)
        if first[0].islower():
            continue
        is_full_stop = par[stop] == "."
        if is_full_stop and _ends_with_abbreviation(par[max(start, stop - 41) : stop + 1]):
            continue
        if is_full_stop and stop > 0 and par[stop - 1].isdigit():
            # An ordinal ("das 5.000. Mitglied") unless a sentence obviously begins.
            head = first.strip("„“‚‘\"'»«(,:;").lower()
            quoted = after[0] in "„“‚‘\"'»«" and _QUOTED_COMPOUND.match(after) is None
            if head not in SENTENCE_STARTERS and not first[0].isdigit() and not quoted:
                continue
        yield par[start:end].strip()
        start = end
    tail = par[start:].strip()
    if tail:
        yield tail


def _mend(m: re.Match[str]) -> str:
    """"Mit-glied", "Mitglie-der", "mem-ber": joined only when the two halves make the word."""
    whole = (m.group(1) + m.group(2)).lower()
    return m.group(1) + m.group(2) if whole in ("mitglied", "member") else m.group(0)


_BROKEN_WINDOW = max(map(len, _BROKEN_PARTS))


def _broken_member(text: str) -> bool:
    """Whether one of _BROKEN_PARTS stands in the lower-cased text. Only the few characters that
    end at each hyphen are lower-cased: lower-casing the whole text cost more than the test."""
    at = text.find("-")
    while at >= 0:
        if text[max(0, at - _BROKEN_WINDOW + 1):at + 1].lower().endswith(_BROKEN_PARTS):
            return True
        at = text.find("-", at + 1)
    return False


def _mark_link_notes(text: str) -> str:
    """``_LINK_NOTE.sub(_NOTE_MARK, text)``, tried only where a note can begin ("<" or "["): the
    engine's own search for those two characters took longer than the rest of the paragraph split."""
    out: list[str] = []
    last = 0
    angle, bracket = text.find("<"), text.find("[")
    while angle >= 0 or bracket >= 0:
        at = angle if bracket < 0 or 0 <= angle < bracket else bracket
        m = _LINK_NOTE.match(text, at)
        nxt = m.end() if m else at + 1
        if m:
            out += (text[last:at], _NOTE_MARK)
            last = nxt
        if angle >= 0 and angle < nxt:
            angle = text.find("<", nxt)
        if bracket >= 0 and bracket < nxt:
            bracket = text.find("[", nxt)
    return "".join(out) + text[last:] if out else text


def paragraphs(text: str) -> list[str]:
    """Paragraphs (blank-line separated) with link notes removed and whitespace collapsed."""
    # Words broken at a line's end keep their hyphen in extracted text: "Vereinsmit-glied",
    # "Mitglie-der"; a soft hyphen is invisible but splits a word all the same.
    if "\u00ad" in text:
        text = text.replace("\u00ad", "")
    if "-" in text and _broken_member(text):  # (a cheap test first: the pattern is slow to run over every text)
        text = _BROKEN_MEMBER.sub(_mend, text)
    if "http" in text or "<www" in text:
        text = _NOTE_LINE.sub("", _mark_link_notes(text)).replace(_NOTE_MARK, " ")
    # str.split is several times faster than a regex for collapsing whitespace.
    # Headlines stand at the top: only a text's first blocks are looked at for them.
    out = (" ".join(par.split()) for n, block in enumerate(_PARAGRAPH.split(text))
           for par in (_lines(block, n) if "\n" in block else (block,)))
    return [par for par in out if par]


_TERMINAL = ".!?…:;,\"“”»)"


def _headlines(block: str) -> list[str]:
    """A line near a block's top without a full stop, above a longer line that begins a sentence,
    is a headline of its own ("… werden Mitglied im Gesunde Städte-Netzwerk" above "Hamm und
    Höchstadt wurden …"), unless the block is hard-wrapped text, whose lines break mid-sentence at
    about one width. Only the first lines are looked at: headlines stand on top."""
    if "\n" not in block:
        return [block]
    lines = block.split("\n", 4)
    out: list[str] = []
    start = 0
    for k in range(min(3, len(lines) - 1)):
        line, nxt = lines[k].strip(), lines[k + 1].strip()
        if not line or not nxt or line[-1] in _TERMINAL or line[-1].isdigit() or len(line) > 200 \
                or not nxt[:1].isupper():
            continue
        if len(nxt) <= len(line) or line.rsplit(None, 1)[-1] in _CONTINUES:
            continue  # ("… neues Mitglied im\nNetzwerk Talheim": a line broken mid-sentence)
        if _hard_wrapped(block):
            return [block]
        out.append(" ".join(lines[start:k + 1]))
        start = k + 1
    if not out:
        return [block]
    out.append("\n".join(lines[start:]))
    return out


def _lines(block: str, n: int) -> list[str] | tuple[str]:
    table = _table_lines(block)
    return table if len(table) > 1 or n >= 3 else _headlines(block)


def _table_lines(block: str) -> list[str] | tuple[str]:
    """A block of many short lines (an infobox, a table, a menu: "Beschäftigte 31.942",
    "Mitglieder 1202 (2021)") is read line by line, not as one sentence."""
    if block.count("\n") < 4 or len(block) > 45 * (block.count("\n") + 1):
        return (block,)
    lines = [line.strip() for line in block.split("\n")]
    short = sum(len(line) <= 40 for line in lines)
    ended = sum(line[-1:] in (".", "!", "?") for line in lines)
    if short < 0.8 * len(lines) or ended > 0.3 * len(lines):
        return (block,)  # hard-wrapped sentences, not a table
    return lines


# Words a headline does not end with, but a sentence broken at a line's end may.
_CONTINUES = frozenset("der die das den dem des ein eine einer im in am an auf aus bei mit von vom zu zum zur und "
                       "oder für über als sowie the a an of in at to for and or with from by as".split())


def _hard_wrapped(block: str) -> bool:
    widths = [len(line.strip()) for line in block.split("\n")[:-1] if line.strip()]
    return len(widths) >= 2 and max(widths) - min(widths) <= 25 and min(widths) >= 40


def split_paragraph(par: str) -> list[str]:
    """Sentences of one paragraph as returned by paragraphs()."""
    return list(_split_paragraph(par))
