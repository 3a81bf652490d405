"""compiler.docx.jinjacache: each template compiled once, keyed by its content."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from compiler.docx import jinjacache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ITA_REPORT_CACHE", str(folder))
    monkeypatch.setattr(jinjacache, "_memory", {})
    monkeypatch.setattr(jinjacache, "stats", {"memory": 0, "disk": 0, "compiled": 0})
    return folder


def _env(**options: object) -> jinjacache.CachingEnvironment:
    return jinjacache.CachingEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, **options)  # type: ignore[arg-type]


def _files(folder: Path) -> list[Path]:
    return sorted((folder / "jinja").glob("*.bin"))


def test_compiled_once_then_from_memory_then_from_disk(cache: Path) -> None:
    source = "<w:t>{{ name }}</w:t>{% for x in xs %}[{{ x }}]{% endfor %}"
    assert _env().from_string(source).render(name="a<b", xs=[1, 2]) == "<w:t>a&lt;b</w:t>[1][2]"
    assert _env().from_string(source).render(name="ข", xs=[]) == "<w:t>ข</w:t>"
    assert jinjacache.stats == {"memory": 1, "disk": 0, "compiled": 1}
    assert len(_files(cache)) == 1
    jinjacache._memory.clear()  # a new process: the disk has it
    assert _env().from_string(source).render(name="c", xs=[3]) == "<w:t>c</w:t>[3]"
    assert jinjacache.stats == {"memory": 1, "disk": 1, "compiled": 1}


def test_another_content_or_option_is_another_entry(cache: Path) -> None:
    assert _env().from_string("{{ a }}").render(a="<") == "&lt;"
    assert _env().from_string("{{ a }}!").render(a="<") == "&lt;!"
    plain = jinjacache.CachingEnvironment(autoescape=False)
    assert plain.from_string("{{ a }}").render(a="<") == "<"
    assert jinjacache.stats["compiled"] == 3 and len(_files(cache)) == 3


def test_strict_undefined_still_raises(cache: Path) -> None:
    _env().from_string("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        _env().from_string("{{ missing }}").render()


def test_syntax_error_is_raised_and_not_cached(cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(jinja2.TemplateSyntaxError):
            _env().from_string("{% for %}")
    assert _files(cache) == [] and jinjacache.stats["compiled"] == 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit flipped in the code
        lambda data: b"",  # empty
        lambda data: b"not ours at all",
    ],
)
def test_a_damaged_cache_file_is_never_trusted(cache: Path, damage) -> None:  # type: ignore[no-untyped-def]
    _env().from_string("{{ a }}-{{ b }}")
    (path,) = _files(cache)
    path.write_bytes(damage(path.read_bytes()))
    jinjacache._memory.clear()
    assert _env().from_string("{{ a }}-{{ b }}").render(a=1, b=2) == "1-2"
    assert jinjacache.stats == {"memory": 0, "disk": 0, "compiled": 2}
    jinjacache._memory.clear()
    _env().from_string("{{ a }}-{{ b }}")  # rewritten whole: read from disk now
    assert jinjacache.stats["disk"] == 1


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITA_REPORT_CACHE", "off")
    monkeypatch.setattr(jinjacache, "_memory", {})
    assert jinjacache.cache_folder() is None
    assert _env().from_string("{{ a }}").render(a=1) == "1"


def test_a_folder_that_cannot_be_written_only_costs_the_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("ITA_REPORT_CACHE", str(blocker))
    monkeypatch.setattr(jinjacache, "_memory", {})
    assert _env().from_string("{{ a }}").render(a=1) == "1"
    assert blocker.read_text() == "a file where the cache folder would be"


def test_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ITA_REPORT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = jinjacache.cache_folder()
    assert folder is not None and "ita-report" in folder.parts


def test_a_sandbox_never_gets_code_compiled_for_a_plain_environment(cache: Path) -> None:
    import jinja2.sandbox

    class Sandbox(jinjacache.CompileOnce, jinja2.sandbox.ImmutableSandboxedEnvironment):
        pass

    source = "{{ ''.__class__.__mro__ }}"
    assert "object" in jinjacache.CachingEnvironment().from_string(source).render()  # plain: compiled, cached
    with pytest.raises(jinja2.sandbox.SecurityError):
        Sandbox().from_string(source).render()
    jinjacache._memory.clear()
    with pytest.raises(jinja2.sandbox.SecurityError):
        Sandbox().from_string(source).render()  # from disk: the sandbox's own code
    assert jinjacache.stats["compiled"] == 2 and len(_files(cache)) == 2
