"""The bundled catalogue (routines, therapies, safety rules) as data files, and its loader."""

from content.loader import BUNDLED_ROOT, LoadResult, load_catalog

__all__ = ["BUNDLED_ROOT", "LoadResult", "load_catalog"]
