"""The synthetic demo for the embedded default (clearly marked synthetic): a roster, staff
accounts, an open wave and a released one, and the ``flask demo`` commands."""
