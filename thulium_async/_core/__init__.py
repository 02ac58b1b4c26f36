"""The foundation every layer stands on: the error types, wall-clock time, input checks.

No I/O and no imports from the rest of the package.
"""
