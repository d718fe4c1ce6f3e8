"""How many SQL statements a page or an API call costs: the query-count tests ask it with one
row and again with ten, and assert the cost does not grow with the rows."""

from __future__ import annotations

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
