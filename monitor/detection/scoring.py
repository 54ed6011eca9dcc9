"""Learned scores for candidates the frames may have missed: a logistic model per kind of candidate
(so far one: counts, ``count_scorer``).

A model is a JSON file beside this module (``count_weights.json``):
feature -> weight, a bias, and two thresholds chosen by cross-validation on the labelled real pages
(``bench/train_counts.py``). Scoring is a sum over a candidate's feature strings, with no learning
library at run time. ``keep``: a frame's own finding stays at or above it; ``add``: a candidate the
frames did not report becomes an event at or above it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat
from typing import Any

from crawler.errors import ClusterwatchError


class ModelError(ClusterwatchError):
    """A model's weights are missing or damaged: the installation is broken."""


@dataclass(slots=True)
class Candidate:
    """Something in a sentence a model scores (a number, for counts)."""

    at: int  # token index in the (number-normalised) sentence
    features: list[str]
    by_frame: bool  # a frame already reported it, here
    veto: str | None = None  # why it is never added even when it scores high ("the frames read it as the past")
    number: int | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Model:
    bias: float
    weights: dict[str, float]
    keep: float
    add: float

    def score(self, candidate: Candidate) -> float:
        z = self.bias + sum(map(self.weights.get, candidate.features, repeat(0.0)))
        candidate.score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return candidate.score


@cache
def model(filename: str) -> Model:
    """The model stored in ``filename`` beside this module (read once per process)."""
    try:
        data: dict[str, Any] = json.loads(resources.files(__package__).joinpath(filename).read_text(encoding="utf-8"))
        found = Model(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()},
                      float(data["keep"]), float(data["add"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"the detector's model {__package__}/{filename} is missing or damaged "
                         f"({type(exc).__name__}): reinstall clusterwatch") from None
    numbers = [found.bias, found.keep, found.add, *found.weights.values()]
    if not all(math.isfinite(x) for x in numbers) or not 0.0 <= found.keep <= found.add <= 1.01:
        raise ModelError(f"the detector's model {__package__}/{filename} is damaged (thresholds keep "
                         f"{found.keep}, add {found.add}; or a weight that is no number): reinstall clusterwatch")
    return found
