"""The request an audit entry belongs to, kept in a context variable so that services need
not pass the request around."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_address: str | None = None


# RequestContext is a frozen dataclass, so sharing one default instance is safe.
current: ContextVar[RequestContext] = ContextVar(
    "continuum_request",
    default=RequestContext(),  # noqa: B039
)
