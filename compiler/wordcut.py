"""Thai words and character clusters from pythainlp, quick to start and remembered.

pythainlp's ``newmm`` cuts Thai text into words with its dictionary of ~62,000 words, which it
holds as a trie built afresh in every process: 0.3–0.5 s, more than the rest of a build.
``newmm`` asks its dictionary one thing, the words that start at a place in the text
(``prefixes``); :class:`Dictionary` answers it from the same word list kept as a set plus,
for each two-letter start, the lengths of the words that have it. That is built in a few
hundredths of a second (and kept in the cache folder, so later runs only load it), and every
text is cut exactly as with pythainlp's own dictionary (``tests/test_wordcut.py`` compares
them on the sample workbooks and on random text).

A text once cut is remembered, in the process and in the cache folder
(:mod:`compiler.diskcache`, written when the process ends): a build whose texts were all
seen before does not import pythainlp at all. Both files are keyed by pythainlp's version
and the size and time of its word list and tokenizer code, so an upgraded pythainlp starts
afresh; a damaged file fails its checksum and is ignored.

``words("ส่วนงานที่รับผิดชอบ") == ["ส่วน", "งาน", "ที่", "รับผิดชอบ"]``;
``clusters("ภูซาง") == ["ภู", "ซา", "ง"]``.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import marshal
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compiler import diskcache

#: At most this many texts are kept on disk (the file stays a few MB, loaded in milliseconds);
#: when more were seen, those of the last process are kept.
MAX_REMEMBERED = 30_000
_MAGIC_MEMO = b"ita-report wordcut memo 1\n"
_MAGIC_DICT = b"ita-report wordcut dictionary 1\n"
_VERSION = re.compile(rb"""__version__\s*=\s*["']([^"']+)["']""")

_lock = threading.Lock()
_state: dict[str, Any] = {}  # "key", "memo" (loaded lazily), "dictionary"
_used: dict[str, set[str]] = {"words": set(), "clusters": set()}
_new = [0]
stats = {"remembered": 0, "cut": 0}


class Dictionary:
    """pythainlp's word list, answering ``prefixes`` as its ``Trie`` does (same words, same
    order: shortest first)."""

    __slots__ = ("lengths", "words")

    def __init__(self, words: frozenset[str], lengths: dict[str, tuple[int, ...]]) -> None:
        self.words = words
        self.lengths = lengths

    @classmethod
    def build(cls, words: Iterable[str]) -> Dictionary:
        # pythainlp's Trie strips each word and never matches the empty one
        clean = frozenset(w for w in (w.strip() for w in words) if w)
        index: dict[str, set[int]] = {}
        for w in clean:
            if len(w) >= 2:
                index.setdefault(w[:2], set()).add(len(w))
        return cls(clean, {k: tuple(sorted(v)) for k, v in index.items()})

    def __bool__(self) -> bool:
        return True

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words of the dictionary that ``text`` holds at ``start``, shortest first."""
        words = self.words
        out = []
        first = text[start : start + 1]
        if first in words:
            out.append(first)
        lengths = self.lengths.get(text[start : start + 2])
        if lengths:
            room = len(text) - start
            for n in lengths:
                if n > room:
                    break
                piece = text[start : start + n]
                if piece in words:
                    out.append(piece)
        return out


def _pythainlp_key() -> str:
    """What the cut depends on: pythainlp's version, its word list and its tokenizer code."""
    spec = importlib.util.find_spec("pythainlp")
    parts: list[object] = [MAX_REMEMBERED]
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        for name in ("__init__.py", "corpus/words_th.txt", "tokenize/newmm.py", "tokenize/core.py", "tokenize/tcc.py"):
            try:
                st = (root / name).stat()
                parts.append((name, st.st_size, st.st_mtime_ns))
            except OSError:
                parts.append((name, None))
        try:
            found = _VERSION.search((root / "__init__.py").read_bytes())
            parts.append(found.group(1) if found else None)
        except OSError:
            pass
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def _key() -> str:
    key = _state.get("key")
    if key is None:
        key = _state["key"] = _pythainlp_key()
    return str(key)


def _file(kind: str) -> Path | None:
    folder = diskcache.cache_folder()
    return None if folder is None else folder / "wordcut" / f"{kind}-{_key()}.bin"


