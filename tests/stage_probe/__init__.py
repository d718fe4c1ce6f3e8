"""A throw-away stage app, installed only when the tests run (``tests/settings.py``): it proves
a stage plugs in through the registries alone, with no file outside this package edited. It
contributes a route (a page and an API route), a timeline kind, a navigation entry, a task
source and a periodic job. Its navigation entry and tasks are for members of the agency with
the code ``probe-agency`` only, so no other test sees it."""
