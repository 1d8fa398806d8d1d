"""A minimal app for restoring the key ring when Xinan itself cannot start without it.

``create_app`` in ``app.py`` needs its keys: with the key file lost it stops (so that it never
serves, or generates fresh keys, beside data it cannot read), and in a fresh instance it would
generate a new ring before any command ran. So the restore runs here, with the settings and the
database but no key ring: ``flask --app ops.recovery keys restore BACKUP``.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from config.current import install_settings
from config.settings import Settings
from db import Database
from db.current import install_database
from ops.logs import configure_logging
from ops.recovery_cli import keys_restore


def create_app(settings: Settings | None = None) -> Flask:
    """An app that offers only ``keys restore``; it loads no key ring and serves nothing."""
    import models  # noqa: F401  (every sealed table must be known to check the restored keys)

    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, settings.log_file)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    install_settings(app, settings)
    install_database(app, Database(settings.effective_database_url))
    keys = AppGroup("keys", help="Restore the key ring from a backup.")
    keys.add_command(keys_restore)
    app.cli.add_command(keys)
    return app
