"""What the census announces to the features that read it: a wave released (a blinker signal, as
Flask's own signals are).

``survey`` releases a wave and sends ``wave_released``; ``reports`` freezes the wave's report on
it. Neither imports the other: the composition root (``app.py``) connects the receiver when it
builds an app.

The sender is the engine the releasing session writes to. Each app has its own engine, so a
receiver connected for one app (``sender=`` that app's engine) never fires for another app's
release, even when many apps live in one process, as in the tests.
"""

from __future__ import annotations

import datetime as dt

from blinker import Namespace
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from census.models import Wave

_signals = Namespace()

# Sent with ``session``, ``wave`` and ``now`` once the wave's state is RELEASED (flushed, not
# committed): a receiver writes in the same transaction, so the release and what it freezes
# commit or roll back together.
wave_released = _signals.signal("wave-released")


def release_sender(session: Session) -> Engine:
    """The sender of ``session``'s announcements: the engine it writes to (one per app)."""
    return session.get_bind().engine


def announce_release(session: Session, wave: Wave, now: dt.datetime) -> None:
    """Tell the receivers of ``session``'s app that ``wave`` was released at ``now``."""
    wave_released.send(release_sender(session), session=session, wave=wave, now=now)
