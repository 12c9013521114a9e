"""Full-text search of tickets: the index the verbs keep in step, the query's terms, the search
itself and the marks on what it found.

May import: core … queues.
"""
