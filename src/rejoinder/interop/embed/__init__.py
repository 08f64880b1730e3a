"""The embeddable thread: one script tag puts a post's discussion on another site's page.

``static/rejoinder/embed.js`` fetches ``/comments/embed/?url=…`` (CORS, allow-listed
origins only): the thread and the reply form as server-rendered HTML, the same markup as
the post page (``discussion.thread.render.ThreadRenderer`` and ``discussion/_form.html``) with
absolute addresses; replies go to the JSON API. docs/api.md describes it.
"""
