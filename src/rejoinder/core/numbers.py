"""Numbers readers send (ids, page numbers) and other text holds: ASCII digits, bounded.

``str.isdigit()`` accepts "²" and "١", which ``int()`` then refuses or reads as another
number; a thousand-digit id overflows the database's integer. Every number taken from a
request, a cookie, a header or stored HTML is read here instead.
"""

import re

# Ids are 64-bit integers at most: 15 digits is far past any real row.
ID_DIGITS = 15
_DIGITS = {}


def whole_number(value, digits=ID_DIGITS):
    """``value`` as an int if it is 1 to ``digits`` ASCII digits, else None."""
    if not isinstance(value, str):
        return None
    pattern = _DIGITS.get(digits)
    if pattern is None:
        pattern = _DIGITS[digits] = re.compile(rf"[0-9]{{1,{digits}}}")
    return int(value) if pattern.fullmatch(value) else None
