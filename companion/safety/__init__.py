"""Stage 2, safety and the plan: today's screening answers and what they mean for a routine, and the plan, a
routine fitted to the limits, the answers, the settings and the history, every trim or drop saying why.

May use: `companion.catalogue`, `companion.history`, `companion.settings`, `companion.disk`, `companion.words`.
"""
