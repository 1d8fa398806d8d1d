"""The test suite: one package per code package (``tests/survey`` for ``survey/``), and
``tests/support`` for what they share; fixtures in ``conftest.py``."""
