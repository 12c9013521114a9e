"""Incoming mail: fetch or pipe, store raw first, parse (charsets, bodies, quotes, forwards), judge
(duplicates, size, spam, loops, auto-replies, bounces), route into tickets, and the mail log.

May import: core … delivery. Nothing below imports it: incoming and outgoing mail stay apart.
"""
