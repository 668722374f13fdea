"""The bundled catalogue as data only (TOML): routines, therapies, safety rules and advice thresholds.

Read by `companion.catalogue.loader` through importlib.resources; nothing here is code.
"""
