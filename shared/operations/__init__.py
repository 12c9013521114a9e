"""Operations on a whole desk, run by an admin from the command line: moving it from SQLite to
PostgreSQL (`db move-to`).

May import: everything below it; only the CLI imports it.
"""
