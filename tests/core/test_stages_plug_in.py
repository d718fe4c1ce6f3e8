"""A stage plugs in through the registries alone: the throw-away stage in ``tests/stage_probe``
(installed only by ``tests/settings.py``) contributes a route, a timeline kind, a navigation
entry, a task and a periodic job, and every one shows up, though no file of the project names
it."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from continuum.core import navigation, services
from continuum.core.models import Role
from tests.factories import AgencyFactory, MembershipFactory, PersonFactory
from tests.stage_probe.apps import PROBE_AGENCY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def probe_member(db):
    agency = AgencyFactory(code=PROBE_AGENCY, name="Probe agency")
    return MembershipFactory(agency=agency, role=Role.CASE_MANAGER)


def test_no_project_file_names_the_probe_stage():
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "src").rglob("*.html")]
    assert len(files) > 50
    assert [f for f in files if "stage_probe" in f.read_text(encoding="utf-8")] == []


def test_its_page_and_api_routes_are_served(act_as, probe_member):
    client = act_as(probe_member)
    assert client.get("/probe/").content == b"The probe stage's page."
    assert reverse("api:probe") == "/api/v1/probe"
    assert client.get("/api/v1/probe").json() == {"probe": "ok"}


def test_its_timeline_kind_is_recorded_and_described(act_as, world, probe_member):
    person = PersonFactory(registered_by=world.institution)
    services.timeline_add(
        person=person, kind="probe_noted", actor=probe_member, details={"note": "a synthetic note"}
    )
    page = act_as(world["coordinator"]).get(reverse("core:person-detail", args=[person.reference]))
    assert "Probe noted" in page.text
    assert "Noted by the probe stage: a synthetic note." in page.text


def test_its_navigation_entry_and_task_show_up(act_as, world, probe_member):
    AgencyFactory(code="probe-task-1")
    client = act_as(probe_member)
    page = client.get(reverse("core:my-work"))
    header = page.text.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "Probe stage" in header
    assert "My work (1)" in header
    assert "Probe task probe-task-1" in page.text
    assert client.get("/api/v1/tasks").json()[0]["title"] == "Probe task probe-task-1"
    # Another membership does not see the probe's entry (the same client, signed in again).
    assert "Probe stage" not in act_as(world["case_manager"]).get("/persons/").text


def test_its_periodic_job_runs(db):
    out = StringIO()
    call_command("periodic", stdout=out)
    assert "Probe stage: ran." in out.getvalue()


def test_the_work_count_is_one_query_whatever_the_number_of_task_sources(
    probe_member, django_assert_num_queries
):
    """Ten more sources (a stage each, say) cost no more queries than one."""
    AgencyFactory(code="probe-task-1")
    with django_assert_num_queries(1):
        assert navigation.task_count(probe_member) == 1
    more = [
        navigation.TaskSource(
            f"probe-more-{i}",
            "More",
            navigation.task_sources.get("probe-task").rows,  # type: ignore[union-attr]
            navigation.task_sources.get("probe-task").as_task,  # type: ignore[union-attr]
        )
        for i in range(10)
    ]
    with navigation.task_sources.registered(*more), django_assert_num_queries(1):
        assert navigation.task_count(probe_member) == 11


PLATFORM_ALONE = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from continuum.core import demo, navigation, periodic, routes, timeline
from continuum.core.models import Membership, Role

call_command("check", fail_level="WARNING")
call_command("migrate", verbosity=0, interactive=False)
print("routes", sorted(s.key for s in routes.stages))
print("kinds", sorted(k.key for k in timeline.kinds if k.key.startswith(("signal", "triage"))))
print("entries", sorted(e.key for e in navigation.entries))
print("sources", sorted(s.key for s in navigation.task_sources))
print("jobs", sorted(j.key for j in periodic.jobs), "seeders", sorted(s.key for s in demo.seeders))
demo.seed()
coordinator = Membership.objects.get(user__username="coordinator")
client = Client(HTTP_HOST="localhost")
client.force_login(coordinator.user)
page = client.get(reverse("core:choose-membership"), follow=True)
print("landing", page.status_code, page.redirect_chain[-1][0])
print("person-search", client.get("/persons/").status_code)
print("signals-page", client.get("/intake/signals/").status_code)
"""


def test_the_platform_runs_with_every_stage_removed(tmp_path):
    """Removing the stages from INSTALLED_APPS removes what they contributed, and the rest runs
    (the check passes, the migrations apply, the demo's shared world seeds, pages answer)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_without_stages",
        "CONTINUUM_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(  # noqa: S603 - our own script, no outside input
        [sys.executable, "-c", PLATFORM_ALONE],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["routes"] == "[]"
    assert lines["kinds"] == "[]"
    assert lines["entries"] == str(
        sorted(["core-persons", "core-cases", "audit-log", "access-emergency-review",
                "access-emergency"])
    )  # fmt: skip
    assert lines["sources"] == "['access-emergency-review']"
    assert lines["jobs"] == "['audit-checkpoint'] seeders []"
    assert lines["landing"] == "200 /persons/"
    assert lines["person-search"] == "200"
    assert lines["signals-page"] == "404"


def test_my_work_shows_a_bounded_number_of_each_kind_and_says_so(act_as, probe_member, monkeypatch):
    monkeypatch.setattr(navigation, "TASKS_PER_SOURCE", 2)
    for i in range(3):
        AgencyFactory(code=f"probe-task-{i}")
    page = act_as(probe_member).get(reverse("core:my-work")).text
    assert "My work (3)" in page
    assert page.count("Probe task probe-task-") == 2
    assert "2 of 3 tasks shown: the first of each kind." in page
