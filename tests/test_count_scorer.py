"""The learned count scorer beside the frames (monitor/detection/count_scorer.py): what it adds,
what it may not add, and how every count explains its score."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.detection import detect
from monitor.detection.detector import count_candidates
from monitor.detection.scoring import ModelError, model

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, number, programme", [
    # "zusammen" reads as attendance to the frames ("kamen 40 Mitglieder zusammen"); here it is how
    # the members work: the scorer weighs it against the rest of the sentence
    ("Im Netzwerk Kunststoff Lausitz arbeiten heute 164 Mitgliedsfirmen zusammen.", 164,
     "netzwerk kunststoff lausitz"),
    ("Im Cluster Holzbau Nordwest arbeiten heute 236 Mitgliedsbetriebe zusammen.", 236, "cluster holzbau nordwest"),
])
def test_a_count_the_frames_miss_is_added_with_its_score(text: str, number: int, programme: str) -> None:
    events = detect(text)
    assert [(e.kind, e.number, e.programme) for e in events] == [("member_count", number, programme)]
    why = events[0].why
    assert why["frame"] == "count: scored"
    assert 0.0 < why["roles"]["score"] <= 1.0
    assert why["programme"] == f"named in the sentence: {text.split(' arbeiten')[0].removeprefix('Im ')}"


def test_a_frames_count_shows_its_score() -> None:
    events = detect("Der Verband Holzbau Nord hat aktuell 318 Mitgliedsbetriebe.")
    assert [(e.number, e.programme) for e in events] == [(318, "verband holzbau nord")]
    assert events[0].why["frame"] != "count: scored"
    assert events[0].why["roles"]["score"] >= 0.5


@pytest.mark.parametrize("text", [
    # the frames read these as the past: the scorer never overrules that
    "Im Jahr 2009 hatte der Verein Quiltfreunde Nord nur 140 Mitglieder; heute zählt man Freunde in 30 Landkreisen.",
    # not a count of members at all
    "Die Mitglieder des Vereins spendeten 4.150 Euro für die neue Turnhalle.",
    # calls to join: never added, whatever "now" and "more than" make of the number
    "Become a member today and join more than 250 companies that already benefit from the Coast Forum.",
    "Become a member now and join more than 250 companies that already benefit from the Harbour Forum.",
    "Werden Sie jetzt Mitglied und profitieren Sie vom Netzwerk von über 200 Unternehmen!",
    "Join now and become part of a network of more than 600 companies!",
    # the members are the subject: what they count is theirs
    "Unsere Mitglieder bilden aktuell über 600 junge Menschen aus.",
    "Die Mitgliedsunternehmen beschäftigen derzeit rund 9.000 Menschen in der Region.",
])
def test_no_count_where_there_is_none(text: str) -> None:
    assert [e for e in detect(text) if e.kind == "member_count"] == []


@pytest.mark.parametrize("text, number", [
    # the same number twice: the count is known by its place, whatever the other one scores
    ("The club has 50 members and charges 50 pounds a year.", 50),
    ("Die Mitglieder zahlen 45 Euro im Jahr; heute hat der Verband 45 Mitgliedsbetriebe.", 45),
    ("Der Verein hat 60 Mitglieder; der Jahresbeitrag beträgt 60 Euro.", 60),
])
def test_a_repeated_number_keeps_its_count(text: str, number: int) -> None:
    counts = [e for e in detect(text) if e.kind == "member_count"]
    assert [e.number for e in counts] == [number]
    assert counts[0].why["frame"] != "count: scored"


@pytest.mark.parametrize("text, kept", [
    # a frame's second count in the sentence that the scorer is sure is none
    ("Der Cluster Nordholz besteht aus 34 Unternehmen und vier Forschungseinrichtungen.", [34]),
    ("The Riverside Network now has 88 members and was ranked among Europe's 50 best networks.", [88]),
])
def test_the_scorer_drops_a_frames_count_it_is_sure_of(text: str, kept: list[int]) -> None:
    assert [e.number for e in detect(text) if e.kind == "member_count"] == kept


def test_every_number_in_a_cue_sentence_is_a_candidate() -> None:
    cands = count_candidates("Der Verband Holzbau Nord hat 318 Mitgliedsbetriebe in 12 Landkreisen.")
    assert sorted(c.number for c in cands) == [12, 318]
    assert [c.number for c in cands if c.by_frame] == [318]
    assert all(c.features and all(isinstance(f, str) for f in c.features) for c in cands)


def test_training_refuses_the_held_out_part(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "train_counts.py"), str(tmp_path),
                           "--split", "heldout"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "held-out part judges the model" in done.stderr


def test_missing_weights_say_to_reinstall() -> None:
    with pytest.raises(ModelError, match="reinstall clusterwatch"):
        model("no_such_weights.json")


def test_extract_with_damaged_weights_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "release.txt").write_text("Der Verband Holzbau Nord hat aktuell 318 Mitgliedsbetriebe.\n",
                                          encoding="utf-8")
    code = ("import sys\nimport monitor.detection.count_scorer as c\nc.WEIGHTS = 'damaged_weights.json'\n"
            "from monitor.cli import main\nsys.argv = ['clusterwatch', 'extract', 'release.txt']\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "reinstall clusterwatch" in lines[0] and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("text, number, programme", [
    # the counted noun is the clause's subject: whose members they are is the body they joined
    ("Rund 250 Unternehmen und Organisationen haben sich der „Northern Hydrogen Alliance“ angeschlossen, "
     "seit sie im Juni gegründet wurde.", 250, "northern hydrogen alliance"),
    ("Mehr als 320 Firmen und Institute haben sich inzwischen der „Allianz Leichtbau Süd“ angeschlossen.", 320,
     "allianz leichtbau süd"),
])
def test_a_scored_count_belongs_to_the_body_the_sentence_names(text: str, number: int, programme: str) -> None:
    counts = [e for e in detect(text) if e.kind == "member_count"]
    assert [(e.number, e.programme) for e in counts] == [(number, programme)]


def test_detect_with_damaged_weights_says_so_before_reading_anything(tmp_path: Path) -> None:
    # an empty dataset: nothing would ever reach the model, yet the broken installation is reported
    (tmp_path / "clusterwatch.toml").write_text('database = "cw.db"\n', encoding="utf-8")
    code = ("import sys\nimport monitor.detection.count_scorer as c\nc.WEIGHTS = 'damaged_weights.json'\n"
            "from crawler.store import Store\nStore('cw.db').close()\n"
            "from monitor.cli import main\nsys.argv = ['clusterwatch', '--config', 'clusterwatch.toml', 'detect']\n"
            "main()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "reinstall clusterwatch" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
