"""The ticket verbs and what works a ticket: opening, replies and notes (`conversation`), the
agent's answer from the reply box (`answers`), properties, the rules engine (the one place that
assigns status), assignment, attachments, links, merges, bulk actions, canned replies, ratings,
reminders, time tracking, participants, and the team (`agents`).

May import: core … people.
"""
