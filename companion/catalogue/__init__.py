"""Stage 1, the catalogue: the models of areas, tools, routines, therapies and safety data; the loader that reads
the bundled data in `content/` (through importlib.resources) and the person's own routine files, and validates
them (`validation`: references, the limits as written); the cache of the validated catalogue; the person's
routine files (save, copy, delete, live validation of drafts).

May use: `companion.disk`, `companion.words`.
"""
