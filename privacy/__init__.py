"""Encryption at rest, keyed lookup indexes and pseudonyms, key backup and rotation (the one home
of key material), and the audit chain (``privacy.audit``)."""
