"""Train the detector's count scorer (monitor/detection/count_scorer.py) on labelled real pages.

    python bench/train_counts.py TEXTS_FOLDER [--split dev,test] [--round N] [--write]

Every number the detector reads in a sentence with a membership cue is a candidate; it is a
positive when the page's labels hold a member count of that number. The project's own case
documents (tests/cases/detection) are learned from too: they hold the traps the frames were taught.
A logistic regression (scikit-learn, needed here only: ``pip install -e '.[train]'``) learns the
weights. The two thresholds (keep a frame's count, add one the frames missed) are chosen by
cross-validation grouped by site and scored on the pages only, so that no site scores a model that
learned from one of its pages: the best F1 whose precision is no lower than the frames' own (an
analyst reads every alert; recall is not bought with false ones).

Only the parts named in --split are read (by default the development parts: never ``heldout``,
which judges the result). --write stores the weights beside the scorer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.detection.count_scorer import WEIGHTS  # noqa: E402
from monitor.detection.detector import count_candidates  # noqa: E402

LABELS = ROOT / "bench" / "realworld" / "labels.jsonl"


def _row(ident: str, text: str, events: list[dict[str, Any]], lang: str | None = None,
         host: str = "") -> dict[str, Any]:
    wanted = {e["number"] for e in events if e["kind"] == "member_count"}
    cands = count_candidates(text, language=lang)  # the page's language, as a crawl declares it
    return {"id": ident, "host": host, "wanted": wanted, "keys": [c.number for c in cands],
            "ys": [int(c.number in wanted) for c in cands],
            "cands": [(c.by_frame, c.veto is not None, c.features) for c in cands]}


def collect(texts: Path, splits: set[str], rounds: set[int]) -> list[dict[str, Any]]:
    rows = []
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        if label["split"] not in splits or rounds and label.get("round") not in rounds:
            continue
        path = texts / f"{label['id']}.txt"
        if path.is_file():
            rows.append(_row(label["id"], path.read_text(encoding="utf-8"), label.get("events") or [],
                             label.get("lang"), urlsplit(label["url"]).hostname or label["id"]))
    return rows


def collect_cases(folder: Path) -> list[dict[str, Any]]:
    """The project's own case documents: written here, varied, with the traps the frames were
    taught ("Die Mitglieder vertreten 10.000 Unternehmen", "hopes to pass the 3,000 member mark").
    They teach the model too; they never choose its thresholds."""
    return [_row(path.stem, path.read_text(encoding="utf-8"),
                 json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["events"])
            for path in sorted(folder.glob("*.txt"))]


def doc_scores(rows: list[dict[str, Any]], probs: list[list[float]], keep: float,
               add: float) -> tuple[int, int, int, int]:
    """(labelled counts found, distinct findings that are right, distinct findings, labelled counts):
    one count per page and number."""
    right = found = hit = labelled = 0
    for row, ps in zip(rows, probs, strict=True):
        chosen = {i for i, ((by_frame, vetoed, _), p) in enumerate(zip(row["cands"], ps, strict=True))
                  if (p >= keep if by_frame else p >= add and not vetoed)}
        keys = {row["keys"][i] for i in chosen}
        found += len(keys)
        right += len({row["keys"][i] for i in chosen if row["ys"][i]})
        labelled += len(row["wanted"])
        hit += len(row["wanted"] & keys)
    return hit, right, found, labelled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("texts", type=Path)
    ap.add_argument("--split", default="dev,test", help="labelled parts to learn from (comma-separated)")
    ap.add_argument("--round", type=int, action="append", help="only these collection rounds (repeatable)")
    ap.add_argument("--cases", type=Path, default=ROOT / "tests" / "cases" / "detection",
                    help="case documents learned from besides the pages (an empty folder for none)")
    ap.add_argument("--without", help="leave out features starting with these prefixes (comma-separated: "
                    "'first=,last=') to see what they are worth")
    ap.add_argument("--case-weight", type=float, default=1.0,
                    help="weight of a case document's candidate against a page's (the frames were written "
                         "from the cases, so they may teach the model to trust the frames too much)")
    ap.add_argument("--c", type=float, default=0.3, help="inverse regularisation strength")
    ap.add_argument("--write", action="store_true", help="store the weights beside the scorer")
    args = ap.parse_args()
    splits = set(args.split.split(","))
    if "heldout" in splits:
        sys.exit("the held-out part judges the model; it never trains it")
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold
    except ImportError:
        sys.exit("train_counts needs scikit-learn: pip install -e '.[train]'")

    rows = collect(args.texts, splits, set(args.round or ()))
    cases = collect_cases(args.cases) if args.cases.is_dir() else []
    drop = tuple(x for x in (args.without or "").split(",") if x)
    feats = [{f: 1 for f in fs if not (drop and f.startswith(drop))}
             for row in rows + cases for _, _, fs in row["cands"]]
    ys = [y for row in rows + cases for y in row["ys"]]
    pages = sum(len(row["cands"]) for row in rows)  # the pages' candidates come first
    weight = [1.0] * pages + [args.case_weight] * (len(ys) - pages)
    print(f"{len(rows)} pages and {len(cases)} case documents, {len(ys)} candidates, {sum(ys)} positive")

    vec = DictVectorizer()
    x = vec.fit_transform(feats)
    oof = [0.0] * pages
    # grouped by site: a site's pages share templates and phrasings, so no site scores the model
    # that learned from another of its pages
    groups = [row["host"] for row in rows for _ in row["cands"]]
    for train, test in GroupKFold(n_splits=5).split(x[:pages], ys[:pages], groups):
        learn = [*train, *range(pages, len(ys))]
        model = LogisticRegression(C=args.c, max_iter=3000)
        model.fit(x[learn], [ys[i] for i in learn], sample_weight=[weight[i] for i in learn])
        for i, p in zip(test, model.predict_proba(x[test])[:, 1], strict=True):
            oof[i] = float(p)
    probs: list[list[float]] = []
    at = 0
    for row in rows:
        probs.append(oof[at:at + len(row["cands"])])
        at += len(row["cands"])

    def line(name: str, keep: float, add: float) -> tuple[float, str]:
        hit, right, found, labelled = doc_scores(rows, probs, keep, add)
        p, r = right / max(1, found), hit / max(1, labelled)
        f = 2 * p * r / max(1e-9, p + r)
        return f, f"{name}: keep >= {keep:.2f}, add >= {add:.2f}: precision {p:.2f} recall {r:.2f} F1 {f:.3f}"

    print(line("frames alone", 0.0, 1.01)[1])
    _, right, found, _ = doc_scores(rows, probs, 0.0, 1.01)
    floor = right / max(1, found)
    # A frame's count is dropped only when the model is fairly sure it is wrong (keep at most 0.3):
    # the frames' own tests of the past, of attendance and of wishes were written for real traps.
    grid = []
    for k in range(0, 7):
        for a in range(6, 20):
            _, right, found, _ = doc_scores(rows, probs, k / 20, a / 20)
            if right / max(1, found) >= floor:
                grid.append((line("", k / 20, a / 20)[0], k / 20, a / 20))
    _, keep, add = max(grid) if grid else (0.0, 0.0, 1.01)
    _, right0, found0, _ = doc_scores(rows, probs, keep, 1.01)
    for a in range(4, 14):
        _, right1, found1, _ = doc_scores(rows, probs, keep, a / 20)
        print(f"  add >= {a / 20:.2f}: {found1 - found0} more found, {right1 - right0} of them right")
    print(line("cross-validated best", keep, add)[1])

    model = LogisticRegression(C=args.c, max_iter=3000)
    model.fit(x, ys, sample_weight=weight)
    # (the smallest weights change no decision and would only make the file larger)
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)
               if abs(w) >= 0.02}
    heavy = sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:15]
    print("heaviest features:", ", ".join(f"{k} {v:+.2f}" for k, v in heavy))
    if args.write:
        out = ROOT / "monitor" / "detection" / WEIGHTS
        data = {"trained_on": sorted(splits), "rounds": sorted(args.round or ()), "pages": len(rows),
                "case_documents": len(cases), "candidates": len(ys), "c": args.c,
                "bias": round(float(model.intercept_[0]), 4), "keep": keep, "add": add,
                "weights": dict(sorted(weights.items()))}
        out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {len(weights)} weights to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
