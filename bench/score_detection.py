"""Score the detector on labelled real pages: precision, recall, whose membership, which member.

The labels (bench/realworld/labels.jsonl) hold each page's URL and what a person read in it; the
pages themselves are third-party text and are not in the repository. Put each page's text in a
folder as <id>.txt (the id is in the labels) and score it:

    python bench/score_detection.py TEXTS_FOLDER [--split dev|test|heldout|all] [--round N] [-v]

Matching: an ordinal or a count matches a labelled one of the same kind and number; a new
membership matches by its member's name (or, when the label names none, by its number). For
matched events, the programme is right when its name (legal form, case, spacing and punctuation
ignored) equals the label's name or one of its aliases, or one contains the other; the member
likewise. A trap is a page with membership words and no event: it "fires" when anything is found.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.detection import detect  # noqa: E402

LABELS = ROOT / "bench" / "realworld" / "labels.jsonl"
_LEGAL = re.compile(
    r"\b(e\.?\s?v|gmbh|ag|kg|co|mbh|ug|ggmbh|eg|se|inc|ltd|llc|plc|gbr|ohg|haftungsbeschränkt)\b\.?", re.I
)
_DROP = re.compile(r"[^0-9a-zäöüß]+")
_ARTICLE = re.compile(r"^(der|die|das|dem|den|des|the|unser|unsere|our)\s+", re.I)


def name_key(name: str | None) -> str:
    if not name:
        return ""
    name = _ARTICLE.sub("", name.strip())
    name = _LEGAL.sub(" ", name)
    return _DROP.sub("", name.lower())


def same_name(got: str | None, names: list[str]) -> bool:
    g = name_key(got)
    if not g:
        return False
    for n in names:
        k = name_key(n)
        if k and (g == k or (min(len(g), len(k)) >= 3 and (g in k or k in g))):
            return True
    return False


@dataclass
class Tally:
    predicted: int = 0
    labelled: int = 0
    matched: int = 0
    programme_right: int = 0
    member_matched: int = 0
    member_right: int = 0
    traps: int = 0
    traps_fired: int = 0
    docs: int = 0
    misses: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        p = self.matched / self.predicted if self.predicted else 1.0
        r = self.matched / self.labelled if self.labelled else 1.0
        prog = self.programme_right / self.matched if self.matched else 0.0
        mem = self.member_right / self.member_matched if self.member_matched else 0.0
        trap = self.traps_fired / self.traps if self.traps else 0.0
        return (f"{label}: {self.docs} documents, {self.labelled} labelled events, {self.predicted} found | "
                f"precision {p:.2f} recall {r:.2f} | programme right {prog:.0%} of {self.matched} matched | "
                f"member right {self.member_right}/{self.member_matched} ordinals+new ({mem:.0%}) | "
                f"traps fired {self.traps_fired}/{self.traps} ({trap:.0%})")


def _matches(got: dict[str, Any], want: dict[str, Any]) -> bool:
    if got["kind"] != want["kind"]:
        return False
    if want["kind"] == "new_member":
        if want.get("member"):
            return same_name(got.get("member"), [want["member"]])
        return got.get("number") == want.get("number")
    return got.get("number") == want.get("number")


def score_document(label: dict[str, Any], text: str, tally: Tally, verbose: bool) -> None:
    events = [e.to_dict() for e in detect(text)]
    wanted = list(label.get("events") or [])
    tally.docs += 1
    tally.predicted += len(events)
    tally.labelled += len(wanted)
    if label.get("trap"):
        tally.traps += 1
        tally.traps_fired += bool(events)
    unmatched = list(wanted)
    spurious = []
    for got in events:
        want = next((w for w in unmatched if _matches(got, w)), None)
        if want is None:
            spurious.append(got)
            continue
        unmatched.remove(want)
        tally.matched += 1
        names = [want["programme"], *(want.get("aliases") or [])] if want.get("programme") else []
        if (not names and got.get("programme") is None) or same_name(got.get("programme"), names):
            tally.programme_right += 1
        elif verbose:
            tally.misses.append(f"{label['id']}: programme {got.get('programme')!r} for {names}")
        if want["kind"] in ("member_ordinal", "new_member") and want.get("member"):
            tally.member_matched += 1
            if same_name(got.get("member"), [want["member"]]):
                tally.member_right += 1
            elif verbose:
                tally.misses.append(f"{label['id']}: member {got.get('member')!r} for {want['member']!r}")
    if verbose:
        for w in unmatched:
            tally.misses.append(f"{label['id']}: missed {w['kind']} {w.get('number')} {w.get('programme')!r} "
                                f"{w.get('member')!r}")
        for g in spurious:
            tally.misses.append(f"{label['id']}: spurious {g['kind']} {g.get('number')} {g.get('programme')!r} "
                                f"{g.get('member')!r} <- {g.get('evidence', '')[:160]!r}")


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("texts", type=Path, help="folder with <id>.txt for each labelled page")
    ap.add_argument("--labels", type=Path, default=LABELS)
    # heldout: pages collected after the rules of the test part had been looked at (see
    # bench/realworld/README.md), kept unseen until a session's end
    ap.add_argument("--split", choices=("dev", "test", "heldout", "all"), default="dev")
    ap.add_argument("--round", type=int, help="only the pages of one collection round (1-7: see the README)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args()
    labels = [lab for lab in load_labels(args.labels) if (args.split == "all" or lab["split"] == args.split)
              and (args.round is None or lab.get("round") == args.round)]
    by_lang: dict[str, Tally] = {}
    total = Tally()
    missing = 0
    for label in labels:
        path = args.texts / f"{label['id']}.txt"
        if not path.is_file():
            missing += 1
            continue
        text = path.read_text(encoding="utf-8")
        score_document(label, text, total, args.verbose)
        score_document(label, text, by_lang.setdefault(label["lang"], Tally()), False)
    if missing:
        print(f"{missing} labelled pages have no text in {args.texts}", file=sys.stderr)
    print(total.line(f"{args.split} part"))
    for lang, tally in sorted(by_lang.items()):
        print("  " + tally.line(lang))
    for line in total.misses:
        print("   ", line)


if __name__ == "__main__":
    main()
