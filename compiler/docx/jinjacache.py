"""Compile each docxtpl template once: Jinja code cached by the template's content.

docxtpl turns a .docx into one Jinja source per part (body, headers, footers) and compiles
it with ``Environment.from_string`` at every render; for our report that is ~10 % of a
build. An environment with :class:`CompileOnce` mixed in keeps the compiled code

- in this process (a long-lived server compiles each template once), and
- on disk in the user's cache folder (a command run again skips the compile), one file per
  source, named by the SHA-256 of the source text and of everything that changes the
  compiled code (Jinja's and Python's versions, the environment's options). An edited
  template has another hash, so it is compiled afresh; a cache file that is short, damaged
  or not ours fails its checksum and is ignored and rewritten, never trusted.

The folder is :func:`compiler.diskcache.cache_folder` (``ITA_REPORT_CACHE=off`` turns it
off). A folder that cannot be written only costs the compile.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import threading
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2

from compiler import diskcache
from compiler.diskcache import cache_folder  # where the compiled code is kept

_MAGIC = b"ita-report jinja 1\n"
_memory: dict[str, CodeType] = {}
_lock = threading.Lock()
stats = {"memory": 0, "disk": 0, "compiled": 0}


class CompileOnce:
    """Mixed into a Jinja environment class: its ``from_string`` compiles a given source once.

    The key holds the environment's class and its sandbox's intercepted operators, so a
    sandboxed environment never gets code compiled for another.
    """

    def _key(self: Any, source: str) -> str:
        options = (
            jinja2.__version__,
            sys.version,
            type(self).__module__,
            type(self).__qualname__,
            tuple(sorted(getattr(self, "intercepted_binops", ()))),
            tuple(sorted(getattr(self, "intercepted_unops", ()))),
            self.autoescape,
            self.undefined.__module__,
            self.undefined.__qualname__,
            self.block_start_string,
            self.block_end_string,
            self.variable_start_string,
            self.variable_end_string,
            self.comment_start_string,
            self.comment_end_string,
            self.line_statement_prefix,
            self.line_comment_prefix,
            self.trim_blocks,
            self.lstrip_blocks,
            self.newline_sequence,
            self.keep_trailing_newline,
            tuple(sorted(self.extensions)),
            self.optimized,
        )
        digest = hashlib.sha256(repr(options).encode("utf-8"))
        digest.update(source.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def from_string(
        self: Any,
        source: str | jinja2.nodes.Template,
        globals: dict[str, Any] | None = None,
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if not isinstance(source, str) or callable(self.autoescape):
            return super().from_string(source, globals, template_class)  # type: ignore[misc]
        key = self._key(source)
        code = _memory.get(key)
        if code is not None:
            stats["memory"] += 1
        else:
            code = _load(key)
            if code is not None:
                stats["disk"] += 1
            else:
                code = self.compile(source)  # raises TemplateSyntaxError as usual
                stats["compiled"] += 1
                _store(key, code)
            with _lock:
                _memory[key] = code
        cls = template_class or self.template_class
        return cls.from_code(self, code, self.make_globals(globals), None)


def _path(key: str) -> Path | None:
    folder = cache_folder()
    return None if folder is None else folder / "jinja" / f"{key}.bin"


def _load(key: str) -> CodeType | None:
    """The cached code of ``key``; ``None`` when absent, unreadable or failing its checksum."""
    path = _path(key)
    payload = None if path is None else diskcache.read(path, _MAGIC, key)
    if payload is None:
        return None
    try:
        code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _store(key: str, code: CodeType) -> None:
    """Write ``code`` under ``key`` atomically; a folder that cannot be written is no error."""
    path = _path(key)
    if path is not None:
        diskcache.write(path, _MAGIC, key, marshal.dumps(code))


class CachingEnvironment(CompileOnce, jinja2.Environment):
    """A plain Jinja environment that compiles each source once."""
