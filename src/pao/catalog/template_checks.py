"""Checks every template of a catalog item before the item is accepted.

Called by the catalog loader for each item file (and so by the catalog
pull-request check and ``pao catalog validate``). For every templated
string of ``fulfillment`` it reports, at the file line of the offending
variable: template syntax errors, unknown scopes, fields the form does not
have, undeclared secrets, unknown metadata/request/system keys,
``response`` outside an action's ``outputs``, and ``outputs.A.x`` chains
that name an unknown action, a later one, or form a cycle.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pao.catalog.locate import diagnostic_at
from pao.core.diagnostics import Diagnostic, Severity
from pao.core.yamlio import Path, YamlDocument
from pao.templates import (
    REQUEST_KEYS,
    SCOPES,
    SYSTEM_KEYS,
    Reference,
    TemplateError,
    references,
)
from pao.templates.nodes import format_path
from pao.templates.positions import ScalarLocator

__all__ = ["check_item_templates"]

_ACTION_PARTS = ("config", "when", "outputs", "cleanup")
# Outputs an action type records whether or not ``outputs`` declares them.
_BUILT_IN_OUTPUTS = {"jira-ticket": frozenset({"key", "url"})}
# Types whose outputs come from elsewhere too (workflow run, state).
_OPEN_OUTPUTS = frozenset({"terraform", "github-workflow"})


@dataclass(frozen=True, slots=True)
class _Site:
    """One templated string and where it sits in the item."""

    path: Path
    text: str
    section: str  # actions, update, decommission, manual
    index: int  # the action's place in its list; -1 for manual
    part: str  # config, when, outputs, cleanup, manual


@dataclass(slots=True)
class _Item:
    """What the checks need to know about the item."""

    fields: set[str]
    metadata: dict[str, Any]
    secrets: set[str]
    actions: dict[str, list[dict[str, Any]]]

    def ids(self, section: str) -> list[str]:
        return [str(action.get("id")) for action in self.actions.get(section, [])]


def check_item_templates(
    document: YamlDocument,
    *,
    file: str,
    source: str | bytes | None = None,
    environment: Collection[str] | None = None,
) -> list[Diagnostic]:
    """Diagnostics for every template in the item *document*.

    *source*, the file's text, makes line and column exact inside folded
    and quoted scalars; without it they are estimated. *environment*, the
    configured allow-list, makes unknown ``environment.X`` an error; without
    it any name is accepted (the list is runtime configuration).
    """
    data = document.data if isinstance(document.data, dict) else {}
    item = _facts(data)
    checker = _Checker(document, file, ScalarLocator(source), item, environment)
    for site in _sites(data):
        checker.check(site)
    checker.check_chains()
    return checker.found


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _facts(data: dict[str, Any]) -> _Item:
    groups = _as_list(
        _as_dict(_as_dict(data.get("presentation")).get("form")).get("groups")
    )
    fields = {
        str(f.get("id"))
        for group in groups
        for f in _as_list(_as_dict(group).get("fields"))
        if isinstance(f, dict)
    }
    fulfillment = _as_dict(data.get("fulfillment"))
    actions = {
        section: [_as_dict(a) for a in _as_list(fulfillment.get(section))]
        for section in ("actions", "update", "decommission")
    }
    return _Item(
        fields=fields,
        metadata=_as_dict(data.get("metadata")),
        secrets={str(name) for name in _as_dict(fulfillment.get("secrets"))},
        actions=actions,
    )


def _sites(data: dict[str, Any]) -> Iterator[_Site]:
    fulfillment = _as_dict(data.get("fulfillment"))
    for section in ("actions", "update", "decommission"):
        for index, action in enumerate(_as_list(fulfillment.get(section))):
            base: Path = ("fulfillment", section, index)
            for part in _ACTION_PARTS:
                value = _as_dict(action).get(part)
                if part == "cleanup":
                    value = _as_dict(value).get("instructions")
                    part_path: Path = (*base, "cleanup", "instructions")
                else:
                    part_path = (*base, part)
                for path, text in _strings(value, part_path):
                    yield _Site(path, text, section, index, part)
    manual = fulfillment.get("manual")
    for path, text in _strings(manual, ("fulfillment", "manual")):
        yield _Site(path, text, "manual", -1, "manual")


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _suggest(name: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


_Problem = tuple[str, str, Severity] | None


class _Checker:
    """Runs the checks over the sites of one item, collecting diagnostics."""

    def __init__(
        self,
        document: YamlDocument,
        file: str,
        locator: ScalarLocator,
        item: _Item,
        environment: Collection[str] | None,
    ) -> None:
        self.found: list[Diagnostic] = []
        self._document = document
        self._file = file
        self._locator = locator
        self._item = item
        self._environment = environment
        # section -> action index -> indexes of the actions it reads from
        self._graph: dict[str, dict[int, set[int]]] = {}
        # Reads of an action's own or a later action's outputs.
        self._pending: list[tuple[_Site, Reference, int]] = []

    def check(self, site: _Site) -> None:
        if "{{" not in site.text:
            return
        try:
            found = references(site.text)
        except TemplateError as exc:
            message = f"invalid template: {exc.message}"
            line, column = exc.line or 1, exc.column or 1
            self._report(site, line, column, ("template-syntax", message, _ERROR))
            return
        for ref in found:
            problem = self._problem(site, ref)
            if problem is not None:
                self._report(site, ref.line, ref.column, problem)

    def _report(
        self, site: _Site, line: int, column: int, problem: tuple[str, str, Severity]
    ) -> None:
        code, message, severity = problem
        source_map = self._document.source_map
        position = self._locator.locate(
            source_map.value(site.path),
            source_map.key(site.path) if isinstance(site.path[-1], str) else None,
            site.text,
            line,
            column,
        )
        self.found.append(
            diagnostic_at(
                position, file=self._file, code=code, message=message, severity=severity
            )
        )

    def _problem(self, site: _Site, ref: Reference) -> _Problem:
        if ref.scope not in SCOPES:
            scopes = ", ".join(s for s in SCOPES if s != "response")
            message = (
                f"template references {ref.path}, but {ref.scope} is not a "
                f"variable scope ({scopes})"
            )
            return "template-unknown-scope", message, _ERROR
        check = getattr(self, f"_check_{ref.scope}")
        result: _Problem = check(site, ref)
        return result

    def _check_fields(self, site: _Site, ref: Reference) -> _Problem:
        return _known_key(ref, self._item.fields, "a field of this item", "field")

    def _check_secrets(self, site: _Site, ref: Reference) -> _Problem:
        what = "declared in fulfillment.secrets"
        return _known_key(ref, self._item.secrets, what, "secret")

    def _check_metadata(self, site: _Site, ref: Reference) -> _Problem:
        return _known_tree(ref, self._item.metadata, "set in this item's metadata")

    def _check_request(self, site: _Site, ref: Reference) -> _Problem:
        return _known_tree(ref, REQUEST_KEYS, "a request variable")

    def _check_system(self, site: _Site, ref: Reference) -> _Problem:
        keys = dict.fromkeys(SYSTEM_KEYS)
        return _known_tree(ref, keys, "a system variable")

    def _check_environment(self, site: _Site, ref: Reference) -> _Problem:
        if self._environment is None:
            return None
        allowed = set(self._environment)
        return _known_key(ref, allowed, "in the environment allow-list", "environment")

    def _check_response(self, site: _Site, ref: Reference) -> _Problem:
        if site.part == "outputs":
            return None
        message = (
            f"template references {ref.path}, but response is only available "
            "in an action's outputs"
        )
        return "template-response-outside-outputs", message, _ERROR

    def _check_outputs(self, site: _Site, ref: Reference) -> _Problem:
        if not ref.keys:
            return None
        target = str(ref.keys[0])
        own = self._item.ids(site.section) if site.section != "manual" else []
        if target in own:
            index = own.index(target)
            if site.part != "cleanup":
                graph = self._graph.setdefault(site.section, {})
                graph.setdefault(site.index, set()).add(index)
            if index < site.index or (index == site.index and site.part == "cleanup"):
                return self._check_output_name(ref, site.section, index)
            return self._chain_problem(site, ref, index)
        main = self._item.ids("actions")
        if site.section != "actions" and target in main:
            return self._check_output_name(ref, "actions", main.index(target))
        message = (
            f"template references {ref.path}, but there is no action {target}"
            f"{_suggest(target, own or main)}"
        )
        return "template-unknown-action", message, _ERROR

    def _chain_problem(self, site: _Site, ref: Reference, index: int) -> _Problem:
        # Decided once all sites are seen: a later action may read back.
        self._pending.append((site, ref, index))
        return None

    def _check_output_name(self, ref: Reference, section: str, index: int) -> _Problem:
        if len(ref.keys) < 2:
            return None
        action = self._item.actions[section][index]
        kind = str(action.get("type"))
        if kind in _OPEN_OUTPUTS:
            return None
        declared = set(map(str, _as_dict(action.get("outputs"))))
        declared |= _BUILT_IN_OUTPUTS.get(kind, frozenset())
        name = str(ref.keys[1])
        if name in declared:
            return None
        message = (
            f"template references {ref.path}, but action {ref.keys[0]} has no "
            f"output {name}{_suggest(name, declared)}"
        )
        return "template-unknown-output", message, Severity.WARNING

    def check_chains(self) -> None:
        """Report reads of own or later outputs, as a cycle where one forms."""
        for site, ref, index in self._pending:
            graph = self._graph.get(site.section, {})
            ids = self._item.ids(site.section)
            this, target = ids[site.index], ids[index]
            cycle = _route(graph, index, site.index)
            if index == site.index:
                message = (
                    f"template references {ref.path}, an output of this same "
                    "action; only its cleanup instructions can use it"
                )
                problem = ("template-output-cycle", message, _ERROR)
            elif cycle is not None:
                names = " → ".join([this, *(ids[i] for i in cycle)])
                message = (
                    f"template references {ref.path}, which makes a cycle: {names}"
                )
                problem = ("template-output-cycle", message, _ERROR)
            else:
                message = (
                    f"template references {ref.path}, but action {target} runs "
                    f"after this one ({this})"
                )
                problem = ("template-later-action", message, _ERROR)
            self._report(site, ref.line, ref.column, problem)


_ERROR = Severity.ERROR


def _route(graph: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """The action indexes from *start* to *goal* along reads, if connected."""
    previous: dict[int, int] = {start: start}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            route = [node]
            while route[-1] != start:
                route.append(previous[route[-1]])
            return route[::-1]
        for nxt in sorted(graph.get(node, ())):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def _known_key(
    ref: Reference,
    known: Collection[str],
    what: str,
    noun: str,
) -> _Problem:
    if not ref.keys or str(ref.keys[0]) in known:
        return None
    name = str(ref.keys[0])
    first = format_path(ref.scope, ref.keys[:1])
    subject = f"{ref.path}, which" if len(ref.keys) == 1 else f"{ref.path}: {first}"
    message = f"template references {subject} is not {what}{_suggest(name, known)}"
    return f"template-unknown-{noun}", message, _ERROR


def _known_tree(ref: Reference, tree: Any, what: str) -> _Problem:
    node = tree
    for depth, key in enumerate(ref.keys):
        if not isinstance(node, dict):
            return None  # a leaf or a list: what is below is data
        if key not in node:
            first = format_path(ref.scope, ref.keys[: depth + 1])
            subject = (
                f"{ref.path}, which" if first == ref.path else f"{ref.path}: {first}"
            )
            message = (
                f"template references {subject} is not {what}"
                f"{_suggest(str(key), [str(k) for k in node])}"
            )
            return f"template-unknown-{ref.scope}", message, _ERROR
        node = node[key]
    return None
