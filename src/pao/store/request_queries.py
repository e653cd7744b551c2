"""Listing and counting requests: the API's pages and the metrics' gauges.

Listings use keyset pagination over ``(created_at, id)``, which both
engines index and compare as row values: a page starts strictly after the
last key of the previous one, so rows inserted meanwhile never shift the
pages already handed out, and nothing is skipped or repeated.
"""

from __future__ import annotations

from collections.abc import Collection

from ._base import StoreBase
from .database import in_list
from .records import Page, RequestCount, RequestRecord, RequestStatus, SortKey
from .requests_log import REQUEST_COLUMNS, decode_request

__all__ = ["RequestQueries"]


class RequestQueries(StoreBase):
    """Filtered, paginated request listings and counts."""

    def list_requests(
        self,
        *,
        statuses: Collection[RequestStatus] | None = None,
        item_id: str | None = None,
        team: str | None = None,
        requester: str | None = None,
        visible_to_teams: Collection[str] | None = None,
        pr_number: int | None = None,
        after: SortKey | None = None,
        limit: int = 50,
        newest_first: bool = False,
        with_total: bool = True,
    ) -> Page[RequestRecord]:
        """One page of requests in ``(created_at, id)`` order.

        Pass the previous page's ``next_key`` as *after* for the next one;
        rows inserted meanwhile never shift a page (keyset pagination).
        *newest_first* walks the order backwards (then new requests appear
        only on a fresh first page). *visible_to_teams* keeps requests whose
        team or owner team is one of them (``None``: no restriction, for
        admins). *with_total* adds a count of all matching requests, which
        costs a scan of them: callers may cache it.
        """
        where, params = _filters(
            statuses=statuses,
            item_id=item_id,
            team=team,
            requester=requester,
            visible_to_teams=visible_to_teams,
            pr_number=pr_number,
        )
        keyset, beyond = where, "<" if newest_first else ">"
        if after is not None:
            keyset += f" AND (created_at, id) {beyond} (:after_at, :after_id)"
        direction = "DESC" if newest_first else "ASC"
        page_params = params | {"limit": limit + 1}
        if after is not None:
            page_params |= {"after_at": after.created_at, "after_id": after.id}
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {REQUEST_COLUMNS} FROM requests WHERE {keyset}"
                f" ORDER BY created_at {direction}, id {direction} LIMIT :limit",
                page_params,
            )
            total = None
            if with_total:
                counted = tx.fetch_one(
                    f"SELECT COUNT(*) AS n FROM requests WHERE {where}", params
                )
                total = int(counted["n"]) if counted else 0
        items = [decode_request(self, row) for row in rows[:limit]]
        has_more = len(rows) > limit
        next_key = items[-1].sort_key if has_more else None
        return Page(
            items=items, has_more=has_more, total_count=total, next_key=next_key
        )

    def count_requests(self) -> list[RequestCount]:
        """How many requests there are per status, item and team."""
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                "SELECT status, item_id, team, COUNT(*) AS n FROM requests"
                " GROUP BY status, item_id, team ORDER BY status, item_id, team"
            )
        return [
            RequestCount(
                status=RequestStatus(row["status"]),
                item_id=row["item_id"],
                team=row["team"],
                count=int(row["n"]),
            )
            for row in rows
        ]

    def queue_depth(self) -> int:
        """How many requests wait in ``queued``."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                "SELECT COUNT(*) AS n FROM requests WHERE status = :status",
                {"status": RequestStatus.QUEUED.value},
            )
        return int(row["n"]) if row else 0


def _filters(
    *,
    statuses: Collection[RequestStatus] | None,
    item_id: str | None,
    team: str | None,
    requester: str | None,
    visible_to_teams: Collection[str] | None,
    pr_number: int | None = None,
) -> tuple[str, dict[str, object]]:
    clauses, params = ["1 = 1"], dict[str, object]()
    if statuses is not None:
        listed, values = in_list("status", [s.value for s in statuses])
        clauses.append(f"status IN {listed}")
        params |= values
    for column, value in (
        ("item_id", item_id),
        ("team", team),
        ("requester", requester),
        ("pr_number", pr_number),
    ):
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if visible_to_teams is not None:
        listed, values = in_list("visible", sorted(visible_to_teams))
        clauses.append(f"(team IN {listed} OR owner_team IN {listed})")
        params |= values
    return " AND ".join(clauses), params
