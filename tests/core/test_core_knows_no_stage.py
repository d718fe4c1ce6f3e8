"""The core knows no stage: no module of ``core``, ``audit`` or the base of ``access`` imports
a stage app. Stages plug in through registries (see ``continuum.core.registry``); only the
settings name them. The access policy's stage modules (``access/policy/<stage>.py``) are the
one place in ``access`` that knows a stage, by design."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

SRC = Path(__file__).resolve().parents[2] / "src" / "continuum"
PLATFORM = ("core", "access", "audit")


def stage_packages() -> set[str]:
    """Every installed app of the project that is not the platform, and those still to come."""
    installed = {
        config.name
        for config in apps.get_app_configs()
        if config.name.startswith("continuum.") and config.label not in PLATFORM
    }
    coming = {
        f"continuum.{name}"
        for name in ("assessments", "plans", "consultations", "aftercare", "sharing", "privacy")
    }
    return installed | coming


def platform_modules() -> list[Path]:
    modules = []
    for app in PLATFORM:
        for path in sorted((SRC / app).rglob("*.py")):
            stage_policy = path.parent == SRC / "access" / "policy" and path.name != "__init__.py"
            if not stage_policy:
                modules.append(path)
    return modules


def imported_modules(path: Path) -> list[tuple[int, str]]:
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def test_no_platform_module_imports_a_stage():
    stages = stage_packages()
    offending = []
    for path in platform_modules():
        lines = path.read_text().splitlines()
        for lineno, module in imported_modules(path):
            if any(module == stage or module.startswith(stage + ".") for stage in stages):
                offending.append(
                    f"{path.relative_to(SRC.parent)}:{lineno}: {lines[lineno - 1].strip()}"
                )
    assert not offending, "The platform imports a stage:\n" + "\n".join(sorted(set(offending)))


def test_the_walk_finds_an_import_of_a_stage(tmp_path):
    """The check can fail: a module importing a stage is caught, in both import forms."""
    module = tmp_path / "continuum" / "core" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from continuum.intake import services\nimport continuum.reporting.views\n"
        "from ..intake.models import Signal\n"
    )
    global SRC
    original, SRC = SRC, tmp_path / "continuum"
    try:
        found = {name for _line, name in imported_modules(module)}
    finally:
        SRC = original
    assert {"continuum.intake", "continuum.reporting.views", "continuum.intake.models"} <= found
