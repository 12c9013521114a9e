"""The console's lists of tickets: queues in order, their counts (kept in counters), saved views.

May import: core … sla.
"""
