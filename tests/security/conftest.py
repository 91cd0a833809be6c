"""The security suite reuses the end-to-end fixtures: the real app (prod build, Redis) for attacks
through its event channel, and the `database` fixture (tests/conftest.py) for attacks on the services."""

from tests.e2e.conftest import app_server  # noqa: F401  (a fixture, found by name)
