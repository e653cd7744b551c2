"""Load a catalog repo checkout: every item file, checked, with diagnostics.

The CLI (``pao catalog validate``), the API (validate catalog item) and the
catalog reconciler all come through here. One file's problems never stop
the others from loading: :func:`load_catalog` returns the valid items
together with every diagnostic, and the ids of items that exist but are
broken, so a request for one can say why it cannot be accepted.

Only ``catalog/<category>/<item-id>.yaml`` is an item. ``.yml`` files and
YAML files at other depths under ``catalog/`` are ignored with a warning
(they are almost always a mistake); symbolic links are not followed, so a
change to the repo cannot make pao read files outside it.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from pao.catalog.checks import check_item_document
from pao.catalog.locate import diagnostic_at, schema_diagnostics, yaml_diagnostic
from pao.catalog.models import ITEM_KEYS, CatalogItem
from pao.catalog.template_checks import check_item_templates
from pao.core.diagnostics import Diagnostic, Severity, has_errors, sort_key
from pao.core.yamlio import (
    MAX_FILE_BYTES,
    Position,
    SourceMap,
    YamlDocument,
    YamlLoadError,
    load_yaml,
)

__all__ = [
    "CatalogLoad",
    "CatalogPathError",
    "LoadedItem",
    "find_catalog_root",
    "load_catalog",
    "load_item_file",
    "validate_item_text",
]

CATALOG_DIR = "catalog"
ITEM_SUFFIX = ".yaml"
_START = Position(1, 1)


class CatalogPathError(Exception):
    """A path is neither a catalog repo checkout nor its catalog/ folder."""


@dataclass(frozen=True, slots=True)
class LoadedItem:
    """A valid item with where it came from."""

    item: CatalogItem
    path: str
    document: YamlDocument
    sha256: str

    @property
    def id(self) -> str:
        return self.item.metadata.id

    @property
    def data(self) -> Any:
        return self.document.data

    @property
    def source_map(self) -> SourceMap:
        return self.document.source_map


@dataclass(frozen=True, slots=True)
class _Checked:
    """One file's outcome: the item if valid, its diagnostics, its raw id."""

    file: str
    loaded: LoadedItem | None
    diagnostics: list[Diagnostic]
    item_id: str | None = None
    source_map: SourceMap = field(default_factory=SourceMap)


@dataclass(slots=True)
class CatalogLoad:
    """The outcome of loading a catalog: what loaded and what is wrong."""

    items: dict[str, LoadedItem] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Item ids whose file has errors, each with that file's relative path.
    broken: dict[str, str] = field(default_factory=dict)
    files: int = 0

    def get(self, item_id: str) -> LoadedItem | None:
        return self.items.get(item_id)

    @property
    def has_errors(self) -> bool:
        return has_errors(self.diagnostics)

    @classmethod
    def from_items(cls, items: Iterable[CatalogItem]) -> CatalogLoad:
        """A catalog of already validated items (from an index, a test)."""
        loaded: dict[str, LoadedItem] = {}
        for item in items:
            data = item.model_dump(by_alias=True, exclude_none=True)
            document = YamlDocument(data, SourceMap())
            path = f"{CATALOG_DIR}/{item.metadata.category}/{item.id}{ITEM_SUFFIX}"
            loaded[item.id] = LoadedItem(item, path, document, item.fingerprint)
        return cls(items=loaded, files=len(loaded))


def find_catalog_root(path: str | os.PathLike[str]) -> Path:
    """The repo root for *path*: the folder holding ``catalog/``."""
    candidate = Path(path)
    if (candidate / CATALOG_DIR).is_dir():
        return candidate
    if candidate.name == CATALOG_DIR and candidate.is_dir():
        return candidate.parent
    message = (
        f"{path}: neither a catalog repo (no {CATALOG_DIR}/ folder)"
        f" nor a {CATALOG_DIR}/ folder"
    )
    raise CatalogPathError(message)


