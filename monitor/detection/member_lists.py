"""New members listed line by line under a header: "Die neuen Mitglieder sind:" then "- Stadtwerke
Beispielstadt GmbH – 12345 Beispielstadt", "1. Muster AG, Musterhausen", "• Example Labs, Springfield".

The sentence frames read one sentence; a list like this is many lines, each a name with where it
is, and the header that says what they are stands above them. Releases of associations that admit
members in batches publish their names this way, and each name is a new membership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .listing import split_names

# A header announces new members (German or English) and ends with a colon; "these new members
# were honoured today." ends with a full stop and a demonstrative.
_NEW_MEMBERS = re.compile(
    r"(?<!\bfor )(?<!\bfür )(?<!\bto )(?<!\ban )(?<!\bmit )(?<!\bwith )(?<!\bvon )(?<!\bof )(?<!\bdes )"
    r"(?<!\bder )(?<!\bbeim )(?<!\bzum )(?<!\bzur )(?<!\bat )(?<!\bby )(?<!\bthe )"
    r"\b(?:neu(?:e[nrms]?|est\w*|aufgenommen\w*)?|jüngst\w*|erste[n]?|gründungs\w*)\s+(?:[\w-]+\s+){0,3}?[\w-]*?"
    r"(?:mitglied(?:er|ern|s|es)?\b|mitglieds(?:unternehmen|organisation\w*|firmen|kommunen|verbände|betriebe|"
    r"städte|einrichtungen|institutionen|gemeinden)\b|neumitglied\w*)"
    r"|\bneumitglied\w*|\bneuzug[aä]ng\w*"
    r"|\bneu\s+(?:dabei|aufgenommen\w*|hinzugekommen\w*|an\s+bord|im\s+\w+|in\s+der\s+\w+|beim\s+\w+)"
    r"|\b(?:folgende|nachstehende|nachfolgende)\w*\b[^:]{0,60}?\b(?:aufgenommen|beigetreten|begrüß\w*|willkommen|"
    r"dazugekommen|hinzugekommen)"
    r"|(?<!\bfor )(?<!\bto )(?<!\bwith )(?<!\bof )(?<!\bat )(?<!\bat the )(?<!\bby )"
    r"\b(?:new(?:est|ly)?|first|founding)\s+(?:[\w-]+\s+){0,3}?members?\b"
    r"|\bnewcomers?\b|\bmemberships?\s+added\b"
    r"|\bmembers?\s+(?:added|admitted|approved|elected|joining)\b|\b(?:following|these)\b[^:]{0,60}?\b(?:joined|admitted)\b"
    r"|\bwelcome\b[^:]{0,30}?\b(?:new|newest)\b"
    r"|\baufgenommen\s+(?:wurden|worden\s+sind)\s*$|\b(?:haben\s+sich\s+(?:uns|dem\s+\w+|der\s+\w+)\s+angeschlossen|"
    r"sind\s+(?:uns|dem\s+\w+|der\s+\w+)\s+beigetreten)\s*$",
    re.IGNORECASE)
# New members of a board, members' benefits, a call to join: no list of new memberships.
_NOT_MEMBERSHIPS = re.compile(
    # (a board as the place the new members go to, not as who admits them: "Der Vorstand hat … aufgenommen:")
    r"\b(?:im|in den|in das|ins|des|zum|zur|of the|to the|on the|in the|for the)\s+\w*(?:vorstand|präsidium|"
    r"beirat|kuratorium|aufsichtsrat|ausschuss|gremium|gremien|board|committee|council)\w*|"
    r"\b\w*(?:vorstands|präsidiums|beirats|ausschuss|aufsichtsrats)mitglied\w*|"
    r"\b(?:board|committee|council)\s+members?|\b(?:team\w*|"
    r"mitarbeit\w*|kolleg\w*|staff|employees?|"
    r"erhalten|profitieren|können|sollten|müssen|gesucht|werben|receive|get|benefit|benefits|can|should|must|"
    r"wanted|recruit\w*|how|wie|warum|why|vorteile|advantages|rabatt\w*|discount\w*|"
    r"ehrennadel\w*|jubil\w*|langjährig\w*|ehrung\w*|geehrt\w*|honou?r\w*|anniversary|beitr[äa]g\w*|fees?|"
    r"kategorie\w*|categor\w*|types?|levels?|klassen|arten|circumstances|conditions|bedingungen|voraussetzung\w*|"
    r"requirements?|jury|juroren|lenkungskreis\w*|steering|advisory|panel\w*|sponsor\w*|förderer|speakers?|"
    r"referent\w*|redner\w*|programm\w*|agenda|tagesordnung|treffen\w*|breakfast|frühstück|empfang\w*|"
    r"enjoy|erwartet|erwarten|genießen|by region|nach region\w*|entschieden|entscheidet|decided|decide|"
    r"applications?|anträge|antrag|bewerbung\w*|kandidat\w*|candidates?|neuigkeit\w*|news|neubau\w*|"
    r"neujahr\w*|vacanc\w*|stellen\w*|jobs?|aufgaben|tasks|duties|responsibilit\w*|angebot\w*|leistungen|"
    r"services|podium\w*|diskussion\w*|discussion|awards?|preis\w*|prize\w*|winners?|gewinner\w*|sieger\w*)\b",
    re.IGNORECASE)
# History, not news: "Die ersten Mitglieder des Vereins im Gründungsjahr 1921 waren:", "Our founding members were:"
_FOUNDING_PAST = re.compile(r"\b(?:erste[n]?|first|founding|gründungs\w*)\b.*\b(?:waren|were|war|was|1[89]\d\d)\b",
                            re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"\b(?:diese[n]?|folgende[n]?|nachstehende[n]?|these|the following)\b", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-–—•*·▪►✓○●]|\d{1,3}[.)])\s+")
# A line that goes on as a sentence: a finite verb among its first words.
_CLAUSE = re.compile(r"\b(?:ist|sind|war|waren|wird|werden|wurde|wurden|hat|haben|hatte|is|are|was|were|has|have|"
                     r"had|will|would)\b", re.IGNORECASE)
# Where the name ends: " – 12345 Ort", ", Ort", " (Land)", " – description".
_DASH = re.compile(r"\s+[–—-]\s+")
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+")
_BRACKET = re.compile(r"\s*\(([^()]{2,60})\)\s*$")
# "(MPI)", "(BioNet)": an acronym or short name in brackets belongs to the name; "(Bahrain)" does not
_ACRONYM = re.compile(r"^(?:[A-ZÄÖÜ0-9][A-ZÄÖÜ0-9&.+-]{1,11}|[A-ZÄÖÜ][a-zäöü]+[A-ZÄÖÜ][\w&.+-]*)$")
# ", Inc.", ", Ltd": a legal form after a comma belongs to the name
_LEGAL_AFTER_COMMA = re.compile(r"\s*(?:Inc|Ltd|LLC|Corp|P\.C|S\.A)\b")
_LEGAL_END = re.compile(r"\b(?:GmbH|AG|KG|e\.\s?V\.|eG|mbH|SE|Ltd|Inc|LLC|Corp|plc|S\.A|B\.V|GbR|OHG|KGaA|UG)\.?$")
_MAX_ITEM = 160
_SENTENCE_END = re.compile(r"(?<=[a-zäöüß)][.!?])\s+(?=[A-ZÄÖÜ„\"])")  # (not after "2." of "im 2. Quartal")


@dataclass
class Listed:
    """One name of a list: the member, where it is (when the line says), the line itself."""

    member: str
    place: str | None
    line: str


@dataclass
class MemberList:
    header: str
    items: list[Listed]


_WELCOME = re.compile(r"\b(?:willkommen|welcome)\b", re.IGNORECASE)
# A heading line of a few words without punctuation at its end.
_HEADING = re.compile(r"^[A-ZÄÖÜ][\w-]*(?:\s+[\w-]+){0,5}$")


def _header(line: str) -> bool:
    if len(line) > 250 or line.endswith("?"):
        return False
    if line.endswith("!") and _WELCOME.search(line):
        line = line[:-1] + ":"  # "Herzlich willkommen, neue Mitglieder!", "Welcome to our newest members!"
    elif _HEADING.match(line):
        line += ":"  # a heading of its own: "Neue Mitglieder" (its items must have bullets)
    if line.endswith("."):
        low = line.lower()
        if not ("mitglied" in low or "member" in low) or _DEMONSTRATIVE.search(line) is None:
            return False
    elif not line.endswith(":"):
        return False
    # (only the sentence that ends with the colon is the header: "… Zuwachs erhalten. Wir begrüßen
    # unsere neuen Mitglieder:")
    line = _SENTENCE_END.split(line)[-1]
    return _NEW_MEMBERS.search(line) is not None and _NOT_MEMBERSHIPS.search(line) is None \
        and _FOUNDING_PAST.search(line) is None


def _name(rest: str) -> tuple[str, str | None]:
    """The member and its place from one item's text."""
    place = None
    dash = _DASH.search(rest)
    if dash:
        after = rest[dash.end():]
        postcode = _POSTCODE.match(after)
        if "," in after and not postcode:
            place = after.rsplit(",", 1)[1].strip() or None  # "ekom21 – KGRZ Hessen, Gießen"
        elif postcode:
            place = after[postcode.end():].split(",")[0].strip() or None
        elif len(after.split()) <= 3 and not _CLAUSE.search(after):
            place = after.strip().rstrip(".") or None  # "Fundación Ejemplo – Spain"
        rest = rest[:dash.start()]
    else:
        rest = rest.split(":", 1)[0]  # "1. Example Alliance: a coalition of …"
    if "|" in rest:
        rest = rest.split("|", 1)[0].strip()  # a table's row: its first cell
    rest = rest.rstrip(" .;,") if rest.endswith(").") else rest  # "Corvid Labs (USA)."
    bracket = _BRACKET.search(rest)
    if bracket and not _ACRONYM.match(bracket.group(1)):
        inside = bracket.group(1).strip()
        if len(inside.split()) <= 3 and inside[:1].isupper():
            place = place or inside  # "Example Medical College (Saudi Arabia)"
        rest = rest[:bracket.start()]
    first = rest.split(",", 1)
    if len(first) == 2 and (len(first[1].split()) > 3 or first[1].strip()[:1].islower()
                            or re.match(r"\s*(?:the|a|an|der|die|das|ein|eine)\b", first[1])) \
            and not _LEGAL_AFTER_COMMA.match(first[1]):
        rest = first[0]  # "Example Foundation, home to the Example community": what follows describes it
    if "," in rest and not _LEGAL_END.search(rest):
        head, tail = rest.rsplit(",", 1)
        tail = tail.strip()
        # ", Karlsruhe": one to three capitalised words are where it is, not part of the name
        if tail and len(tail.split()) <= 3 and tail[:1].isupper() and not _LEGAL_END.search(tail) \
                and not _LEGAL_AFTER_COMMA.match(tail):
            place = place or tail.rstrip(".")
            rest = head
    rest = re.sub(r"\s+in\s+([A-ZÄÖÜ][\w-]+(?:\s+[A-ZÄÖÜ][\w-]+)?)$", "", rest)  # "Paige Electrical in Port Trevorton"
    rest = rest.strip(" ,;„“\"'")
    if rest.endswith(".") and not _LEGAL_END.search(rest) and not re.search(r"\b\w{1,3}\.$", rest):
        rest = rest[:-1]  # a full stop, not an abbreviation's ("e. V.", "Co.")
    return rest.strip(), place


