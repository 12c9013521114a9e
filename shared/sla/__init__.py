"""Service levels: business hours and holidays, calendars, and the tracking of each ticket's targets.

May import: core, models, mime, records, access, outgoing.
"""
