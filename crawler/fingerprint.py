"""Text fingerprints for recognising the same announcement at another address.

Two levels: an exact hash of the normalised text (the same release on a mirror), and a MinHash
signature over word shingles (a republication with a dateline, byline, link notes, a stray word
and re-wrapped lines). Signatures are split into LSH bands whose keys the store indexes, so that
finding candidates costs a fixed number of index look-ups however large the dataset grows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS = 32  # 32 bands x 4 rows: pairs with Jaccard 0.5 become candidates with p > 0.87
ROWS = NUM_PERM // BANDS
SHINGLE = 3
# Below these sizes a text says too little to tell two announcements apart.
MIN_WORDS_NEAR = 40
MIN_CHARS_EXACT = 200
# Republications score 0.8-0.95 in practice; rewritten reports of the same event stay below 0.3.
NEAR_THRESHOLD = 0.5

# Link notes an aggregator adds: "<http://…>", "[1] http://…", bare URLs and "www." hosts.
_LINK_NOTE = re.compile(r"<\s*(?:https?://|www\.)[^>\s]*\s*>|\[\d+\]\s*|(?:https?://|www\.)\S+", re.I)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_text(text: str) -> list[str]:
    """The words of a text as dedup sees them: no link notes, case or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINK_NOTE.sub(" ", text)
    return _WORD.findall(text.casefold())


def text_hash(words: list[str]) -> str | None:
    """Exact fingerprint of normalised words, or None when the text is too short to trust."""
    joined = " ".join(words)
    if len(joined) < MIN_CHARS_EXACT:
        return None
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Signature:
    hashvalues: np.ndarray

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Signature:
        return cls(np.frombuffer(blob, dtype="<u8"))

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    def band_keys(self) -> list[int]:
        """One signed 64-bit key per band (SQLite INTEGER), band number mixed in."""
        keys = []
        values = self.hashvalues.astype("<u8")
        for band in range(BANDS):
            chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8, person=band.to_bytes(2, "little")).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys


# Building the 128 permutations costs a quarter of a signature; build them once.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)
_REUSE = {"permutations": _TEMPLATE.permutations}
if hasattr(_TEMPLATE, "scheme"):  # datasketch >= 2 wants to be told which hashing scheme they belong to
    _REUSE["scheme"] = _TEMPLATE.scheme


def signature(words: list[str]) -> Signature | None:
    """MinHash over word shingles, or None when the text is too short for near-duplicate search."""
    if len(words) < MIN_WORDS_NEAR:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)}
    mh = MinHash(num_perm=NUM_PERM, seed=1, **_REUSE)
    mh.update_batch(list(shingles))
    return Signature(mh.hashvalues.copy())
