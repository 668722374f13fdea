"""The person's settings (limits only ever stricter, tools owned, prices, theme) and the parsing of what people
type into them. Beside the history: the plan reads both.

May use: `companion.catalogue`, `companion.disk`, `companion.words`.
"""
