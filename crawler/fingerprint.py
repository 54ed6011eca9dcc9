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
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

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
        import numpy as np

        return cls(np.frombuffer(blob, dtype="<u8"))

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        import numpy as np

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


@cache
def _template() -> Any:
    """The MinHash whose 128 permutations every signature uses (building them costs a quarter of
    a signature, so once). datasketch is imported here, not at the top: it pulls in SciPy, 0.3 s
    that every command paid, although only the ingest computes signatures."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1)


def _minhash(shingles: list[bytes]) -> Any:
    from datasketch import MinHash

    template = _template()
    reuse: dict[str, Any] = {"permutations": template.permutations}
    if hasattr(template, "scheme"):  # datasketch >= 2 wants to be told which hashing scheme they belong to
        reuse["scheme"] = template.scheme
    mh = MinHash(num_perm=NUM_PERM, seed=1, **reuse)
    mh.update_batch(shingles)
    return mh


def shingles(words: list[str]) -> list[bytes] | None:
    """The distinct 3-word shingles of a text, or None when it is too short for near-duplicate search."""
    if len(words) < MIN_WORDS_NEAR:
        return None
    return list({" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)})


def signature(words: list[str]) -> Signature | None:
    """MinHash over word shingles, or None when the text is too short for near-duplicate search."""
    return signatures([words])[0]


# Shingles permuted at once: 4,000 x 128 x 4 bytes, small enough to stay in the CPU's cache.
_CHUNK_SHINGLES = 4_000


def signatures(texts: list[list[str]]) -> list[Signature | None]:
    """The signatures of many texts at once, each the one ``MinHash.update_batch`` gives.

    The hashes and permutations of all shingles of many texts are one array operation, reduced
    per text: a bulk load spends its time on the shingles, not on per-text
    numpy calls. Where the installed datasketch computes differently from what this reproduces
    (its private hashing steps, checked once), each text goes through MinHash itself.
    """
    import numpy as np

    sets = [shingles(words) for words in texts]
    out: list[Signature | None] = [None] * len(texts)
    if not _vector_ok():
        for i, sh in enumerate(sets):
            if sh is not None:
                out[i] = Signature(_minhash(sh).hashvalues.copy())
        return out
    todo = [i for i, sh in enumerate(sets) if sh is not None]
    start = 0
    while start < len(todo):
        chunk: list[int] = []
        size = 0
        while start < len(todo) and (not chunk or size + len(sets[todo[start]] or ()) <= _CHUNK_SHINGLES):
            chunk.append(todo[start])
            size += len(sets[todo[start]] or ())
            start += 1
        flat = [b for i in chunk for b in sets[i] or ()]
        permuted = _permuted(flat)
        at = 0
        for i in chunk:
            n = len(sets[i] or ())
            out[i] = Signature(permuted[at : at + n].min(axis=0).astype(np.uint64))
            at += n
    return out


def _permuted(flat: list[bytes]) -> np.ndarray:
    """Each shingle's 128 permuted hash values (rows), as datasketch's update_batch computes them."""
    import numpy as np
    from datasketch import minhash as dm
    from datasketch.hashfunc import sha1_hash32

    template = _template()
    a, b = template.permutations
    hv_list: Any
    if template.hashfunc is sha1_hash32:
        # The same 32-bit values (the SHA-1 digest's first 4 bytes, little-endian), read as one
        # buffer instead of one struct.unpack per shingle.
        sha1 = hashlib.sha1
        hv_list = np.frombuffer(b"".join([sha1(x).digest()[:4] for x in flat]), dtype="<u4")
    else:
        hv_list = [template.hashfunc(x) for x in flat]
    scheme = getattr(template, "scheme", "legacy")
    if scheme == "legacy":
        hv = np.array(hv_list, dtype=np.uint64, ndmin=2).T
        return np.bitwise_and((hv * a + b) % dm._mersenne_prime, dm._max_hash)
    hv = template._hash_input_array(hv_list).reshape(-1, 1)
    hv = dm._fmix(hv, dm._SCHEME_WIDTHS[scheme])
    return hv * a + b


@cache
def _vector_ok() -> bool:
    """Whether the vectorised path gives datasketch's own values on a sample."""
    import numpy as np

    sample = [[f"wort{i % 97}", "cluster", f"{i * 7919 % 1000}"][i % 3] for i in range(200)]
    sh = shingles(sample)
    assert sh is not None
    try:
        mine = _permuted(sh).min(axis=0)
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return bool(np.array_equal(mine.astype(np.uint64), _minhash(sh).hashvalues.astype(np.uint64)))
