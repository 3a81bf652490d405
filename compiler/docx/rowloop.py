"""The report's row loop rendered one row at a time, each row's XML remembered.

A server building again after one department changed its workbook gets the same row dicts
for every other measure (:func:`compiler.report.render.measure_context` remembers them), yet
Jinja renders the whole ``{% for m in measures %}`` loop afresh. Here a template whose loop can
be cut out safely is rendered as its text outside the loop plus each row on its own, and a
row's XML is remembered by the row dict itself (the same object, kept alive by the memo) and
the values of the other variables the row's template uses.

Only a loop this module understands is cut out: ``{% for NAME in measures %}`` … ``{% endfor %}``
with no ``{% else %}`` of its own, no whitespace control (``{%-``/``-%}``) anywhere, no tag but
``for``/``if``/``elif``/``else``/``endif``/``endfor`` and no comment anywhere in the template,
and a row that does not use ``loop``. Every other template is rendered whole, as before. A
template that is cut is also checked once in the process: its text rendered whole and cut must
be equal (for the data of that build, pictures left out) or it is rendered whole from then on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup

from compiler.remember import Kept

_TAG = re.compile(r"\{%(-?)\s*(\w+)(.*?)(-?)%\}", re.S)
_ALLOWED = frozenset({"for", "if", "elif", "else", "endif", "endfor"})
_LOOP = re.compile(r"^(\w+)\s+in\s+measures$")
_PLACEHOLDER = "__ita_rows_{}"
_ROW_MARK = "<!--ita-row {} {}-->"
_END_MARK = "<!--ita-rows-end {} {}-->"


@dataclass(frozen=True)
class Loop:
    """One row loop: its variable, the row's template and the other names the row uses."""

    name: str
    body: str
    uses: tuple[str, ...]

    @property
    def one_row(self) -> bool:
        """True when the body is one table row and nothing else: its rows can be marked."""
        body = self.body
        return (
            body.startswith(("<w:tr>", "<w:tr "))
            and body.endswith("</w:tr>")
            and body.count("<w:tr>") + body.count("<w:tr ") == 1
        )


@dataclass(frozen=True)
class Cut:
    """A template's source with each row loop replaced by a call of its placeholder."""

    outer: str
    loops: tuple[Loop, ...]


def cut(source: str, env: jinja2.Environment) -> Cut | None:
    """The row loops of ``source`` cut out (see the module docstring), or ``None``."""
    if "{#" in source or "{{-" in source or "-}}" in source or "measures" not in source:
        return None
    stack: list[tuple[str, re.Match[str]]] = []
    found: list[tuple[re.Match[str], re.Match[str], str]] = []
    for tag in _TAG.finditer(source):
        if tag.group(1) or tag.group(4) or tag.group(2) not in _ALLOWED:
            return None
        kind = tag.group(2)
        if kind == "for":
            loop = _LOOP.match(tag.group(3).strip())
            inside = any(k == "measures" for k, _ in stack)
            stack.append(("measures", tag) if loop and not inside else ("for", tag))
        elif kind == "if":
            stack.append(("if", tag))
        elif kind in ("elif", "else"):
            if not stack or stack[-1][0] == "measures":
                return None  # a loop's own else: not cut
        else:
            if not stack:
                return None
            opened, start = stack.pop()
            if (kind == "endfor") != (opened in ("for", "measures")):
                return None
            if opened == "measures":
                name = _LOOP.match(start.group(3).strip())
                assert name is not None
                found.append((start, tag, name.group(1)))
    if stack or not found:
        return None
    outer: list[str] = []
    loops: list[Loop] = []
    at = 0
    for i, (start, end, name) in enumerate(sorted(found, key=lambda f: f[0].start())):
        body = source[start.end() : end.start()]
        try:
            uses = jinja2.meta.find_undeclared_variables(env.parse(body)) - {name}
        except jinja2.TemplateSyntaxError:
            return None
        if "loop" in uses or name == "loop":
            return None
        outer.append(source[at : start.start()])
        outer.append("{{ " + _PLACEHOLDER.format(i) + "() }}")
        at = end.end()
        loops.append(Loop(name, body, tuple(sorted(uses))))
    outer.append(source[at:])
    return Cut("".join(outer), tuple(loops))