def _next_bulleted(lines: list[str], n: int) -> bool:
    """Whether the next non-empty line from ``n`` on has a bullet."""
    for line in lines[n:n + 4]:
        if line.strip():
            return _BULLET.match(line.strip()) is not None
    return False


def _named(item: str) -> bool:
    """Whether an item of a list in a sentence reads as a name: a legal form, or several words of
    which the first two are capitalised ("Batterjee Medical College", "IFP Qatar")."""
    words = item.split()
    if len(words) > 8 or _CLAUSE.search(item):
        return False
    return _LEGAL_END.search(item) is not None or len(words) >= 2 and all(w[:1].isupper() for w in words[:2])


def _item(line: str, bulleted: bool | None) -> tuple[bool, str] | None:
    """(bulleted, text) when the line can be an item of a list whose items are ``bulleted``
    (None: the first item decides)."""
    bullet = _BULLET.match(line)
    rest = line[bullet.end():] if bullet else line
    if bulleted is not None and bool(bullet) != bulleted:
        return None
    if not rest or len(rest) > _MAX_ITEM or _NOT_A_NAME.search(rest) or _CLAUSE.search(rest):
        return None  # "9.00 Welcome and introductions", "North West 14", "Brauerei X feiert 700 Jahre"
    if not bullet:
        # (a bullet may stand before a brand in lower case: "- ekom21 – KGRZ Hessen"; without one, a
        # legal form tells a name: "hessenENERGIE Gesellschaft für Energienutzung mbH")
        if not (rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "„\"'" or _LEGAL_END.search(rest)):
            return None
        # Without a bullet only a short line that is a name: no sentence, no full stop of its own.
        words = rest.split()
        if len(words) > 10 or (rest.endswith(".") and not _LEGAL_END.search(rest)):
            return None
    return bool(bullet), rest


