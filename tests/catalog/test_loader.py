"""Loading a whole catalog: discovery, duplicates, partial failure."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pao.catalog import (
    CatalogLoad,
    CatalogPathError,
    assemble_catalog,
    check_item_content,
    find_catalog_root,
    load_catalog,
)

from .conftest import VALID_ITEM

WriteCatalog = Callable[[dict[str, str]], Path]


def item(item_id: str, category: str = "tools") -> str:
    return VALID_ITEM.replace("id: demo", f"id: {item_id}").replace(
        "category: tools", f"category: {category}"
    )


def test_valid_items_load_with_path_source_map_and_digest(
    write_catalog: WriteCatalog,
) -> None:
    root = write_catalog({"catalog/tools/demo.yaml": VALID_ITEM})

    result = load_catalog(root)

    loaded = result.items["demo"]
    assert result.diagnostics == []
    assert result.files == 1
    assert loaded.path == "catalog/tools/demo.yaml"
    assert loaded.item.metadata.name == "Demo"
    assert loaded.data["metadata"]["id"] == "demo"
    assert loaded.source_map.value(("metadata", "id")).line == 4
    assert loaded.sha256 == hashlib.sha256(VALID_ITEM.encode()).hexdigest()


def test_the_catalog_folder_itself_is_accepted(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"catalog/tools/demo.yaml": VALID_ITEM})

    result = load_catalog(root / "catalog")

    assert list(result.items) == ["demo"]
    assert result.items["demo"].path == "catalog/tools/demo.yaml"


def test_other_folders_are_not_catalogs(tmp_path: Path) -> None:
    with pytest.raises(CatalogPathError, match="neither a catalog repo"):
        find_catalog_root(tmp_path)


def test_a_broken_file_does_not_hide_the_others(write_catalog: WriteCatalog) -> None:
    root = write_catalog(
        {
            "catalog/tools/demo.yaml": VALID_ITEM,
            "catalog/tools/broken.yaml": "apiVersion: [\n",
            "catalog/tools/wrong.yaml": item("wrong").replace("1.0.0", "x"),
            "catalog/data/other.yaml": item("other", "data"),
        }
    )

    result = load_catalog(root)

    assert sorted(result.items) == ["demo", "other"]
    assert result.broken == {
        "broken": "catalog/tools/broken.yaml",
        "wrong": "catalog/tools/wrong.yaml",
    }
    assert [d.file for d in result.diagnostics] == [
        "catalog/tools/broken.yaml",
        "catalog/tools/wrong.yaml",
    ]
    assert result.has_errors
    assert result.files == 4


def test_the_same_id_in_two_files_is_reported_in_both(
    write_catalog: WriteCatalog,
) -> None:
    root = write_catalog(
        {
            "catalog/tools/demo.yaml": VALID_ITEM,
            "catalog/extra/demo.yaml": item("demo", "extra"),
        }
    )

    result = load_catalog(root)

    assert [str(d) for d in result.diagnostics] == [
        "catalog/extra/demo.yaml:4:7: error: item id 'demo' is also defined in"
        " catalog/tools/demo.yaml [duplicate-id]",
        "catalog/tools/demo.yaml:4:7: error: item id 'demo' is also defined in"
        " catalog/extra/demo.yaml [duplicate-id]",
    ]
    assert result.items == {}
    assert "demo" in result.broken


def test_only_yaml_files_at_category_depth_are_items(
    write_catalog: WriteCatalog,
) -> None:
    root = write_catalog(
        {
            "catalog/tools/demo.yaml": VALID_ITEM,
            "catalog/tools/other.yml": item("other"),
            "catalog/top.yaml": item("top"),
            "catalog/tools/deeper/deep.yaml": item("deep"),
            "catalog/tools/README.md": "# tools\n",
            "catalog/.hidden/x.yaml": "not: checked\n",
            "elsewhere/x.yaml": "not: checked\n",
        }
    )

    result = load_catalog(root)

    assert list(result.items) == ["demo"]
    assert [str(d) for d in result.diagnostics] == [
        "catalog/tools/deeper/deep.yaml:1:1: warning: items live at"
        " catalog/<category>/<item-id>.yaml; this file is ignored [ignored-file]",
        "catalog/tools/other.yml:1:1: warning: catalog items end in .yaml;"
        " this .yml file is ignored [ignored-file]",
        "catalog/top.yaml:1:1: warning: items live at"
        " catalog/<category>/<item-id>.yaml; this file is ignored [ignored-file]",
    ]
    assert not result.has_errors


def test_symbolic_links_are_not_followed(
    write_catalog: WriteCatalog, tmp_path: Path
) -> None:
    root = write_catalog({"catalog/tools/demo.yaml": VALID_ITEM})
    outside = tmp_path / "outside.yaml"
    outside.write_text(item("linked"), encoding="utf-8")
    os.symlink(outside, root / "catalog" / "tools" / "linked.yaml")

    result = load_catalog(root)

    assert list(result.items) == ["demo"]
    assert [d.code for d in result.diagnostics] == ["ignored-file"]


def test_unreadable_files_are_located_errors(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"catalog/tools/demo.yaml": VALID_ITEM})
    (root / "catalog" / "tools" / "dir.yaml").mkdir()
    os.symlink("missing", root / "catalog" / "tools" / "gone.yaml")
    binary = root / "catalog" / "tools" / "blob.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")

    result = load_catalog(root)

    assert list(result.items) == ["demo"]
    assert [str(d) for d in result.diagnostics] == [
        "catalog/tools/blob.yaml:1:1: error: invalid UTF-8 byte 0x89 [yaml]",
        "catalog/tools/gone.yaml:1:1: warning: symbolic links are not followed;"
        " this file is ignored [ignored-file]",
    ]


def test_templates_are_checked_for_valid_items(write_catalog: WriteCatalog) -> None:
    text = VALID_ITEM.replace("Create a demo", "Create {{fields.nmae}}")
    root = write_catalog({"catalog/tools/demo.yaml": text})

    result = load_catalog(root)

    assert [(d.line, d.severity.value) for d in result.diagnostics] == [(23, "error")]
    assert "fields.nmae" in result.diagnostics[0].message
    assert result.items == {}


def test_a_catalog_can_be_built_from_models(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"catalog/tools/demo.yaml": VALID_ITEM})
    model = load_catalog(root).items["demo"].item

    catalog = CatalogLoad.from_items([model])

    assert catalog.get("demo").item is model
    assert catalog.get("demo").path == "catalog/tools/demo.yaml"
    assert catalog.get("nope") is None


def test_the_example_catalog_is_valid(examples_dir: Path) -> None:
    result = load_catalog(examples_dir / "catalog-repo")

    assert [str(d) for d in result.diagnostics] == []
    assert len(result.items) >= 12


def test_the_broken_example_catalog_reports_each_file(examples_dir: Path) -> None:
    root = examples_dir / "invalid" / "catalog-repo"

    result = load_catalog(root)

    files = sorted(str(p.relative_to(root)) for p in root.glob("catalog/*/*.yaml"))
    assert sorted({d.file for d in result.diagnostics}) == files
    assert result.items == {}


def test_assembling_checked_files_gives_the_same_catalog(
    write_catalog: WriteCatalog,
) -> None:
    files = {
        "catalog/tools/demo.yaml": VALID_ITEM,
        "catalog/extra/demo.yaml": item("demo", "extra"),
        "catalog/data/other.yaml": item("other", "data"),
        "catalog/data/bad.yaml": "kind: [\n",
    }
    root = write_catalog(files)

    assembled = assemble_catalog(
        check_item_content(text.encode(), file=path) for path, text in files.items()
    )

    whole = load_catalog(root)
    assert assembled.diagnostics == whole.diagnostics
    assert assembled.broken == whole.broken
    assert sorted(assembled.items) == sorted(whole.items) == ["other"]
