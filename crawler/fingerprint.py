"""Text fingerprints for recognising the same announcement at another address.

Two levels: an exact hash of the normalised text (the same release on a mirror), and a MinHash
signature over word shingles (a republication with a dateline, byline, link notes, a stray word
and re-wrapped lines). Signatures are split into LSH bands whose keys the store indexes, so that
finding candidates costs a fixed number of index look-ups however large the dataset grows.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from dataclasses import dataclass, field
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

# How a dataset's signatures are computed (its ``dataset_settings.signature_scheme``); signatures
# of two schemes never compare, so a dataset keeps the one it was started with.
# 1: datasketch's MinHash (SHA-1 of each distinct 3-word shingle, 128 permutations modulo a
#    Mersenne prime): about 0.7 ms per 3.6 KB text in Python, the ceiling of a bulk load.
# 2: the same estimator with a hash computed as arrays: each distinct word hashed once (BLAKE2b,
#    cached), a shingle's hash mixed from its three words' hashes, the 128 permutations an affine
#    map modulo 2**64 of the mixed hash (datasketch's newer schemes do the same). About five times
#    faster. Datasets created from this version on use it.
SCHEME_DATASKETCH = 1
SCHEME_ARRAYS = 2
LATEST_SCHEME = SCHEME_ARRAYS
SCHEMES = (SCHEME_DATASKETCH, SCHEME_ARRAYS)

# Link notes an aggregator adds: "<http://…>", "[1] http://…", bare URLs and "www." hosts.
_LINK_NOTE = re.compile(r"<\s*(?:https?://|www\.)[^>\s]*\s*>|\[\d+\]\s*|(?:https?://|www\.)\S+", re.I)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_text(text: str) -> list[str]:
    """The words of a text as dedup sees them: no link notes, case or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    # Every link note has "[", "http" or "www." in it (in any case: after NFKC, casefolding maps
    # exactly the characters the pattern's IGNORECASE matches to these letters); a text without
    # them is spared the pattern, most of the time it took.
    if "[" in text or "http" in folded or "www." in folded:
        folded = _LINK_NOTE.sub(" ", text).casefold()
    return _WORD.findall(folded)


def text_hash(words: list[str]) -> str | None:
    """Exact fingerprint of normalised words, or None when the text is too short to trust."""
    joined = " ".join(words)
    if len(joined) < MIN_CHARS_EXACT:
        return None
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Signature:
    hashvalues: np.ndarray
    # The band keys, when computed ahead (a bulk load computes them in its other process).
    keys: tuple[int, ...] | None = field(default=None, compare=False)
    scheme: int = field(default=SCHEME_DATASKETCH, compare=False)

    def with_band_keys(self) -> Signature:
        return self if self.keys is not None else Signature(self.hashvalues, tuple(self.band_keys()), self.scheme)

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
        """One signed 64-bit key per band (SQLite INTEGER), band number mixed in (scheme 1; a
        scheme 2 signature carries its keys from ``signatures``)."""
        if self.keys is not None:
            return list(self.keys)
        if self.scheme == SCHEME_ARRAYS:
            return [int(k) for k in _array_band_keys(self.hashvalues.astype("<u8").reshape(-1, 1))[0]]
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


def signature(words: list[str], scheme: int = SCHEME_DATASKETCH) -> Signature | None:
    """MinHash over word shingles, or None when the text is too short for near-duplicate search."""
    return signatures([words], scheme)[0]


# Shingles permuted at once: 4,000 x 128 x 4 bytes, small enough to stay in the CPU's cache.
_CHUNK_SHINGLES = 4_000


def signatures(texts: list[list[str]], scheme: int = SCHEME_DATASKETCH) -> list[Signature | None]:
    """The signatures of many texts at once, in the given scheme (SCHEME_DATASKETCH: each the one
    ``MinHash.update_batch`` gives).

    The hashes and permutations of all shingles of many texts are one array operation, reduced
    per text: a bulk load spends its time on the shingles, not on per-text
    numpy calls. Where the installed datasketch computes differently from what this reproduces
    (its private hashing steps, checked once), each text goes through MinHash itself.
    """
    import numpy as np

    if scheme == SCHEME_ARRAYS:
        return _array_signatures(texts)
    if scheme != SCHEME_DATASKETCH:
        raise ValueError(f"unknown signature scheme {scheme}")
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


# --- scheme 2: hashes as arrays --------------------------------------------------------------------

_WORD_CACHE_MAX = 500_000  # distinct words kept (a German vocabulary, with names and numbers)
_M64 = (1 << 64) - 1
# Shingles per array operation: 8,192 x 128 x 8 bytes = 8 MiB.
_CHUNK_ROWS = 8_192


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class _WordHashes(dict[str, int]):
    """Each word's hash, computed the first time it is asked for (``__missing__``): a look-up of
    many words is one pass in C, also when some are new."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _WORD_CACHE_MAX:
            self.clear()
        h = self[word] = _word_hash(word)
        return h


_WORD_HASHES = _WordHashes()


@cache
def _affine() -> tuple[np.ndarray, np.ndarray]:
    """The 128 permutations of scheme 2: odd multipliers and offsets, fixed for good (derived from
    BLAKE2b, not from a random generator whose stream could change between library versions)."""
    import numpy as np

    raw = hashlib.blake2b(b"clusterwatch minhash scheme 2", digest_size=64).digest()
    stream = b"".join(hashlib.blake2b(raw + i.to_bytes(4, "little"), digest_size=64).digest() for i in range(32))
    values = np.frombuffer(stream, dtype="<u8")[: 2 * NUM_PERM].astype(np.uint64)
    return values[:NUM_PERM] | np.uint64(1), values[NUM_PERM:]


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, on a uint64 array (wrapping arithmetic)."""
    import numpy as np

    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _rotl(h: np.ndarray, bits: int) -> np.ndarray:
    import numpy as np

    return (h << np.uint64(bits)) | (h >> np.uint64(64 - bits))