def load_catalog(path: str | os.PathLike[str]) -> CatalogLoad:
    """Load and check every item under *path*'s ``catalog/`` folder."""
    root = find_catalog_root(path)
    with _collector_paused():
        return _load_tree(root)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cycle collector while a catalog loads.

    Loading keeps every item's document, source map and model alive, and
    each full collection walks all of them again: on a catalog of
    thousands of items that took a third of the time. What a load
    creates is almost all acyclic; the collector catches up afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_tree(root: Path) -> CatalogLoad:
    result = CatalogLoad()
    checked: list[_Checked] = []
    for relative, problem in _discover(root):
        if problem is not None:
            result.diagnostics.append(
                diagnostic_at(
                    _START,
                    file=relative,
                    code="ignored-file",
                    message=problem,
                    severity=Severity.WARNING,
                )
            )
            continue
        result.files += 1
        outcome = _check_file(root / relative, relative=relative)
        result.diagnostics += outcome.diagnostics
        checked.append(outcome)
    _settle_ids(result, checked)
    result.diagnostics.sort(key=sort_key)
    return result


def _discover(root: Path) -> Iterator[tuple[str, str | None]]:
    """Relative paths of candidate files, each with why it is ignored (or None)."""
    for current, dirs, files in os.walk(root / CATALOG_DIR):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        depth = len(Path(current).relative_to(root).parts)
        for name in sorted(files):
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            full = Path(current) / name
            relative = full.relative_to(root).as_posix()
            yield relative, _ignored_because(full, name, depth)


def _ignored_because(full: Path, name: str, depth: int) -> str | None:
    if full.is_symlink():
        return "symbolic links are not followed; this file is ignored"
    if depth != 2:
        return "items live at catalog/<category>/<item-id>.yaml; this file is ignored"
    if not name.endswith(ITEM_SUFFIX):
        return "catalog items end in .yaml; this .yml file is ignored"
    return None


def load_item_file(
    path: str | os.PathLike[str], *, relative: str
) -> tuple[LoadedItem | None, list[Diagnostic]]:
    """Read and check one item file; *relative* names it in diagnostics."""
    outcome = _check_file(path, relative=relative)
    return outcome.loaded, outcome.diagnostics


