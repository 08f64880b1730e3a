from bs4 import BeautifulSoup


def soup(response):
    """The response's HTML, parsed, for structural assertions."""
    return BeautifulSoup(response.content, "html.parser")


def text_of(response, selector):
    element = soup(response).select_one(selector)
    assert element is not None, f"no element matches {selector!r}"
    return element.get_text(" ", strip=True)
