"""Score crawler.dates.find_published on real pages against hand-made date labels.

The labels (bench/realworld/dates_labels.jsonl) hold one line per page: its URL, the
publication date a person read in the page's text and URL ("YYYY-MM-DD", "YYYY-MM" when only
the month is stated, or null when the page does not show one) and its split (dev or test,
fixed by a hash of the URL before any rule was changed). The pages are third-party text and
are not in the repository: put each page's text in a folder as <id>.txt, where <id> is the
first 12 hex digits of sha1(url), and score it:

    python bench/score_dates.py TEXTS_FOLDER [--labels FILE] [--split dev|test|all] [-v]

A page is dated right when the value has the label's precision and agrees with it (a
timestamp is compared by its day; a page labelled null is right when it stays unknown),
wrongly dated when a value is given that differs (or is given for a page labelled null), and
unknown when a labelled date is not found. Pages whose text file is missing are skipped.

Stored pages may open with the store's own metadata line " date 2024-07"; it stands for the
page's HTML metadata and is passed as ``meta={"date": ...}`` the way the crawler passes
metadata, not left in the text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.dates import BERLIN, find_published  # noqa: E402

LABELS = Path(__file__).resolve().parent / "realworld" / "dates_labels.jsonl"
# The day the stored pages were collected: "heute" in a text must not turn into this day.
CRAWL = datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN)
_STORE_META = re.compile(r"\A date ([0-9]{4}-[0-9]{2}(?:-[0-9]{2})?) ")


def page_id(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


def judge(label: str | None, value: str | None) -> str:
    """"right", "wrong" or "unknown" for one page."""
    if value is None:
        return "right" if label is None else "unknown"
    if label is None:
        return "wrong"
    # a timestamp counts by its day; a month value only matches a month label
    return "right" if value[:10] == label else "wrong"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("texts", type=Path, help="folder of <id>.txt page texts")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every page that is not right")
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.split != "all":
        rows = [r for r in rows if r.get("split") == args.split]
    outcome: Counter[str] = Counter()
    dated: Counter[str] = Counter()
    evidence: Counter[str] = Counter()
    for row in rows:
        path = args.texts / f"{page_id(row['url'])}.txt"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        meta = None
        if m := _STORE_META.match(text):
            meta = {"date": m[1]}
            text = text[m.end():]
        result = find_published(url=row["url"], meta=meta, text=text, crawl_time=CRAWL)
        verdict = judge(row["date"], result.value)
        outcome[verdict] += 1
        if row["date"] is not None:
            dated[verdict] += 1
        if result.value is not None:
            evidence[f"{(result.evidence or '').split(' (')[0]} {verdict}"] += 1
        if args.verbose and verdict != "right":
            print(f"{verdict:8} label={row['date']} got={result.value} [{result.evidence or result.reason}]"
                  f"\n         {row['url']}")
    n = sum(outcome.values())
    nd = sum(dated.values())
    if not n:
        print("no texts found for these labels")
        return 1
    print(f"{args.split}: {n} pages ({nd} with a date, {n - nd} without)")
    print(f"  dated right {outcome['right'] / n:.1%}  wrongly dated {outcome['wrong'] / n:.1%}  "
          f"unknown {outcome['unknown'] / n:.1%}")
    if nd:
        print(f"  pages with a date: right {dated['right'] / nd:.1%}  wrong {dated['wrong'] / nd:.1%}  "
              f"unknown {dated['unknown'] / nd:.1%}")
    undated = n - nd
    if undated:
        print(f"  pages without a date given one anyway: {(outcome['wrong'] - dated['wrong']) / undated:.1%}")
    for key, k in sorted(evidence.items(), key=lambda kv: -kv[1]):
        print(f"    {k:3}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
