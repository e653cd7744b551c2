"""Compiles templates onto Jinja's sandbox and renders them.

Flow: :func:`~pao.templates.parser.parse` checks the syntax,
:func:`~pao.templates.translate.to_jinja` writes Jinja source that can only
read variables and call our functions, and Jinja's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` compiles it (kept as
a second wall: should generated code ever reach an attribute or a call, the
sandbox refuses it). Compiled templates are cached by source text.

Two environments exist, one per mode. A *preview* render (plans, comments,
status files, the CLI and the API's test tool) prints secrets masked and
never resolves them; a *live* render, made when an action runs, resolves
each secret it prints. Callers choose with ``live=``.

Whitespace: everything outside tags is output exactly. Tags print their
value, block tags print nothing, and nothing around a tag is trimmed (the
newline after ``{{/if}}`` stays).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from itertools import islice
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pao.templates.errors import (
    TemplateError,
    TemplateLimitError,
    TemplateSyntaxError,
    TemplateValueError,
)
from pao.templates.functions import make_functions
from pao.templates.limits import MAX_ITERATIONS, MAX_OUTPUT_CHARS
from pao.templates.nodes import Call, Expr, Literal, Output, Path, Template
from pao.templates.parser import parse
from pao.templates.translate import to_jinja
from pao.templates.values import (
    MISSING,
    lookup,
    lookup_optional,
    make_text,
    make_text_lookup,
    to_data,
    type_name,
)

__all__ = [
    "CompiledTemplate",
    "compile_template",
    "evaluate_when",
    "render",
    "render_config",
    "render_value",
]

# Output chunks between two checks of the output size.
_BATCH = 32
# Renders of `when` that mean "skip this action".
_FALSE_WORDS = frozenset({"", "false", "0", "no", "null"})


class _RenderState:
    """Counters shared by all loops of one render."""

    __slots__ = ("iterations",)

    def __init__(self) -> None:
        self.iterations = 0


def _iterate(
    value: Any, state: _RenderState, what: str, line: int
) -> Iterator[tuple[int, Any, Any, bool]]:
    """Yield (index, key, item, is_last) for {{#each}}, counting iterations."""
    if value.__class__ is dict:
        pairs: Any = value.items()
    elif value.__class__ is list:
        pairs = enumerate(value)
    elif isinstance(value, Mapping):
        pairs = value.items()
    elif isinstance(value, list | tuple):
        pairs = enumerate(value)
    else:
        message = (
            f"{what} is a {type_name(value)}; {{{{#each}}}} needs a list or object"
        )
        raise TemplateValueError(message, line=line, path=what)
    last = len(value) - 1
    for index, (key, item) in enumerate(pairs):
        state.iterations += 1
        if state.iterations > MAX_ITERATIONS:
            message = f"loops ran more than {MAX_ITERATIONS} times in one render"
            raise TemplateLimitError(message, line=line)
        yield index, key, item, index == last


def _environment(*, live: bool) -> ImmutableSandboxedEnvironment:
    # No finalize: every printed expression ends in _pt or _t, which turn
    # the value into text for this mode (see translate.py).
    env = ImmutableSandboxedEnvironment(
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        cache_size=0,
        auto_reload=False,
    )
    # Only our filters exist: no Jinja globals (range, lipsum, cycler…),
    # no built-in filters or tests.
    env.globals.clear()
    env.tests.clear()
    env.filters.clear()
    env.filters.update(make_functions(live=live))
    env.filters.update(
        {
            "_p": lookup,
            "_q": lookup_optional,
            "_pt": make_text_lookup(live=live),
            "_t": make_text(live=live),
            "_each": _iterate,
        }
    )
    return env


_ENVIRONMENTS = {False: _environment(live=False), True: _environment(live=True)}


class CompiledTemplate:
    """A template ready to render in one mode (preview or live)."""

    __slots__ = ("_jinja", "_native", "_root", "live", "source", "tree")

    def __init__(self, tree: Template, jinja_source: str, *, live: bool) -> None:
        self.source = tree.source
        self.tree = tree
        self.live = live
        try:
            self._jinja = _ENVIRONMENTS[live].from_string(jinja_source)
        except jinja2.TemplateSyntaxError as exc:  # pragma: no cover - a bug
            message = f"template could not be compiled: {exc.message}"
            raise TemplateSyntaxError(message, line=exc.lineno) from exc
        self._root: Callable[[Any], Iterator[str]] = self._jinja.root_render_func
        self._native = _native_expression(tree)

    def __repr__(self) -> str:
        mode = "live" if self.live else "preview"
        return f"<CompiledTemplate {mode} {self.source[:40]!r}>"

    def render(self, context: Mapping[str, Any]) -> str:
        """The rendered text; raises :class:`TemplateError`."""
        variables = {"_v": context, "_s": _RenderState()}
        chunks = self._root(self._jinja.new_context(variables, shared=True))
        parts: list[str] = []
        size = 0
        try:
            # The size is checked per batch of chunks: per chunk would cost
            # a fifth of the render time. A chunk is at most one value or
            # function result, each bounded on its own.
            while batch := list(islice(chunks, _BATCH)):
                size += sum(map(len, batch))
                if size > MAX_OUTPUT_CHARS:
                    message = (
                        f"output is over the limit of {MAX_OUTPUT_CHARS} characters"
                    )
                    raise TemplateLimitError(message)
                parts += batch
        except TemplateError:
            raise
        except Exception as exc:
            raise _engine_error(exc) from exc
        return "".join(parts)

    def render_value(self, context: Mapping[str, Any]) -> Any:
        """The value itself for a lone variable or json(); text otherwise."""
        if self._native is None:
            return self.render(context)
        return to_data(_evaluate(self._native, context), live=self.live)


def _engine_error(exc: Exception) -> TemplateError:
    """Turn anything the engine raised into a message without internals."""
    if isinstance(exc, RecursionError):
        return TemplateLimitError("template nests too deeply to render")
    if isinstance(exc, MemoryError):
        return TemplateLimitError("template needs too much memory to render")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return TemplateError("template tried an operation that is not allowed")
    return TemplateError(f"template could not be rendered ({type(exc).__name__})")


def _native_expression(tree: Template) -> Expr | None:
    """The expression of a template that is one lone variable or json()."""
    if len(tree.nodes) != 1 or not isinstance(tree.nodes[0], Output):
        return None
    expr = tree.nodes[0].expr
    if isinstance(expr, Call) and expr.name == "json":
        expr = expr.args[0]
    return expr if _is_plain_value(expr) else None


def _is_plain_value(expr: Expr) -> bool:
    if isinstance(expr, Path):
        return expr.is_scope
    if isinstance(expr, Call) and expr.name == "default":
        return all(isinstance(arg, Path | Literal) for arg in expr.args)
    return False


def _evaluate(expr: Expr, context: Mapping[str, Any]) -> Any:
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Path):
        return lookup(context, (expr.root, *expr.keys), expr.text, expr.line)
    subject, *fallback = expr.args
    value = (
        lookup_optional(context, (subject.root, *subject.keys), subject.text, expr.line)
        if isinstance(subject, Path)
        else _evaluate(subject, context)
    )
    if value is MISSING or value is None:
        return _evaluate(fallback[0], context) if fallback else ""
    return value


@lru_cache(maxsize=2048)
def _prepare(source: str) -> tuple[Template, str]:
    tree = parse(source)
    return tree, to_jinja(tree)


@lru_cache(maxsize=2048)
def _compile(source: str, live: bool) -> CompiledTemplate:
    tree, jinja_source = _prepare(source)
    return CompiledTemplate(tree, jinja_source, live=live)


def compile_template(source: str, *, live: bool = False) -> CompiledTemplate:
    """Parse and compile *source*, or fetch it from the cache."""
    return _compile(source, live)


def render(template: str, context: Mapping[str, Any], *, live: bool = False) -> str:
    """Render *template* as text with the scopes in *context*."""
    if "{{" not in template:
        return template
    return _compile(template, live).render(context)


def render_value(
    template: str, context: Mapping[str, Any], *, live: bool = False
) -> Any:
    """Render for a YAML/JSON field: a lone ``{{x}}`` or ``{{json(x)}}``
    keeps x's type (number, list, object…); anything else is text."""
    if "{{" not in template:
        return template
    return _compile(template, live).render_value(context)


def render_config(
    config: Any,
    context: Mapping[str, Any],
    *,
    live: bool = False,
    location: str = "",
) -> Any:
    """Render every string in a nested structure with :func:`render_value`.

    Keys are not rendered. An error carries the dotted location of the
    string that failed (``body.name``), prefixed with *location*.
    """
    if isinstance(config, str):
        try:
            return render_value(config, context, live=live)
        except TemplateError as exc:
            raise exc.at(location or "(value)") from None
    if isinstance(config, Mapping):
        return {
            key: render_config(value, context, live=live, location=_join(location, key))
            for key, value in config.items()
        }
    if isinstance(config, list | tuple):
        return [
            render_config(item, context, live=live, location=f"{location}[{index}]")
            for index, item in enumerate(config)
        ]
    return config


def _join(location: str, key: Any) -> str:
    return f"{location}.{key}" if location else str(key)


def evaluate_when(
    template: str, context: Mapping[str, Any], *, live: bool = False
) -> bool:
    """Whether an action's ``when`` holds: false when it renders to "",
    "false", "0", "no" or "null" (ignoring case and surrounding space)."""
    return render(template, context, live=live).strip().lower() not in _FALSE_WORDS
