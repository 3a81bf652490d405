"""Data text for templates, and the Jinja environment every template is rendered in.

Cell text is data, never template code or markup: :func:`wrap_data` marks every string of a
template's context so that autoescape writes ``{{``, ``<`` and ``&`` as typed, and docxtpl's
own markers (``{_{``) cannot be forged; :func:`jinja_env` is sandboxed. Kept apart from
:mod:`compiler.docx.templating` so that a build assembled from remembered rows
(:mod:`compiler.report.assemble`) renders a new row without importing docxtpl or python-docx.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2
import jinja2.sandbox
from markupsafe import escape

from compiler.docx.jinjacache import CompileOnce
from compiler.remember import Kept
from compiler.thai import split_long, xml_safe

# --- rendering a docxtpl template ---------------------------------------------------------
#: Post-render replacements docxtpl applies to the whole XML (``{_{`` becomes ``{{``…); data
#: holding these is written with an escaped underscore so it comes out as typed.
_DOCXTPL_MARKERS = re.compile(r"\{_(?=[{%])|(?<=[}%])_\}")


class _Text(str):
    """Data text, escaped for XML and protected from docxtpl's marker rewriting."""

    __slots__ = ()

    def __html__(self) -> str:
        known = _html.get(self)
        if known is not None:
            return known
        escaped = str(escape(str(self)))
        if "_" in escaped:  # no marker without an underscore
            escaped = _DOCXTPL_MARKERS.sub(lambda m: m.group(0).replace("_", "&#95;"), escaped)
        if len(self) <= _HTML_LONGEST:
            _html.keep(self, escaped)
        return escaped


#: The escaped form of the texts rendered in this process (a server renders the texts of the
#: departments that did not change again): at most this many texts of at most this length.
_HTML_KEPT = 8192
_HTML_LONGEST = 1000
_html: Kept[str, str] = Kept(_HTML_KEPT)


class Wrapped(dict):  # type: ignore[type-arg]
    """A dict whose strings are :func:`data_text` already: :func:`wrap_data` takes it as it is."""

    __slots__ = ()


def wrapped(value: Mapping[str, Any]) -> Wrapped:
    """``value`` with every string inside it wrapped (:func:`wrap_data`), marked as such so
    that it is not walked again: for data kept between builds (a report's rows)."""
    return Wrapped(wrap_data(value))


def data_text(value: str) -> str:
    """Mark ``value`` as data for a template: characters XML forbids dropped, the rest literal.

    ``{{``, ``{%``, ``<`` and ``&`` come out as typed (``"ก & ข" -> "ก &amp; ข"`` in XML).
    A value not wrapped here is still escaped by autoescape; wrapping also protects the
    rare ``{_{`` sequence that docxtpl would otherwise rewrite to ``{{``.
    """
    return _Text(xml_safe(value))


def _data(value: str) -> str:
    """:func:`data_text` of a plain string, as a plain string when it has no underscore.

    Without an underscore there is no docxtpl marker to protect, and autoescape's own
    escape of a plain string (markupsafe's C code) gives the same XML as
    :meth:`_Text.__html__`, without a Python call and a memo look-up for each of the
    ~40,000 values a report prints."""
    value = xml_safe(value)
    return _Text(value) if "_" in value else value


def wrap_data(value: Any) -> Any:
    """:func:`data_text` applied to every string inside dicts, lists and tuples (a string
    without an underscore stays a plain string: see :func:`_data`)."""
    kind = type(value)  # the exact types first: a report's context holds ~10,000 values
    if kind is Wrapped:
        return value
    if kind is str:
        return _data(value)
    if kind is dict:
        return {k: wrap_data(v) for k, v in value.items()}
    if kind is list:
        return [wrap_data(v) for v in value]
    if isinstance(value, _Text):
        return value
    if isinstance(value, str):
        return _data(str(value))
    if isinstance(value, Mapping):
        return {k: wrap_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wrap_data(v) for v in value]
    return value


#: The longest text or list a template may make with ``*`` or ``**`` (``{{ "x" * 10**10 }}``).
_MAX_PRODUCT = 1_000_000


class _Sandbox(CompileOnce, jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's sandbox, which also refuses ``*`` and ``**`` that would fill the memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if abs(right) > 64 and abs(left) > 1:
                raise jinja2.sandbox.SecurityError(f"{left!r} ** {right!r} is too large for a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > _MAX_PRODUCT:
                    raise jinja2.sandbox.SecurityError("a text or list repeated past a million items in a template")
        return super().call_binop(context, operator, left, right)


def jinja_env() -> jinja2.Environment:
    """The Jinja environment for every template: sandboxed, autoescape on, undefined variables fatal.

    A template may come from elsewhere (``--template``, shared between offices): the sandbox
    refuses ``{{ ''.__class__.__mro__ }}`` and every other reach into Python's internals, so
    a template can only lay out the data it is given, never run code. Each template's code is
    compiled once (:mod:`compiler.docx.jinjacache`).
    """
    return _Sandbox(autoescape=True, undefined=jinja2.StrictUndefined)


def cleaned(xml: str) -> str:
    """docxtpl's clean-up of a part's rendered text (``DocxTemplate.render_xml_part``, its two
    regular expressions as replaces): the line breaks it put before each ``<w:p`` removed,
    its escaped markers (``{_{``) turned back into text. Used by a whole render and by a row
    rendered alone (:mod:`compiler.report.assemble`), which must give the same text."""
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


_LISTING = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")


def has_listing(xml: str) -> bool:
    """``_LISTING.search(xml) is not None`` (a ``w:t`` whose text holds a tab, bell, line or
    form feed), found from the few such characters instead of a scan of every tag."""
    for char in "\t\a\n\f":
        i = xml.find(char)
        while i != -1:
            start = xml.rfind("<", 0, i)  # the tag the character follows, if any
            if start != -1 and xml.startswith(("<w:t>", "<w:t "), start) and xml.find(">", start, i) != -1:
                return True
            i = xml.find(char, i + 1)
    return False


#: The longest paragraph of data text a document holds. LibreOffice lays out a paragraph in
#: time that grows with the square of its length (one 32,767-character cell of emoji took
#: minutes; the same text as 2,000-character paragraphs, seconds), so longer text becomes
#: several paragraphs, cut at a space or between Thai words. No real cell comes near it.
PARAGRAPH_LIMIT = 2000


def paragraphs(text: str) -> list[str]:
    """``text`` as the paragraphs a document holds: one, unless longer than :data:`PARAGRAPH_LIMIT`."""
    return split_long(text, PARAGRAPH_LIMIT)
