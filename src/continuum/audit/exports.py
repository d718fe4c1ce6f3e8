"""Files of audit entries for the data-protection officer: CSV for reading, JSON for keeping.

Both carry, besides the facts, each entry's sealed ``content`` and its two hashes, so that
whoever holds the audit key can check every entry of the file on their own:
``entry_hash == HMAC-SHA256(key, prev_hash || content)``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from continuum.audit.models import AuditEntry

FORMATS = ("csv", "json")
COLUMNS = (
    "sequence",
    "at",
    "action",
    "username",
    "role",
    "agency_code",
    "object_type",
    "object_id",
    "person_reference",
    "case_reference",
    "changes",
    "justification",
    "request_id",
    "client_address",
    "key_id",
    "prev_hash",
    "entry_hash",
    "content",
)


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    body: bytes


def render(entries: Sequence[AuditEntry], *, reference: str, file_format: str) -> ExportFile:
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"audit-{_safe(reference)}-{stamp}.{file_format}"
    if file_format == "csv":
        return ExportFile(filename, "text/csv; charset=utf-8", _csv(entries))
    return ExportFile(filename, "application/json", _json(entries, reference))


def _safe(reference: str) -> str:
    return "".join(c for c in reference if c.isalnum() or c == "-") or "person"


def _row(entry: AuditEntry) -> dict[str, Any]:
    row = {name: getattr(entry, name) for name in COLUMNS}
    row["at"] = entry.at.isoformat()
    return row


def _csv(entries: Sequence[AuditEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for entry in entries:
        row = _row(entry)
        row["changes"] = json.dumps(row["changes"], sort_keys=True, ensure_ascii=False)
        writer.writerow({name: _cell(value) for name, value in row.items()})
    # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value: Any) -> Any:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _json(entries: Sequence[AuditEntry], reference: str) -> bytes:
    document = {
        "person_reference": reference,
        "exported_at": timezone.now().isoformat(),
        "entries": [_row(entry) for entry in entries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