#: Rows rendered in this process: at most this many, of at most this many characters each
#: (a row of the 300-measure report is ~2,000: a few MB at most; a longer row is rendered again).
_ROWS_KEPT = 2048
_ROW_LONGEST = 8_000
_rows: Kept[tuple[Any, ...], tuple[Any, str]] = Kept(_ROWS_KEPT)
#: What each template source became: its cut (or ``None``: rendered whole) and whether the
#: cut was checked; by the source's SHA-256.
_cuts: Kept[str, tuple[Cut | None, bool]] = Kept(32)
_seen: Kept[str, bool] = Kept(32)
stats = {"rows": 0, "remembered": 0, "whole": 0, "checked": 0}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _render_rows(
    env: jinja2.Environment, loop: Loop, context: Mapping[str, Any], remember: bool, mark: tuple[str, int] | None = None
) -> Markup:
    template = env.from_string(loop.body)
    marks = mark is not None and loop.one_row
    others = tuple(context.get(n) for n in loop.uses)
    remember = remember and all(n in context for n in loop.uses) and all(_plain(v) for v in others)
    out = []
    for row in context["measures"]:
        if marks:
            out.append(_ROW_MARK.format(*mark))  # type: ignore[misc]
        key = (loop.body, loop.name, id(row), others)
        hit = _rows.get(key) if remember else None
        if hit is not None and hit[0] is row:
            stats["remembered"] += 1
            out.append(hit[1])
            continue
        text = template.render({**context, loop.name: row})
        stats["rows"] += 1
        if remember and len(text) <= _ROW_LONGEST:
            _rows.keep(key, (row, text))  # the row kept alive: its id is not reused meanwhile
        out.append(text)
    if marks:
        out.append(_END_MARK.format(*mark))  # type: ignore[misc]
    return Markup("".join(out))


def _render_cut(
    env: jinja2.Environment, made: Cut, context: Mapping[str, Any], remember: bool, mark: str | None = None
) -> str:
    variables = dict(context)
    for i, loop in enumerate(made.loops):
        variables[_PLACEHOLDER.format(i)] = partial(
            _render_rows, env, loop, context, remember, None if mark is None else (mark, i)
        )
    return str(env.from_string(made.outer).render(variables))


def render(
    env: jinja2.Environment,
    source: str,
    context: Mapping[str, Any],
    *,
    mark: str | None = None,
    found: dict[str, Any] | None = None,
) -> str | None:
    """``source`` rendered with ``context`` row by row, or ``None`` when it is to be rendered
    whole (the first time a source is seen in the process unless ``mark`` is given, and for a
    template that is not cut). With ``mark`` the rows are marked (see the module docstring)
    and ``found["cut"]`` is the :class:`Cut` rendered.

    The second time a source is seen its cut is checked: rendered whole and cut with the
    pictures left out of the context (rendering a picture adds it to the document), the two
    must be equal."""
    if not isinstance(context.get("measures"), list):
        return None
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    known = _cuts.get(digest)
    if known is None:
        if not _seen.get(digest) and mark is None:
            _seen.keep(digest, True)  # a command builds once: no row is seen again
            stats["whole"] += 1
            return None
        made = cut(source, env)
        checked = made is not None and _check(env, source, made, context)
        known = (made if checked else None, True)
        _cuts.keep(digest, known)
    made = known[0]
    if made is None:
        stats["whole"] += 1
        return None
    if found is not None:
        found["cut"] = made
    return _render_cut(env, made, context, remember=True, mark=mark)


def _check(env: jinja2.Environment, source: str, made: Cut, context: Mapping[str, Any]) -> bool:
    quiet = {k: (v if _plain(v) or isinstance(v, (list, dict, tuple)) else "") for k, v in context.items()}
    stats["checked"] += 1
    try:
        whole = env.from_string(source).render(quiet)
        return bool(whole == _render_cut(env, made, quiet, remember=False))
    except jinja2.TemplateError:
        return False
