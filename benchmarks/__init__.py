"""Performance harness: ``python -m benchmarks NAME`` prints one JSON line."""
