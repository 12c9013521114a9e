"""What every verb writes or consults: a ticket's append-only history, the admin activity log, the
catalog (departments, products, statuses), what customers have read and who has a ticket open.

May import: core, models, mime.
"""
