"""How a person with an account is named in public."""

# Shown for an account with no name: a login must never appear in public pages, feeds or
# addresses, as it is half of what an attacker needs (user enumeration, CVE-2017-5487).
NAMELESS = "The author"


def public_name(user):
    """The account's full name, or its first name, or a neutral label; never the login."""
    return user.get_full_name() or user.first_name or NAMELESS