def _word_hashes(words: list[str]) -> np.ndarray:
    """Each word's 64-bit hash, looked up in one C call (a word not seen before is hashed once)."""
    from operator import itemgetter

    import numpy as np

    if not words:
        return np.empty(0, dtype=np.uint64)
    found = itemgetter(*words)(_WORD_HASHES)
    return np.fromiter(found if len(words) > 1 else (found,), dtype=np.uint64, count=len(words))


def _mix_shingles(h: np.ndarray) -> np.ndarray:
    """Each 3-word window's hash, from its words' hashes (order matters)."""
    import numpy as np

    with np.errstate(over="ignore"):
        mixed = h[:-2] * np.uint64(0x9E3779B97F4A7C15) + _rotl(h[1:-1], 21) * np.uint64(0xC2B2AE3D27D4EB4F) \
            + _rotl(h[2:], 42)
        return _fmix64(mixed)


def shingle_hashes(words: list[str]) -> np.ndarray:
    """Scheme 2: one 64-bit hash per 3-word shingle (in order; a repeated shingle repeats its hash,
    which a minimum does not mind)."""
    import numpy as np

    if len(words) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    return _mix_shingles(_word_hashes(words))


def _array_band_keys(mins: np.ndarray) -> np.ndarray:
    """Scheme 2's LSH band keys of many signatures (columns): per band, its rows' values and the
    band's number mixed into one signed 64-bit key (a row per signature, a column per band)."""
    import numpy as np

    rows = mins.reshape(BANDS, ROWS, -1)
    with np.errstate(over="ignore"):
        key = np.broadcast_to((np.arange(BANDS, dtype=np.uint64) + np.uint64(1))[:, None]
                              * np.uint64(0xD6E8FEB86659FD93), rows.shape[::2]).copy()
        for r in range(ROWS):
            key = _fmix64(key ^ rows[:, r, :]) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(r + 1)
        key = _fmix64(key)
    return key.T.view(np.int64)


_BUFFERS = threading.local()


def _permutation_buffer(columns: int) -> np.ndarray:
    """A (NUM_PERM, columns) array for a chunk's permuted hashes, reused by the thread's next
    chunks: a new one each time (8 MiB) cost as much again in fresh memory as the arithmetic
    (0.05 against 0.025 ms per text). One per thread, so that threads never share one."""
    import numpy as np

    if columns > _CHUNK_ROWS:
        # one long text's chunk: its own array, so that the thread does not keep it for good
        return np.empty((NUM_PERM, columns), dtype=np.uint64)
    buffer = getattr(_BUFFERS, "permuted", None)
    if buffer is None:
        buffer = _BUFFERS.permuted = np.empty(NUM_PERM * _CHUNK_ROWS, dtype=np.uint64)
    return buffer[: NUM_PERM * columns].reshape(NUM_PERM, columns)


def _array_signatures(texts: list[list[str]]) -> list[Signature | None]:
    """Scheme 2 for many texts: their words hashed in one look-up, their shingles mixed as one
    array (windows across two texts left out), the permutations one outer product, the minimum
    per text one ``reduceat``."""
    import numpy as np

    a, b = _affine()
    out: list[Signature | None] = [None] * len(texts)
    todo = [i for i, words in enumerate(texts) if len(words) >= MIN_WORDS_NEAR]
    start = 0
    while start < len(todo):
        end, rows = start, 0
        while end < len(todo) and (end == start or rows + len(texts[todo[end]]) <= _CHUNK_ROWS):
            rows += len(texts[todo[end]])
            end += 1
        chunk = todo[start:end]
        lengths = np.array([len(texts[i]) for i in chunk])
        word_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        mixed = _mix_shingles(_word_hashes([w for i in chunk for w in texts[i]]))
        # The windows that lie inside one text: a text of n words has n - 2, starting at its first word.
        counts = lengths - (SHINGLE - 1)
        valid = np.repeat(word_starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) \
            + np.arange(int(counts.sum()))
        flat = mixed[valid]
        permuted = _permutation_buffer(flat.size)
        with np.errstate(over="ignore"):
            np.multiply(a[:, None], flat[None, :], out=permuted)
            permuted += b[:, None]
        mins = np.minimum.reduceat(permuted, np.concatenate(([0], np.cumsum(counts)[:-1])), axis=1)
        keys = _array_band_keys(mins).tolist()
        for k, i in enumerate(chunk):
            out[i] = Signature(np.ascontiguousarray(mins[:, k]), tuple(keys[k]), SCHEME_ARRAYS)
        start = end
    return out
