"""Limits and signed, list-bound cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from pao.api import ApiConfig, BadRequest
from pao.api.pagination import CursorCodec, PageRequest, page_body

from .conftest import ALICE_TOKEN, GRANTS, AppFactory, bearer
from .sample import ITEMS, MODULE

AUTH = bearer(ALICE_TOKEN)


@pytest.fixture
def api(make_app: AppFactory, make_client: Callable[..., TestClient]) -> TestClient:
    config = ApiConfig(tokens=GRANTS, cursor_key=b"k" * 32)
    return make_client(make_app(config=config, modules=[MODULE]))


def get(api: TestClient, path: str) -> dict:  # type: ignore[type-arg]
    response = api.get(path, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestLimit:
    def test_default_limit_is_50(self, api: TestClient) -> None:
        """Without ``limit`` a page holds 50 rows."""
        body = get(api, "/api/v1/items")

        assert len(body["data"]) == 50
        assert body["pagination"]["has_more"] is True
        assert body["pagination"]["total_count"] == len(ITEMS)

    @pytest.mark.parametrize("limit", [1, 200])
    def test_bounds_are_accepted(self, api: TestClient, limit: int) -> None:
        """1 and 200 are the smallest and largest pages."""
        body = get(api, f"/api/v1/items?limit={limit}")

        assert len(body["data"]) == min(limit, len(ITEMS))

    @pytest.mark.parametrize(
        "limit", ["0", "201", "-1", "abc", "1.5", "", " 5", "1e2", "٣"]
    )
    def test_out_of_range_or_non_integer_is_400(
        self, api: TestClient, limit: str
    ) -> None:
        """Anything but an integer from 1 to 200 is refused, naming limit."""
        response = api.get("/api/v1/items", params={"limit": limit}, headers=AUTH)

        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_parameter"
        assert error["details"] == {"parameter": "limit"}


class TestCursor:
    def test_cursors_walk_the_whole_list_once(self, api: TestClient) -> None:
        """Following next_cursor visits every row exactly once."""
        seen: list[str] = []
        path = "/api/v1/items?limit=50"
        while True:
            body = get(api, path)
            seen += [row["id"] for row in body["data"]]
            cursor = body["pagination"]["next_cursor"]
            if not body["pagination"]["has_more"]:
                assert cursor is None
                break
            path = f"/api/v1/items?limit=50&cursor={cursor}"

        assert seen == [item["id"] for item in ITEMS]

    def test_cursor_is_opaque_base64url(self, api: TestClient) -> None:
        """The cursor is URL-safe text without padding."""
        cursor = get(api, "/api/v1/items?limit=3")["pagination"]["next_cursor"]

        assert set(cursor) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )

    def test_cursor_from_another_list_is_400(self, api: TestClient) -> None:
        """A cursor is bound to the list that issued it."""
        cursor = get(api, "/api/v1/others?limit=3")["pagination"]["next_cursor"]

        response = api.get(f"/api/v1/items?cursor={cursor}", headers=AUTH)

        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_cursor"
        assert "'others'" in error["message"]

    def test_tampered_cursor_is_400(self, api: TestClient) -> None:
        """Changing the keys inside a cursor breaks its signature."""
        cursor = get(api, "/api/v1/items?limit=3")["pagination"]["next_cursor"]
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        forged_payload = json.dumps({"l": "items", "k": [100]}).encode()
        forged = base64.urlsafe_b64encode(raw[:16] + forged_payload).decode()

        response = api.get(f"/api/v1/items?cursor={forged}", headers=AUTH)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_cursor"

    def test_cursor_signed_with_another_key_is_400(self, api: TestClient) -> None:
        """Another deployment's (or process's) cursor is refused."""
        foreign = CursorCodec(b"other-key").encode(listing="items", keys=[3])

        response = api.get(f"/api/v1/items?cursor={foreign}", headers=AUTH)

        assert response.status_code == 400

    @pytest.mark.parametrize(
        "cursor",
        ["garbage", "%%%", "AAAA", "x" * 3000, "é", "eyJsIjoiaXRlbXMifQ", "====", "a"],
    )
    def test_garbage_cursor_is_400(self, api: TestClient, cursor: str) -> None:
        """Whatever the text, a bad cursor is a 400, never a 500."""
        response = api.get("/api/v1/items", params={"cursor": cursor}, headers=AUTH)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_cursor"

    def test_empty_cursor_means_first_page(self, api: TestClient) -> None:
        """``cursor=`` is the same as no cursor."""
        body = get(api, "/api/v1/items?limit=2&cursor=")

        assert [row["n"] for row in body["data"]] == [0, 1]


class TestCodec:
    def test_round_trip_keeps_key_types(self) -> None:
        """Strings, numbers, booleans and null come back as given."""
        codec = CursorCodec(b"key")
        keys = ("2026-01-01T00:00:00+00:00", 7, 1.5, True, None)

        cursor = codec.encode(listing="requests", keys=keys)

        assert codec.decode(cursor, listing="requests") == keys

    def test_random_key_when_none_given(self) -> None:
        """Two processes without a configured key do not accept each other's."""
        cursor = CursorCodec().encode(listing="x", keys=[1])

        with pytest.raises(BadRequest):
            CursorCodec().decode(cursor, listing="x")

    def test_last_page_has_no_cursor(self) -> None:
        """has_more false means next_cursor null, whatever the keys."""
        page = PageRequest(listing="x", limit=10, after=None)

        body = page_body(
            [1, 2],
            page=page,
            codec=CursorCodec(b"k"),
            render=str,
            has_more=False,
            next_keys=(2,),
        )

        assert body == {
            "data": ["1", "2"],
            "pagination": {"has_more": False, "next_cursor": None, "total_count": None},
        }
