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
_MAGIC_DICT = b"ita-report wordcut dictionary 3\n"
_VERSION = re.compile(rb"""__version__\s*=\s*["']([^"']+)["']""")

_lock = threading.Lock()
_state: dict[str, Any] = {}  # "key", "memo" (loaded lazily), "dictionary"
_used: dict[str, set[str]] = {"words": set(), "clusters": set()}
_new = [0]
stats = {"remembered": 0, "cut": 0}


class Dictionary:
    """pythainlp's word list, answering ``prefixes`` as its ``Trie`` does (same words, same
    order: shortest first).

    The words of two letters or more are kept by their first two letters, each group as one
    text (a word a line) made into a set the first time a text is looked up there: a command
    that cuts a few new paragraphs loads the list in a few milliseconds and splits only the
    groups it meets, not all ~62,000 words."""

    __slots__ = ("around", "groups", "lengths", "sets", "singles", "spaced")

    def __init__(
        self,
        singles: frozenset[str],
        groups: dict[str, str],
        lengths: dict[str, tuple[int, ...]],
        spaced: tuple[str, ...] = (),
    ) -> None:
        self.singles = singles
        self.groups = groups
        self.lengths = lengths
        self.sets: dict[str, frozenset[str]] = {}
        #: the words that hold a run of spaces or a line break (``ทุก ๆ``), and for each run
        #: inside one, by the letters on its two sides, the word and where the run starts in it
        self.spaced = spaced
        self.around: dict[str, list[tuple[str, int]]] = {}
        for word in spaced:
            for run in _WHITESPACE.finditer(word):
                key = word[run.start() - 1 : run.start()] + word[run.end() : run.end() + 1]
                self.around.setdefault(key, []).append((word, run.start()))

    @classmethod
    def build(cls, words: Iterable[str]) -> Dictionary:
        # pythainlp's Trie strips each word and never matches the empty one
        clean = {w for w in (w.strip() for w in words) if w}
        grouped: dict[str, list[str]] = {}
        for w in clean:
            if len(w) >= 2:
                grouped.setdefault(w[:2], []).append(w)
        lengths = {k: tuple(sorted({len(w) for w in v})) for k, v in grouped.items()}
        groups = {k: "\0".join(sorted(v)) for k, v in grouped.items()}
        spaced = tuple(sorted(w for w in clean if _WHITESPACE.search(w)))
        return cls(frozenset(w for w in clean if len(w) == 1), groups, lengths, spaced)

    def _group(self, start: str) -> frozenset[str]:
        found = self.sets.get(start)
        if found is None:
            found = self.sets[start] = frozenset(self.groups.get(start, "").split("\0")) - {""}
        return found

    def __bool__(self) -> bool:
        return True

    def __contains__(self, word: str) -> bool:
        if len(word) < 2:
            return word in self.singles
        return word in self._group(word[:2])

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words of the dictionary that ``text`` holds at ``start``, shortest first."""
        out = []
        first = text[start : start + 1]
        if first in self.singles:
            out.append(first)
        two = text[start : start + 2]
        lengths = self.lengths.get(two)
        if lengths:
            words = self._group(two)
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
        for name in ("__init__.py", "corpus/words_th.txt", "tokenize/core.py", "tokenize/tcc.py", *_NEWMM_SOURCES):
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
                singles, groups, lengths, spaced = marshal.loads(payload)
                if isinstance(singles, frozenset) and isinstance(groups, dict) and isinstance(lengths, dict):
                    made = Dictionary(singles, groups, lengths, tuple(spaced))
            except (EOFError, ValueError, TypeError):
                made = None
        if made is None:
            from pythainlp.corpus import thai_words  # slow import, only when a text is new

            made = Dictionary.build(thai_words())
            if path is not None:
                diskcache.write(
                    path, _MAGIC_DICT, _key(), marshal.dumps((made.singles, made.groups, made.lengths, made.spaced))
                )
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
        pieces = _pieces(text)
        if len(pieces) == 1:
            cut = tuple(_newmm()(text))
        else:  # each piece cut (or recalled) alone: the same words (see _pieces)
            cut = tuple(t for piece in pieces for t in ((piece,) if _WHITESPACE.fullmatch(piece) else words(piece)))
        stats["cut"] += 1
        _remember("words", text, cut)
    if keep_whitespace:
        return list(cut)
    return [t.strip(" ") for t in cut if t.strip(" ")]  # pythainlp's strip_whitespace


#: What newmm always cuts out as a word of its own: a run of spaces or tabs, a line break.
_WHITESPACE = re.compile(r"[ \t]+|\r?\n")


def _pieces(text: str) -> list[str]:
    """``text`` cut at its runs of spaces and line breaks, the runs kept as pieces, except
    where a dictionary word that holds such a run (``ทุก ๆ``) is in the text across it.

    newmm cuts a text so: a run of spaces or a line break is a word of its own, a word found
    in the dictionary never crosses one unless it holds one itself, a word it does not know
    ends before one, and numbers are joined (``12:00``) only across digits and separators.
    So the words of ``text`` are the words of each piece: a paragraph edited in one place is
    cut again there only (``tests/test_wordcut.py`` compares the two on the sample workbooks
    and on random text). Short texts are not cut into pieces."""
    if len(text) < 24:
        return [text]
    runs = list(_WHITESPACE.finditer(text))
    if not runs:
        return [text]
    around = dictionary().around
    out: list[str] = []
    at = 0
    for run in runs:
        a, b = run.start(), run.end()
        if a == 0 or b == len(text):
            continue
        held = any(text.startswith(word, a - offset) for word, offset in around.get(text[a - 1] + text[b], ()))
        if held:
            continue
        out.append(text[at:a])
        out.append(text[a:b])
        at = b
    out.append(text[at:])
    return [p for p in out if p]


#: pythainlp's own modules that newmm's cut runs on: loaded by :func:`_newmm` from their source.
_NEWMM_SOURCES = ("tokenize/tcc_p.py", "tokenize/_utils.py", "tokenize/newmm.py")
#: The two imports of ``newmm.py`` that would import the whole package, and what stands for them.
_NEWMM_IMPORTS = {
    "from pythainlp.tokenize import word_dict_trie\n": "word_dict_trie = None  # (a dictionary is always given)\n",
    "from pythainlp.tokenize.tcc_p import tcc_pos_array\n": "tcc_pos_array = _tcc_p.tcc_pos_array\n",
}


def _newmm() -> Any:
    """``cut(text)``: ``pythainlp.tokenize.word_tokenize(text, custom_dict=dictionary(),
    engine="newmm", keep_whitespace=True)``.

    Importing ``pythainlp.tokenize`` imports the whole package (soundex, spelling, emoji
    tables: ~60 ms, as much as the rest of a build of one changed workbook). Its word cut is
    three small modules of its own, ``tcc_p.py``, ``tokenize/_utils.py`` and ``newmm.py``, that
    need nothing of the package but each other: their source is run here as private modules,
    with ``newmm.py``'s two package imports replaced by the names they give. The cut is
    pythainlp's own code (``tests/test_wordcut.py`` compares it with ``word_tokenize``); when
    the sources are not as expected (another pythainlp), ``word_tokenize`` itself is used."""
    found = _state.get("newmm")
    if found is not None:
        return found
    cut = _newmm_from_source()
    if cut is None:
        from pythainlp.tokenize import word_tokenize  # the whole package

        def cut(text: str) -> list[str]:
            return list(word_tokenize(text, custom_dict=dictionary(), engine="newmm", keep_whitespace=True))

    _state["newmm"] = cut
    return cut


def _newmm_from_source() -> Any:
    import types

    spec = importlib.util.find_spec("pythainlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    modules: dict[str, types.ModuleType] = {}
    for name in _NEWMM_SOURCES:
        path = root / name
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if name.endswith("newmm.py"):
            for line, stand_in in _NEWMM_IMPORTS.items():
                if source.count(line) != 1:
                    return None
                source = source.replace(line, stand_in)
        module = types.ModuleType(f"compiler._pythainlp_{Path(name).stem}")
        module.__dict__["_tcc_p"] = modules.get("tcc_p")
        try:
            exec(_compiled(source, path), module.__dict__)  # pythainlp's own code
        except Exception:  # another pythainlp: its package import instead
            return None
        modules[Path(name).stem] = module
    segment = getattr(modules["newmm"], "segment", None)
    rejoin = getattr(modules["_utils"], "rejoin_formatted_num", None)
    if segment is None or rejoin is None:
        return None

    def cut(text: str) -> list[str]:
        return list(rejoin(segment(text, dictionary()))) if text else []

    return cut


_MAGIC_CODE = b"ita-report wordcut code 1\n"


def _compiled(source: str, path: Path) -> Any:
    """``compile(source, path, "exec")``, kept in the cache folder by the source's SHA-256 and
    Python's version (a compile of the three modules is most of their load)."""
    import sys

    key = hashlib.sha256(f"{sys.version}\n{path}\n".encode() + source.encode("utf-8")).hexdigest()
    folder = diskcache.cache_folder()
    where = None if folder is None else folder / "wordcut" / f"code-{key}.bin"
    payload = None if where is None else diskcache.read(where, _MAGIC_CODE, key)
    if payload is not None:
        try:
            return marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            pass
    code = compile(source, str(path), "exec")
    if where is not None:
        diskcache.write(where, _MAGIC_CODE, key, marshal.dumps(code))
    return code


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
