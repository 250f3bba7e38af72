"""Pure-Python core: rules and calculations.

Imports no Django (checked by tests/test_architecture.py)."""
