"""The committed-data web fixtures (``web_app``, ``make_staff``) for the request-cycle tests."""

from tests.accounts.conftest import (  # noqa: F401  (fixtures, used by name)
    make_staff,
    web_app,
    web_instance,
)
