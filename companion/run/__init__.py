"""Stage 3, the run: `RoutineRun`, the state machine of a routine being followed (all time from an injected
`Clock`), the checkpoint of a run in progress, and the run lock.

May use: `companion.safety` (the plan it runs), `companion.history` (the record it makes), `companion.catalogue`,
`companion.disk`, `companion.words`.
"""
