"""The running app's settings: installed once by ``create_app``, read through typed accessors.

Flask keeps what belongs to one app in ``app.extensions`` under string keys; this module owns the
settings' key, so that no other module reads it untyped.
"""

from __future__ import annotations

from flask import Flask, current_app

from config.settings import Settings

_KEY = "xinan.settings"


def install_settings(app: Flask, settings: Settings) -> None:
    """Make ``settings`` the settings of ``app``."""
    app.extensions[_KEY] = settings


def settings_of(app: Flask) -> Settings:
    """The settings of ``app``, for the hooks and jobs that ``create_app`` registers on it."""
    settings: Settings = app.extensions[_KEY]
    return settings


def current_settings() -> Settings:
    """The settings of the app handling this request or CLI command."""
    return settings_of(current_app)
