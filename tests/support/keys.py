"""The process-wide key ring, installed for one test and put back after it.

Sealed columns read and write under the one ring ``privacy.vault`` holds for the process; the app
installs its instance's ring when it is created. A test that seals or opens cells without an app
(or under another instance's ring) installs the ring it needs through the ``use_key_ring``
fixture, which calls ``install`` here; nothing else in the tests installs a ring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from privacy.keys import KeyRing, KeyRingError
from privacy.vault import install_key_ring, key_ring

# What the ``use_key_ring`` fixture is: install a ring for the rest of the test, and return it.
UseKeyRing = Callable[[KeyRing], KeyRing]


def install(ring: KeyRing) -> KeyRing:
    """Make ``ring`` the process's key ring; returns it."""
    install_key_ring(ring)
    return ring


@contextmanager
def restored_key_ring() -> Iterator[None]:
    """After the block, the ring installed before it is the process's ring again (when there
    was none, the last ring installed in the block stays: the vault cannot be emptied)."""
    try:
        before: KeyRing | None = key_ring()
    except KeyRingError:
        before = None
    try:
        yield
    finally:
        if before is not None:
            install_key_ring(before)
