"""Operations on a whole desk, run by an admin from the command line: backups (`backup create`,
`backup restore`) and the move from SQLite to PostgreSQL (`db move-to`).

May import: everything below it; only the command line imports it.
"""
