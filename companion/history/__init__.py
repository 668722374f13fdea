"""Stage 4, the history: what a session record holds, the store that keeps them (JSON Lines, locked and
fsynced), schema migrations, export and import, and the queries over records (streaks, minutes, exposure).

May use: `companion.catalogue` (models), `companion.disk`, `companion.words`.
"""
