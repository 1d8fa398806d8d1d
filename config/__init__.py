"""Settings and the data files that configure Xinan (defaults, risk policy, help lines)."""

from config.settings import Settings

__all__ = ["Settings"]
