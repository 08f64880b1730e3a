"""The characters a stored text may not hold, defined once for every door and every writer.

XML 1.0 (section 2.2, ``Char``) cannot carry the C0 control characters other than tab,
line feed and carriage return, nor U+FFFE/U+FFFF, nor a lone surrogate: not even as a
character reference. A comment, a name or a title holding one would make every feed and
every WordPress export that includes it invalid, so the forms, the API and the importers
refuse them (naming the field), and the writers strip them with a warning as a last resort.
"""

import re

# XML 1.0 section 2.2:
# Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def find_control_character(text):
    """The position of the first character of ``text`` that XML 1.0 cannot carry, or None."""
    match = CONTROL_CHARACTERS.search(text)
    return match.start() if match else None


def strip_control_characters(text):
    """``text`` without the characters XML 1.0 cannot carry, and how many were removed."""
    return CONTROL_CHARACTERS.subn("", text)
