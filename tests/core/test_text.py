from rejoinder.core.text import CONTROL_CHARACTERS, find_control_character, strip_control_characters


def test_every_character_xml_cannot_carry_is_found():
    """C0 controls other than tab, LF and CR, U+FFFE/U+FFFF and lone surrogates are found."""
    banned = [chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD)]
    banned += ["\ufffe", "\uffff", "\ud800", "\udfff"]
    for char in banned:
        assert find_control_character("ab" + char) == 2, repr(char)


def test_ordinary_text_is_left_alone():
    """Tab, line breaks, accents, emoji and private-use characters are not control characters."""
    text = "a\tb\nc\r\nd é 😀 \ue000 \ufffd"
    assert find_control_character(text) is None
    assert strip_control_characters(text) == (text, 0)
    assert CONTROL_CHARACTERS.search(text) is None


def test_strip_counts_what_it_removed():
    """Stripping returns the clean text and how many characters went."""
    assert strip_control_characters("a\x01b\x0bc\uffff") == ("abc", 3)
