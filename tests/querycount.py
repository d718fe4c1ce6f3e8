"""How many SQL statements a page or an API call costs: the query-count tests ask it with one
row and again with ten, and assert the cost does not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def queries(client: Client, url: str, **headers: str) -> int:
    """The number of statements one GET of ``url`` runs; it must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)  # type: ignore[arg-type]
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def statements(client: Client, url: str, **headers: str) -> list[str]:
    """The statements themselves, for a failure message."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url, **headers)  # type: ignore[arg-type]
    return [q["sql"] for q in captured.captured_queries]


def assert_flat(client: Client, url: str, add_rows: Callable[[int], Any], **headers: str) -> None:
    """``url`` costs as many queries with ten rows as with one (``add_rows(n)`` adds n)."""
    add_rows(1)
    queries(client, url, **headers)  # the first request of a session also fills caches
    one = queries(client, url, **headers)
    add_rows(9)
    ten = queries(client, url, **headers)
    assert ten == one, "\n".join(statements(client, url, **headers))
