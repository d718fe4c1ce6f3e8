"""Intelligence events recorded before the timeline knew who holds them: a signal's events are
held by the agency it was routed to, an investigation's by its bureau."""

from django.db import migrations

SIGNAL_KINDS = ("signal_recorded", "signal_passed_on")
INVESTIGATION_KINDS = (
    "investigation_opened",
    "measure_authorised",
    "measure_ended",
    "triage_decided",
)


def fill_held_by(apps, schema_editor):
    TimelineEvent = apps.get_model("core", "TimelineEvent")
    Signal = apps.get_model("intake", "Signal")
    Investigation = apps.get_model("intake", "Investigation")
    routed = dict(Signal.objects.values_list("reference", "routed_to_id"))
    bureaux = dict(Investigation.objects.values_list("reference", "bureau_id"))
    decided = dict(
        apps.get_model("intake", "TriageDecision").objects.values_list(
            "reference", "investigation__bureau_id"
        )
    )
    events = TimelineEvent.objects.filter(
        held_by__isnull=True, kind__in=SIGNAL_KINDS + INVESTIGATION_KINDS
    )
    for event in events.iterator():
        if event.kind in SIGNAL_KINDS:
            holder = routed.get(event.details.get("reference"))
        elif event.kind == "triage_decided":
            holder = decided.get(event.details.get("reference"))
        else:
            holder = bureaux.get(event.details.get("investigation"))
        if holder is not None:
            TimelineEvent.objects.filter(pk=event.pk).update(held_by_id=holder)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_timeline_held_by"),
        ("intake", "0002_investigation_triage"),
    ]

    operations = [migrations.RunPython(fill_held_by, migrations.RunPython.noop)]
