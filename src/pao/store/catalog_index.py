"""The catalog index: every version of every item file, and which serves.

Each file the indexer reads becomes a version row keyed by its content
hash. ``catalog_items`` points at two of them per item: the *newest* file
version, and the *current* one (the latest valid). When the newest is
invalid the current one keeps serving and the item is marked stale; the
newest invalid versions are the catalog's validation errors.
"""

from __future__ import annotations

from ._base import StoreBase
from .database import Json, Row, Transaction, escape_like
from .records import CatalogItem, CatalogVersion, NewCatalogVersion

__all__ = ["CatalogIndex"]

_VERSION = (
    "v.id, v.item_id, v.version, v.commit_sha, v.path, v.content_sha256,"
    " v.valid, v.data, v.diagnostics, v.name, v.description, v.category,"
    " v.tags, v.lifecycle_status, v.owner_team, v.indexed_at"
)
_ITEM = (
    f"SELECT i.stale, i.newest_version_id, i.updated_at, {_VERSION}"
    " FROM catalog_items i JOIN catalog_item_versions v"
    " ON v.id = i.current_version_id"
)


class CatalogIndex(StoreBase):
    """Catalog item versions, current items and validation errors."""

    def upsert_catalog_version(
        self, version: NewCatalogVersion
    ) -> tuple[CatalogVersion, bool]:
        """Record *version* as the newest file version of its item.

        Returns the stored version and whether anything changed: seeing
        the same file with the same verdict again is a no-op, so periodic
        re-indexing does not churn rows or caches.
        """
        with self._db.transaction(write=True) as tx:
            newest = self._newest_version(tx, version.item_id)
            if newest is not None and _same(newest, version):
                return newest, False
            stored = self._write_version(tx, version)
            self._point_item_at(tx, stored)
            return stored, True

    def get_catalog_item(self, item_id: str) -> CatalogItem | None:
        """The current version of *item_id*, or ``None`` if none is valid."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                f"{_ITEM} WHERE i.item_id = :item_id", {"item_id": item_id}
            )
        return None if row is None else self._item(row)

    def list_catalog_items(
        self,
        *,
        category: str | None = None,
        tag: str | None = None,
        lifecycle_status: str | None = None,
        search: str | None = None,
    ) -> list[CatalogItem]:
        """Current items matching every given filter, ordered by id.

        *search* matches a substring of the id, name, description or tags,
        ignoring case.
        """
        clauses, params = ["1 = 1"], dict[str, object]()
        if category is not None:
            clauses.append("v.category = :category")
            params["category"] = category
        if lifecycle_status is not None:
            clauses.append("v.lifecycle_status = :lifecycle_status")
            params["lifecycle_status"] = lifecycle_status
        if tag is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM catalog_version_tags t"
                " WHERE t.version_id = v.id AND t.tag = :tag)"
            )
            params["tag"] = tag
        if search:
            clauses.append("v.search_text LIKE :pattern ESCAPE '\\'")
            params["pattern"] = f"%{escape_like(search.lower())}%"
        where = " AND ".join(clauses)
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(f"{_ITEM} WHERE {where} ORDER BY i.item_id", params)
        return [self._item(row) for row in rows]

    def list_catalog_item_ids(self) -> list[str]:
        """Every indexed item id, valid or not (for pruning on re-index)."""
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch("SELECT item_id FROM catalog_items ORDER BY item_id")
        return [row["item_id"] for row in rows]

    def get_catalog_version(
        self, *, item_id: str, version: str
    ) -> CatalogVersion | None:
        """The latest valid file version of *item_id* declaring *version*."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                f"SELECT {_VERSION} FROM catalog_item_versions v"
                " WHERE v.item_id = :item_id AND v.version = :version AND v.valid"
                " ORDER BY v.indexed_at DESC, v.id DESC LIMIT 1",
                {"item_id": item_id, "version": version},
            )
        return None if row is None else self._version(row)

    def list_catalog_versions(self, item_id: str) -> list[CatalogVersion]:
        """Every stored file version of *item_id*, newest first."""
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {_VERSION} FROM catalog_item_versions v"
                " WHERE v.item_id = :item_id ORDER BY v.indexed_at DESC, v.id DESC",
                {"item_id": item_id},
            )
        return [self._version(row) for row in rows]

    def list_validation_errors(self) -> list[CatalogVersion]:
        """The newest version of each item whose newest version is invalid."""
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {_VERSION} FROM catalog_items i"
                " JOIN catalog_item_versions v ON v.id = i.newest_version_id"
                " WHERE NOT v.valid ORDER BY v.path"
            )
        return [self._version(row) for row in rows]

    def remove_catalog_item(self, item_id: str) -> bool:
        """Stop serving *item_id* (its file is gone); versions stay as history."""
        with self._db.transaction(write=True) as tx:
            removed = tx.run(
                "DELETE FROM catalog_items WHERE item_id = :item_id",
                {"item_id": item_id},
            )
        return removed > 0

    # -- steps ------------------------------------------------------------

    def _newest_version(self, tx: Transaction, item_id: str) -> CatalogVersion | None:
        row = tx.fetch_one(
            f"SELECT {_VERSION} FROM catalog_items i"
            " JOIN catalog_item_versions v ON v.id = i.newest_version_id"
            f" WHERE i.item_id = :item_id{self._db.row_lock}",
            {"item_id": item_id},
        )
        return None if row is None else self._version(row)

    def _write_version(self, tx: Transaction, new: NewCatalogVersion) -> CatalogVersion:
        # The same content can come back (a revert) or get a new verdict (a
        # newer validator): the row is refreshed rather than duplicated.
        row = tx.fetch_one(
            "INSERT INTO catalog_item_versions (item_id, version, commit_sha, path,"
            " content_sha256, valid, data, diagnostics, name, description,"
            " category, tags, lifecycle_status, owner_team, search_text, indexed_at)"
            " VALUES (:item_id, :version, :commit_sha, :path, :content_sha256,"
            " :valid, :data, :diagnostics, :name, :description, :category, :tags,"
            " :lifecycle_status, :owner_team, :search_text, :now)"
            " ON CONFLICT (item_id, content_sha256) DO UPDATE SET"
            " version = excluded.version, commit_sha = excluded.commit_sha,"
            " path = excluded.path, valid = excluded.valid, data = excluded.data,"
            " diagnostics = excluded.diagnostics, name = excluded.name,"
            " description = excluded.description, category = excluded.category,"
            " tags = excluded.tags, lifecycle_status = excluded.lifecycle_status,"
            " owner_team = excluded.owner_team,"
            " search_text = excluded.search_text, indexed_at = excluded.indexed_at"
            " RETURNING id",
            _version_params(new, now=self._now()),
        )
        assert row is not None  # RETURNING always yields the row
        version_id = int(row["id"])
        tx.run(
            "DELETE FROM catalog_version_tags WHERE version_id = :id",
            {"id": version_id},
        )
        for tag in dict.fromkeys(new.tags):
            tx.run(
                "INSERT INTO catalog_version_tags (version_id, tag) VALUES (:id, :tag)",
                {"id": version_id, "tag": tag},
            )
        stored = tx.fetch_one(
            f"SELECT {_VERSION} FROM catalog_item_versions v WHERE v.id = :id",
            {"id": version_id},
        )
        assert stored is not None
        return self._version(stored)

    def _point_item_at(self, tx: Transaction, newest: CatalogVersion) -> None:
        current_id: int | None = newest.id
        if not newest.valid:
            row = tx.fetch_one(
                "SELECT id FROM catalog_item_versions WHERE item_id = :item_id"
                " AND valid ORDER BY indexed_at DESC, id DESC LIMIT 1",
                {"item_id": newest.item_id},
            )
            current_id = None if row is None else int(row["id"])
        tx.run(
            "INSERT INTO catalog_items (item_id, current_version_id,"
            " newest_version_id, stale, updated_at)"
            " VALUES (:item_id, :current, :newest, :stale, :now)"
            " ON CONFLICT (item_id) DO UPDATE SET"
            " current_version_id = excluded.current_version_id,"
            " newest_version_id = excluded.newest_version_id,"
            " stale = excluded.stale, updated_at = excluded.updated_at",
            {
                "item_id": newest.item_id,
                "current": current_id,
                "newest": newest.id,
                "stale": current_id is not None and current_id != newest.id,
                "now": self._now(),
            },
        )

    # -- rows -------------------------------------------------------------

    def _version(self, row: Row) -> CatalogVersion:
        db = self._db
        return CatalogVersion(
            id=int(row["id"]),
            item_id=row["item_id"],
            version=row["version"],
            commit_sha=row["commit_sha"],
            path=row["path"],
            content_sha256=row["content_sha256"],
            valid=bool(row["valid"]),
            data=db.decode_optional_json(row["data"]),
            diagnostics=db.decode_json(row["diagnostics"]),
            name=row["name"],
            description=row["description"],
            category=row["category"],
            tags=db.decode_json(row["tags"]),
            lifecycle_status=row["lifecycle_status"],
            owner_team=row["owner_team"],
            indexed_at=db.decode_time(row["indexed_at"]),
        )

    def _item(self, row: Row) -> CatalogItem:
        return CatalogItem(
            item_id=row["item_id"],
            stale=bool(row["stale"]),
            current=self._version(row),
            newest_version_id=int(row["newest_version_id"]),
            updated_at=self._db.decode_time(row["updated_at"]),
        )


def _same(stored: CatalogVersion, new: NewCatalogVersion) -> bool:
    return (
        stored.content_sha256 == new.content_sha256
        and stored.valid == new.valid
        and stored.data == new.data
        and stored.diagnostics == [dict(d) for d in new.diagnostics]
        and stored.path == new.path
    )


def _version_params(new: NewCatalogVersion, *, now: object) -> dict[str, object]:
    tags = list(dict.fromkeys(new.tags))
    search_text = " ".join([new.item_id, new.name, new.description, *tags]).lower()
    return {
        "item_id": new.item_id,
        "version": new.version,
        "commit_sha": new.commit_sha,
        "path": new.path,
        "content_sha256": new.content_sha256,
        "valid": new.valid,
        "data": Json(new.data),
        "diagnostics": Json([dict(d) for d in new.diagnostics]),
        "name": new.name,
        "description": new.description,
        "category": new.category,
        "tags": Json(tags),
        "lifecycle_status": new.lifecycle_status,
        "owner_team": new.owner_team,
        "search_text": search_text,
        "now": now,
    }