def _memo() -> dict[str, dict[str, tuple[str, ...]]]:
    memo = _state.get("memo")
    if memo is None:
        memo = {"words": {}, "clusters": {}}
        path = _file("memo")
        payload = None if path is None else diskcache.read(path, _MAGIC_MEMO, _key())
        if payload is not None:
            try:
                loaded = marshal.loads(payload)
            except (EOFError, ValueError, TypeError):
                loaded = None
            if isinstance(loaded, dict) and all(isinstance(loaded.get(k), dict) for k in memo):
                memo = loaded
        _state["memo"] = memo
    return memo  # type: ignore[no-any-return]


def dictionary() -> Dictionary:
    """pythainlp's default word list as a :class:`Dictionary` (from the cache folder when
    it is there)."""
    found = _state.get("dictionary")
    if found is not None:
        return found  # type: ignore[no-any-return]
    with _lock:
        if "dictionary" in _state:
            return _state["dictionary"]  # type: ignore[no-any-return]
        path = _file("dictionary")
        payload = None if path is None else diskcache.read(path, _MAGIC_DICT, _key())
        made = None
        if payload is not None:
            try:
                words, lengths = marshal.loads(payload)
                if isinstance(words, frozenset) and isinstance(lengths, dict):
                    made = Dictionary(words, lengths)
            except (EOFError, ValueError, TypeError):
                made = None
        if made is None:
            from pythainlp.corpus import thai_words  # slow import, only when a text is new

            made = Dictionary.build(thai_words())
            if path is not None:
                diskcache.write(path, _MAGIC_DICT, _key(), marshal.dumps((made.words, made.lengths)))
        _state["dictionary"] = made
        return made


def _remember(kind: str, text: str, cut: tuple[str, ...]) -> None:
    memo = _memo()[kind]
    if len(memo) >= 2 * MAX_REMEMBERED:  # a long-lived server: start afresh, not grow forever
        memo.clear()
        _used[kind].clear()
    memo[text] = cut
    _used[kind].add(text)
    if not _state.get("at_exit"):
        _state["at_exit"] = atexit.register(save)
    _new[0] += 1


def _recalled(kind: str, text: str) -> tuple[str, ...] | None:
    found = _memo()[kind].get(text)
    if found is not None:
        _used[kind].add(text)
        stats["remembered"] += 1
    return found


def words(text: str, keep_whitespace: bool = True) -> list[str]:
    """``pythainlp.tokenize.word_tokenize(text, engine="newmm", keep_whitespace=…)``, the
    same words, remembered. ``words("ผลการ ดำเนินการ") == ["ผล", "การ", " ", "ดำเนินการ"]``."""
    if not text:
        return []
    cut = _recalled("words", text)
    if cut is None:
        from pythainlp.tokenize import word_tokenize  # slow import, only when a text is new

        cut = tuple(word_tokenize(text, custom_dict=dictionary(), engine="newmm", keep_whitespace=True))
        stats["cut"] += 1
        _remember("words", text, cut)
    if keep_whitespace:
        return list(cut)
    return [t.strip(" ") for t in cut if t.strip(" ")]  # pythainlp's strip_whitespace


def clusters(text: str) -> list[str]:
    """``pythainlp.tokenize.subword_tokenize(text, engine="tcc")`` (Thai character clusters),
    remembered. ``clusters("ภูซาง") == ["ภู", "ซา", "ง"]``."""
    if not text:
        return []
    cut = _recalled("clusters", text)
    if cut is None:
        from pythainlp.tokenize import subword_tokenize  # slow import, only when a text is new

        cut = tuple(subword_tokenize(text, engine="tcc"))
        stats["cut"] += 1
        _remember("clusters", text, cut)
    return list(cut)


def save() -> None:
    """Write the remembered texts to the cache folder if any are new (also done when the
    process ends). Past :data:`MAX_REMEMBERED` texts, only those this process used are kept."""
    if not _new[0]:
        return
    path = _file("memo")
    if path is None:
        return
    memo = _memo()
    with _lock:
        if sum(len(m) for m in memo.values()) > MAX_REMEMBERED:
            # copies first: a server's other threads may be adding to them
            used = {kind: set(texts) for kind, texts in _used.items()}
            memo = {kind: {t: cut for t, cut in dict(m).items() if t in used[kind]} for kind, m in memo.items()}
        payload = marshal.dumps(memo)
        _new[0] = 0
    diskcache.write(path, _MAGIC_MEMO, _key(), payload)
