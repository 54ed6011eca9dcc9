"""Detection against the case folder (tests/cases/detection), plus robustness checks."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.detection import Event, detect, html_to_text, normalise_programme

CASES = Path(__file__).parent / "cases" / "detection"
FIELDS = ("kind", "programme", "number", "member", "place")
CASE_FILES = sorted(CASES.glob("*.txt"))


def _as_tuple(event: dict) -> tuple:
    return tuple(event.get(f) for f in FIELDS)


def test_case_folder_is_large_enough() -> None:
    assert len(CASE_FILES) >= 150
    for path in CASE_FILES:
        assert path.with_suffix(".json").exists(), path.name


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["events"]
    got = [e.to_dict() for e in detect(path.read_text(encoding="utf-8"))]
    assert Counter(_as_tuple(e) for e in got) == Counter(_as_tuple(e) for e in expected), got


def test_seed_yields_one_go_cluster_ordinal() -> None:
    text = (CASES / "000-seed-go-cluster-100.txt").read_text(encoding="utf-8")
    events = detect(text)
    assert len(events) == 1
    ev = events[0]
    assert (ev.kind, ev.programme, ev.number) == ("member_ordinal", "go-cluster", 100)
    assert ev.member == "Innovationscluster Automotive Nordwest e. V."
    assert ev.place == "Bremen"
    assert ev.rule
    assert "100" in ev.evidence


def test_event_to_dict_and_qualifier() -> None:
    (ev,) = detect("Der Digitalverband Bitkom zählt inzwischen über 1.700 Mitglieder.")
    d = ev.to_dict()
    assert isinstance(ev, Event)
    assert {"kind", "programme", "number", "member", "place", "evidence", "rule"} <= d.keys()
    assert d["number"] == 1700 and d["qualifier"] == "over"
    # The rule is the frame that found it; `why` says which words filled which role.
    assert d["rule"] == d["why"]["frame"] and d["why"]["sentence"] and "Bitkom" in d["why"]["programme"]


def test_qualifier_before_number_is_read() -> None:
    (ev,) = detect("Rund 100 Mitglieder sind erreicht: das Netzwerk Solar feiert.")
    assert (ev.number, ev.qualifier) == (100, "about")


def test_title_supplies_programme() -> None:
    (ev,) = detect("Gegenwärtig nutzen 77 Mitglieder die Angebote.", title="Programm „go-cluster“")
    assert ev.programme == "go-cluster"


@pytest.mark.parametrize(
    "name", ["„go-cluster“", "go-cluster", "Programm go-cluster", "Exzellenzprogramm ‚go-cluster‘"]
)
def test_programme_spellings_are_one(name: str) -> None:
    assert normalise_programme(name) == "go-cluster"


def test_html_to_text_keeps_the_sentence() -> None:
    html = (
        "<html><body><nav>Startseite</nav><article><h1>Neues Mitglied</h1>"
        "<p>Der Cluster Luftfahrt Hamburg ist neues Mitglied im Programm go-cluster.</p>"
        "</article><script>var x = 1;</script></body></html>"
    )
    text = html_to_text(html)
    assert "var x" not in text
    assert [e.kind for e in detect(text)] == ["new_member"]


@pytest.mark.parametrize(
    "text",
    [
        "x" * 1_000_000,
        "Mitglied" * 125_000,
        "Mitglied " * 110_000,
        "als 100. " * 100_000 + "Mitglied",
        "die 1.000.000.000." * 50_000 + " Mitglieder",
        "Das Netzwerk zählt " + "über " * 100_000 + "100 Mitglieder.",
        ("Die A B C D E F G H I J K L M N O P " * 20_000) + "ist neues Mitglied im Netzwerk X.",
        "<http://" + "a" * 1_000_000,
        " " * 1_000_000 + "Mitglied",
        "e. V. " * 150_000 + " ist als 100. Mitglied aufgenommen.",
        "1" * 1_000_000 + " Mitglieder",
        "tritt " * 150_000 + "bei",
        "„go-cluster“ " * 80_000 + "hat 100 Mitglieder",
    ],
    ids=["no-space", "keyword-no-space", "keywords", "ordinals", "dots", "qualifiers",
         "capitals", "link", "spaces", "abbreviations", "digits", "tritt", "quotes"],
)
def test_pathological_input_is_bounded(text: str) -> None:
    start = time.perf_counter()
    detect(text)
    assert time.perf_counter() - start < 5.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_detect_never_raises_on_arbitrary_text(text: str) -> None:
    for ev in detect(text):
        assert ev.kind in {"member_ordinal", "member_count", "new_member"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Mitglied", "Mitglieder", "100.", "1.000", "zählt", "über", "„go-cluster“", "e. V.",
             "\n", "als", "des", "Netzwerks", "tritt", "bei", "member", "100th", ".", ",", "um",
             "auf", "Die", "aus", "Bremen", "Nr.", "hundertste", "-"]
        ),
        max_size=60,
    )
)
def test_detect_never_raises_on_keyword_soup(words: list[str]) -> None:
    detect(" ".join(words))
