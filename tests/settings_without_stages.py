"""The project's settings with every stage removed: the platform alone (core, access, audit).
Used by a test that proves removing a stage from INSTALLED_APPS removes it cleanly."""

from continuum.settings import *  # noqa: F403
from continuum.settings import INSTALLED_APPS

STAGES = {"continuum.intake", "continuum.reporting"}
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in STAGES]
