"""Household registry: households, members, review records and staged imports (issue 4)."""
