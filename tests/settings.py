"""The settings the tests run with: the project's, plus a throw-away stage app
(``tests/stage_probe``) that proves a stage plugs in through the registries alone."""

from continuum.settings import *  # noqa: F403
from continuum.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.stage_probe"]
