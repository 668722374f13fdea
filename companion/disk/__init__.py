"""Where files live (platformdirs) and how they are written: atomic replacement, the inter-process lock, setting
a damaged file aside. The base every stage may use; it uses nothing of Companion's.
"""
