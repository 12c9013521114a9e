"""Who may do what: a ticket's parties, the one place that checks permissions, login sessions and
abuse limits counted in the database.

May import: core, models, mime, records.
"""
