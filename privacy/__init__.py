"""Encryption at rest, keyed lookup indexes and pseudonyms: the one home of key material."""
