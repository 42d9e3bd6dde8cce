"""The analytics core of Solidarity: a plain-Python library that never imports Django.

Everything the platform computes over statistics lives here, as typed functions over tables that
can be used on their own (from a notebook, a script or the ``solidarity`` command) as well as by the
web apps: tabulation of microdata into aggregate tables, statistical disclosure control and its
audit, differential privacy (the privacy budget is always a required argument, never a global
default), SDMX reading and writing, and fair-share arithmetic. Those arrive in later issues; this
package is their home.

An import contract (``[tool.importlinter]`` in pyproject.toml, run by ``./dev lint`` and by
tests/test_quality.py) keeps Django and the Django apps out of it, so that the same code runs in a
batch job or on a cluster without a web database.
"""
