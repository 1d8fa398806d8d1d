"""Throwaway services for the tests and benchmarks (a PostgreSQL cluster), started by code."""