def _check_file(path: str | os.PathLike[str], *, relative: str) -> _Checked:
    try:
        with open(path, "rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        problem = diagnostic_at(_START, file=relative, code="io", message=message)
        return _Checked(relative, None, [problem])
    return _check_content(content, file=relative)


def validate_item_text(
    text: str | bytes, *, filename: str = "<input>"
) -> tuple[CatalogItem | None, list[Diagnostic]]:
    """Check one item given as text; the item is None if it has errors.

    When *filename* looks like ``catalog/<category>/<item-id>.yaml`` the id
    and category are checked against it too.
    """
    outcome = _check_content(text, file=filename)
    item = outcome.loaded.item if outcome.loaded is not None else None
    return item, outcome.diagnostics


def _check_content(content: str | bytes, *, file: str) -> _Checked:
    raw = content.encode() if isinstance(content, str) else content
    expected_id, expected_category = _expected_identity(file)
    try:
        document = load_yaml(content)
    except YamlLoadError as exc:
        return _Checked(file, None, [yaml_diagnostic(exc, file=file)])
    found: list[Diagnostic] = []
    item = _validate_model(document, file=file, found=found)
    found += check_item_document(
        document,
        file=file,
        expected_id=expected_id,
        expected_category=expected_category,
        item=item,
    )
    if item is not None:
        found += _template_diagnostics(document, file=file)
    found.sort(key=sort_key)
    if item is None or has_errors(found):
        return _Checked(file, None, found, _raw_id(document), document.source_map)
    loaded = LoadedItem(item, file, document, hashlib.sha256(raw).hexdigest())
    return _Checked(file, loaded, found, item.id, document.source_map)


def _raw_id(document: YamlDocument) -> str | None:
    metadata = (
        document.data.get("metadata") if isinstance(document.data, dict) else None
    )
    item_id = metadata.get("id") if isinstance(metadata, dict) else None
    return item_id if isinstance(item_id, str) else None


def _expected_identity(file: str) -> tuple[str | None, str | None]:
    parts = PurePosixPath(file.replace("\\", "/")).parts
    if len(parts) >= 3 and parts[-3] == CATALOG_DIR and parts[-1].endswith(ITEM_SUFFIX):
        return parts[-1][: -len(ITEM_SUFFIX)], parts[-2]
    return None, None


def _validate_model(
    document: YamlDocument, *, file: str, found: list[Diagnostic]
) -> CatalogItem | None:
    if not isinstance(document.data, dict):
        message = f"a catalog item must be a mapping, got {_shape(document.data)}"
        found.append(
            diagnostic_at(
                document.source_map.value(()),
                file=file,
                code="wrong-type",
                message=message,
            )
        )
        return None
    try:
        return CatalogItem.model_validate(document.data)
    except ValidationError as exc:
        found += schema_diagnostics(exc, document, file=file, known_keys=ITEM_KEYS)
        return None


def _shape(data: Any) -> str:
    if data is None:
        return "an empty document"
    return "a list" if isinstance(data, list) else "a single value"


def _template_diagnostics(document: YamlDocument, *, file: str) -> list[Diagnostic]:
    try:
        return check_item_templates(document, file=file)
    except Exception as exc:  # a checker bug must not hide the other files
        message = f"the template check failed: {type(exc).__name__}: {exc}"
        return [
            diagnostic_at(_START, file=file, code="internal-error", message=message)
        ]


def _settle_ids(result: CatalogLoad, checked: list[_Checked]) -> None:
    """Keep valid items whose id is unique; report each file of a repeated id."""
    files: dict[str, list[_Checked]] = {}
    for outcome in checked:
        if outcome.item_id is not None:
            files.setdefault(outcome.item_id, []).append(outcome)
        elif has_errors(outcome.diagnostics):
            # Unreadable: the file name is the best guess at the id.
            result.broken.setdefault(PurePosixPath(outcome.file).stem, outcome.file)
    for item_id, outcomes in files.items():
        if len(outcomes) > 1:
            _report_duplicates(result, item_id, outcomes)
        loaded = outcomes[0].loaded
        if len(outcomes) == 1 and loaded is not None:
            result.items[item_id] = loaded
        else:
            result.broken[item_id] = min(outcome.file for outcome in outcomes)


def _report_duplicates(
    result: CatalogLoad, item_id: str, outcomes: list[_Checked]
) -> None:
    paths = [outcome.file for outcome in outcomes]
    for outcome in outcomes:
        elsewhere = ", ".join(path for path in paths if path != outcome.file)
        message = f"item id '{item_id}' is also defined in {elsewhere}"
        position = outcome.source_map.value(("metadata", "id"))
        result.diagnostics.append(
            diagnostic_at(
                position, file=outcome.file, code="duplicate-id", message=message
            )
        )


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """One catalog file's check outcome, kept by incremental indexers.

    Re-checking only the files a push changed and then calling
    :func:`assemble_catalog` over every kept outcome gives the same catalog
    as :func:`load_catalog` over the whole tree.
    """

    outcome: _Checked
    sha256: str

    @property
    def file(self) -> str:
        return self.outcome.file

    @property
    def loaded(self) -> LoadedItem | None:
        return self.outcome.loaded

    @property
    def item_id(self) -> str | None:
        return self.outcome.item_id

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.outcome.diagnostics


def check_item_content(content: bytes, *, file: str) -> CheckedFile:
    """Check one catalog file's bytes; *file* is its repo-relative path."""
    digest = hashlib.sha256(content).hexdigest()
    return CheckedFile(_check_content(content, file=file), digest)


def assemble_catalog(files: Iterable[CheckedFile]) -> CatalogLoad:
    """The catalog made of these checked files, ids settled across them."""
    result = CatalogLoad()
    checked = [checked_file.outcome for checked_file in files]
    result.files = len(checked)
    for outcome in checked:
        result.diagnostics += outcome.diagnostics
    _settle_ids(result, checked)
    result.diagnostics.sort(key=sort_key)
    return result
