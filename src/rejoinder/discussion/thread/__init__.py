"""The discussion's read side: which comments a page shows, and their HTML.

``rows`` (the one thread row and its fetch) -> ``tree`` (display trees, budgets) ->
``pages`` (which comments a page of a post or a comment's own page shows) -> ``render``
(the HTML, behind one escaping boundary) -> ``sections`` (the HTML cached for anonymous
readers); ``locations`` knows where every comment and thread lives. The post page, the
comment pages, the API and the embed all read threads through these.
"""