# An item that is no member's name: a time or a figure first, a figure last (a count per region), a
# finite verb, a page's furniture.
_NOT_A_NAME = re.compile(r"^\w+(?:ung|ing)\s+(?:von|der|des|den|of|the|new|neuer)\b|"  # a task: "Betreuung von …"
                         r"^\d{1,2}[.:]\d{2}\b|^\d{1,2}\s*(?:uhr|h)\b|\s\d+(?:[.,]\d+)?\s*%?$|"
                         r"\b(?:feiert|feiern|erhält|erhalten|bietet|bieten|gewinnt|stellt|zeigt|celebrates|offers|"
                         r"receives|wins)\b|^(?:pressekontakt|kontakt|contact|impressum|quelle|source|über uns|"
                         r"about us|weitere informationen|more information)\b", re.IGNORECASE)


# Words one of which every header before a colon has (see _NEW_MEMBERS), lower case.
_HEADER_CUE = re.compile("itglied|member|neuzug|newcomer|neu dabei|neu im|neu in|neu beim|neu an bord|aufgenommen|"
                         "hinzugekommen|dazugekommen|beigetreten|begrüß|willkommen|joined|admitted|welcome")
_NOT_AFTER_COLON = frozenset("0123456789/")
# (a header that ends with a full stop points at them: "werden heute diese neuen Mitglieder ausgezeichnet.")
_NEW_MEMBERS_WORDS = ("iese neuen Mitglied", "olgende neue Mitglied", "olgenden neuen Mitglied", "hese new member",
                      "ollowing new member", "Neue Mitglieder", "New Members", "New members", "newest members",
                      "neue Mitglieder!")
