"""Attachments to a signal: an allow-list of types checked against the content, a size limit,
and a SHA-256 checksum of what was stored."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from continuum.audit.models import AuditEntry
from continuum.core.exceptions import InvalidInput
from continuum.intake import services
from continuum.intake.models import Signal, SignalAttachment
from continuum.intake.services import signals as signal_services
from tests.intake.conftest import signal_data

PDF = b"%PDF-1.4\n% a tiny test document\n"


def record(world, person, *uploads: SimpleUploadedFile) -> Signal:
    return services.signal_record(
        actor=world["contact_point"], data=signal_data(person), attachments=list(uploads)
    )


def test_it_stores_an_attachment_with_its_checksum(world, held_person):
    signal = record(world, held_person, SimpleUploadedFile("report.pdf", PDF))
    attachment = signal.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (attachment.original_name, attachment.size) == ("report.pdf", len(PDF))
    assert attachment.content_type == "application/pdf"
    with attachment.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == attachment.sha256
    # Stored under a random name, not the uploader's.
    assert "report" not in attachment.file.name


def test_a_type_outside_the_allow_list_is_refused(world, held_person):
    with pytest.raises(InvalidInput) as refused:
        record(world, held_person, SimpleUploadedFile("tool.exe", b"MZ\x90\x00"))
    assert refused.value.fields == {
        "attachments": ["tool.exe: only these file types are accepted: pdf, jpg, jpeg, png, txt."]
    }
    assert not Signal.objects.exists()


def test_content_that_does_not_match_its_type_is_refused(world, held_person):
    with pytest.raises(InvalidInput) as refused:
        record(world, held_person, SimpleUploadedFile("photo.png", b"MZ not a png at all"))
    assert refused.value.fields == {
        "attachments": ["photo.png does not contain what its type says."]
    }


def test_a_file_over_the_size_limit_is_refused(world, held_person, settings):
    settings.CONTINUUM_SIGNAL_ATTACHMENT_MAX_BYTES = 20
    with pytest.raises(InvalidInput) as refused:
        record(world, held_person, SimpleUploadedFile("notes.txt", b"x" * 21))
    assert refused.value.fields == {
        "attachments": ["notes.txt is larger than the limit of 20 bytes."]
    }
    assert not SignalAttachment.objects.exists()


def test_an_empty_file_is_refused(world, held_person):
    with pytest.raises(InvalidInput) as refused:
        record(world, held_person, SimpleUploadedFile("notes.txt", b""))
    assert refused.value.fields == {"attachments": ["notes.txt is empty."]}


def test_the_allow_list_is_configuration(world, held_person, settings):
    settings.CONTINUUM_SIGNAL_ATTACHMENT_TYPES = ["pdf"]
    with pytest.raises(InvalidInput) as refused:
        record(world, held_person, SimpleUploadedFile("notes.txt", b"plain words"))
    assert refused.value.fields == {
        "attachments": ["notes.txt: only these file types are accepted: pdf."]
    }


def test_text_must_be_text(world, held_person):
    with pytest.raises(InvalidInput):
        record(world, held_person, SimpleUploadedFile("notes.txt", b"\xff\xfe\x00binary"))


def test_an_attachment_is_downloaded_by_those_who_see_the_signal(act_as, world, held_person):
    signal = record(world, held_person, SimpleUploadedFile("report.pdf", PDF))
    attachment = signal.attachments.get()
    url = reverse("intake:attachment-download", args=[signal.reference, attachment.pk])
    response = act_as(world["bureau_analyst"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(
        action="read", object_type="intake.signalattachment", object_id=str(attachment.pk)
    ).exists()


def test_an_attachment_of_another_signal_is_not_found(act_as, world, held_person):
    first = record(world, held_person, SimpleUploadedFile("a.pdf", PDF))
    second = record(world, held_person)
    url = reverse("intake:attachment-download", args=[second.reference, first.attachments.get().pk])
    assert act_as(world["bureau_analyst"]).get(url).status_code == 404


def test_a_failed_recording_leaves_no_file_behind(world, held_person, monkeypatch, settings):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(signal_services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        record(world, held_person, SimpleUploadedFile("report.pdf", PDF))
    assert not Signal.objects.exists()
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
