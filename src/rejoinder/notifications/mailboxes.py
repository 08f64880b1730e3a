"""Email addresses as this app stores and compares them."""


def normalize_address(email):
    """An address as stored: the domain in lower case (it is case-blind), the rest exact."""
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at else email


def address_key(email):
    """An address for comparing: the same mailbox whatever the letter case."""
    return (email or "").strip().lower()


def same_address(first, second):
    return bool(first) and bool(second) and address_key(first) == address_key(second)