# The words by what they share ("Mitglied", "ember"), with where it stands in each: only the places
# of the shared word are searched for, and each word is looked for around them (ten searches of the
# whole text cost as much as the rest of this test). A word with neither is searched on its own.
_CORES = ("Mitglied", "ember")
_NEW_MEMBERS_WORDS_BY_CORE = tuple(
    (core, tuple((w, w.find(core)) for w in _NEW_MEMBERS_WORDS if next((c for c in _CORES if c in w), "") == core))
    for core in _CORES)
_NEW_MEMBERS_WORDS_ALONE = tuple(w for w in _NEW_MEMBERS_WORDS if not any(c in w for c in _CORES))


def member_lists(text: str) -> list[MemberList]:
    """The lists of new members in ``text`` (plain text with its line breaks)."""
    if "\n" not in text:
        return []
    # Most texts have no header: the colons whose words before them may make one are found with
    # literal searches (fast), as are the new-member words of a header that ends with a full stop.
    at = []
    colon = text.find(":")
    while colon >= 0:
        # (not a time, an address or a ratio: "10:00", "https://", "3:1")
        if text[colon + 1:colon + 2] not in _NOT_AFTER_COLON and _HEADER_CUE.search(
                text[max(text.rfind("\n", 0, colon) + 1, colon - 250):colon].lower()):
            at.append(colon)
        colon = text.find(":", colon + 1)
    for core, words in _NEW_MEMBERS_WORDS_BY_CORE:
        found = text.find(core)
        while found >= 0:
            at += [found - offset for word, offset in words
                   if found >= offset and text.startswith(word, found - offset)]
            found = text.find(core, found + 1)
    for word in _NEW_MEMBERS_WORDS_ALONE:
        found = text.find(word)
        while found >= 0:
            at.append(found)
            found = text.find(word, found + 1)
    if not at:
        return []
    lines = text.split("\n")
    candidates = sorted({text.count("\n", 0, offset) for offset in at})
    out: list[MemberList] = []
    done = -1  # the last line a list took
    for number in candidates:
        if number <= done:
            continue
        found_list = _list_at(lines, number)
        if found_list is not None:
            out.append(found_list[0])
            done = found_list[1]
    return out


