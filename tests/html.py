from bs4 import BeautifulSoup


def soup(response):
    """The response's HTML, parsed, for structural assertions."""
    return BeautifulSoup(response.content, "html.parser")


def text_of(response, selector):
    element = soup(response).select_one(selector)
    assert element is not None, f"no element matches {selector!r}"
    return element.get_text(" ", strip=True)


def form_stamps(html):
    """The values of the comment forms' ``issued`` fields in a page (bytes or text)."""
    page = BeautifulSoup(html, "html.parser")
    return [field.get("value", "") for field in page.select('form input[name="issued"]')]


def without_stamps(html):
    """The page (as text) with its comment forms' stamps emptied, for comparing pages."""
    page = BeautifulSoup(html, "html.parser")
    for field in page.select('form input[name="issued"]'):
        field["value"] = ""
    return str(page)
