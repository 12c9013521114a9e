"""Demo data for `make run`: a desk with customers, agents and a believable history.

May import: everything below it; only the CLI imports it.
"""
