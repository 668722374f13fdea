"""Stage 5, advice: what the history suggests (rest an area, see a therapist or a doctor, and why), the advice
rules read from `content/advice.toml`, the self-massage/professional comparison, and the therapy search.

May use: `companion.catalogue`, `companion.history`, `companion.disk`, `companion.words`.
"""
