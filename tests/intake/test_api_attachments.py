"""Adding attachments to a recorded signal over the API (multipart, field ``file``): the same
checks as recording, a checksum of what is stored, nothing stored and no file left behind on
a refusal or a failure."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from continuum.audit.models import AuditEntry
from continuum.core.models import Membership
from continuum.intake import services
from continuum.intake.models import Signal, SignalAttachment
from continuum.intake.services import attachments as attachment_services
from tests.conftest import bearer
from tests.intake.conftest import signal_data

PDF = b"%PDF-1.4\n% a tiny test document\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def signal(world, held_person) -> Signal:
    return services.signal_record(actor=world["contact_point"], data=signal_data(held_person))


def attach(client, membership: Membership, signal: Signal, *files: SimpleUploadedFile):
    return client.post(
        f"/api/v1/signals/{signal.reference}/attachments",
        {"file": list(files)},
        **bearer(membership),
    )


def stored_files(settings) -> list[str]:
    return [str(p) for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_it_attaches_files_with_their_checksums(client, world, signal, settings):
    response = attach(
        client,
        world["contact_point"],
        signal,
        SimpleUploadedFile("report.pdf", PDF),
        SimpleUploadedFile("photo.png", PNG),
    )
    assert response.status_code == 201, response.json()
    shown = {a["original_name"]: a for a in response.json()["attachments"]}
    assert shown["report.pdf"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert shown["report.pdf"]["size"] == len(PDF)
    assert shown["photo.png"]["content_type"] == "image/png"
    stored = SignalAttachment.objects.get(original_name="report.pdf")
    assert stored.signal == signal
    with stored.file.open("rb") as content:
        assert hashlib.sha256(content.read()).hexdigest() == stored.sha256
    assert len(stored_files(settings)) == 2
    entry = AuditEntry.objects.filter(action="change", object_type="intake.signal").latest(
        "sequence"
    )
    assert sorted(entry.changes["attachments"]["after"]) == sorted(
        [hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()]
    )


def test_the_signal_detail_shows_the_attachments(client, world, signal):
    attach(client, world["contact_point"], signal, SimpleUploadedFile("notes.txt", b"seen"))
    response = client.get(f"/api/v1/signals/{signal.reference}", **bearer(world["bureau_analyst"]))
    assert response.status_code == 200
    [attachment] = response.json()["attachments"]
    assert (attachment["original_name"], attachment["size"]) == ("notes.txt", 4)
    assert attachment["sha256"] == hashlib.sha256(b"seen").hexdigest()
    assert AuditEntry.objects.filter(
        action="read", object_type="intake.signal", object_id=signal.reference
    ).exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            ("tool.exe", b"MZ\x90\x00"),
            "tool.exe: only these file types are accepted: pdf, jpg, jpeg, png, txt.",
            id="type-outside-the-allow-list",
        ),
        pytest.param(("notes.txt", b""), "notes.txt is empty.", id="empty"),
        pytest.param(
            ("notes.txt", b"x" * 21),
            "notes.txt is larger than the limit of 20 bytes.",
            id="over-the-size-limit",
        ),
        pytest.param(
            ("photo.png", b"MZ not a png at all"),
            "photo.png does not contain what its type says.",
            id="content-not-matching-its-type",
        ),
        pytest.param(
            ("notes.txt", b"\xff\xfe\x00binary"),
            "notes.txt does not contain what its type says.",
            id="text-that-is-not-text",
        ),
    ],
)
def test_a_refused_file_stores_nothing(client, world, signal, settings, upload, message):
    settings.CONTINUUM_SIGNAL_ATTACHMENT_MAX_BYTES = 20
    name, content = upload
    response = attach(
        client,
        world["contact_point"],
        signal,
        SimpleUploadedFile("fine.txt", b"fine"),
        SimpleUploadedFile(name, content),
    )
    assert response.status_code == 400
    assert response.json() == {"message": message, "fields": {"attachments": [message]}}
    assert not SignalAttachment.objects.exists()
    assert stored_files(settings) == []


def test_every_refused_file_is_named(client, world, signal, settings):
    response = attach(
        client,
        world["contact_point"],
        signal,
        SimpleUploadedFile("a.exe", b"MZ"),
        SimpleUploadedFile("b.txt", b""),
    )
    assert response.json()["fields"]["attachments"] == [
        "a.exe: only these file types are accepted: pdf, jpg, jpeg, png, txt.",
        "b.txt is empty.",
    ]


def test_no_file_is_refused(client, world, signal):
    response = client.post(
        f"/api/v1/signals/{signal.reference}/attachments", {}, **bearer(world["contact_point"])
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"attachments": ["Choose at least one file to attach."]}


def test_a_field_that_is_not_a_file_is_a_field_error(client, world, signal):
    response = client.post(
        f"/api/v1/signals/{signal.reference}/attachments",
        {"file": "not a file"},
        **bearer(world["contact_point"]),
    )
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    assert not SignalAttachment.objects.exists()


def test_json_is_not_accepted(client, world, signal):
    response = client.post(
        f"/api/v1/signals/{signal.reference}/attachments",
        {"file": "x"},
        content_type="application/json",
        **bearer(world["contact_point"]),
    )
    assert response.status_code == 415
    assert not SignalAttachment.objects.exists()


def test_a_failure_after_writing_leaves_no_file_behind(
    client, world, signal, settings, monkeypatch
):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    # Only this service's audit entry fails, after the files were written.
    monkeypatch.setattr(attachment_services, "audit", SimpleNamespace(record=broken))
    client.raise_request_exception = False
    response = attach(
        client,
        world["contact_point"],
        signal,
        SimpleUploadedFile("report.pdf", PDF),
        SimpleUploadedFile("notes.txt", b"seen"),
    )
    assert response.status_code == 500
    assert not SignalAttachment.objects.exists()
    assert stored_files(settings) == []


def test_a_signal_no_longer_awaiting_assessment_takes_no_attachments(
    client, world, signal, settings
):
    services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    response = attach(client, world["contact_point"], signal, SimpleUploadedFile("report.pdf", PDF))
    assert response.status_code == 409
    assert response.json()["message"] == (
        "This signal is no longer awaiting assessment; record new material as a new signal."
    )
    assert not SignalAttachment.objects.exists()
    assert stored_files(settings) == []


def test_the_receiving_side_cannot_attach(client, world, signal, settings):
    response = attach(
        client, world["bureau_analyst"], signal, SimpleUploadedFile("report.pdf", PDF)
    )
    assert response.status_code == 404
    assert not SignalAttachment.objects.exists()
    assert stored_files(settings) == []