def _list_at(lines: list[str], n: int) -> tuple[MemberList, int] | None:
    """The list whose header is line ``n``, and its last line."""
    line = lines[n].strip()
    inline: list[str] = []
    if ":" in line[:-1] and not line.endswith(":"):
        head, after = line.split(":", 1)
        # the header is the sentence before the colon: "… from the private sector. The 7 new
        # members are: A (Spain), B (Chile) and C."
        head = _SENTENCE_END.split(head)[-1]
        if not _header(head + ":"):
            return None
        if ";" in after:
            # "Die neuen Mitglieder: Muster IT GmbH; Beispielwerke GmbH;" and more on the next lines
            inline = [part.strip() for part in after.split(";") if part.strip()]
        else:
            # "… are: A (Spain), B (Chile) and C." within the line, to the end of its sentence
            names = [name for name in split_names(_SENTENCE_END.split(after.strip())[0]) if name]
            # (names, not what the members are: "Unternehmen, Städte, Gemeinden und Einzelpersonen")
            if len(names) < 2 or not all(_named(name) for name in names):
                return None
            header = " ".join((head + ":").split())
            return MemberList(header, [Listed(*_name(name), name) for name in names]), n
        line = head + ":"
    if not _header(line):
        return None
    heading = not line.endswith((":", "!", "."))  # a heading alone: only bulleted lines under it
    header = " ".join(_SENTENCE_END.split(line)[-1].split())  # the sentence that announces the list
    items = [Listed(*_name(part), part) for part in inline]
    bulleted: bool | None = None
    gaps: bool | None = None  # unmarked items: whether blank lines stand between them
    blanks = 0
    n += 1
    while n < len(lines):
        current = lines[n].strip()
        if not current:
            # (a list's lines follow each other, or each stands in a block of its own)
            blanks += 1
            if blanks > (3 if items else 5):
                break
            n += 1
            continue
        if items and items[-1].member[:15] in current and len(current) > len(items[-1].line) + 10:
            n += 1  # the last item's description ("Example Foundation is a private foundation …")
            continue
        found = _item(current, bulleted)
        if found is None and bulleted and items and _next_bulleted(lines, n + 1):
            n += 1  # a line under the last item, with bullets before and after it: its description
            blanks = 0
            continue
        if found is None:
            break
        if found[0] is False and len(items) >= 1 and gaps is not None and (blanks > 0) != gaps:
            break  # unmarked lines that followed each other, then a gap (or the reverse): the list ended
        if found[0] is False and len(items) == 1:
            gaps = blanks > 0
        bulleted, rest = found
        blanks = 0
        member, place = _name(rest)
        if member:
            items.append(Listed(member, place, current))
        n += 1
    # Unmarked lines are a list only when there are several of them.
    if items and (bulleted or len(items) >= 2 and not heading):
        return MemberList(header, items), n - 1
    return None
