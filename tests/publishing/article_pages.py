"""Newspaper article pages for the quotation tests, written here (our own invented news).

Each page wraps the article in what real news sites put around it: a cookie banner,
a header with navigation, share buttons, a "most read" list, a newsletter box inside the
article, reader comments (long enough to look like prose), a footer, scripts and JSON-LD.
``BOILERPLATE`` lists a phrase from each of those parts: none may survive extraction.
"""

import http.server
import threading
from contextlib import contextmanager
from html import escape

TITLE = "Old Mill Bridge to close to cars after late-night vote"

# Curly quotes, apostrophes, em and en dashes as newspapers print them; one soft hyphen
# and one no-break space are added by the page builder, as CMSs leave them in.
ARTICLE = [
    "The city council voted 7–2 on Tuesday night to close the Old Mill Bridge to cars from "
    "next spring, ending a three-year argument that split neighbours, shopkeepers and the "
    "two parties that run the town hall.",
    "The decision — reached after a five-hour meeting that ran past midnight — means the "
    "140-year-old iron crossing will carry only pedestrians, cyclists and the number 4 bus "
    "once repairs begin in April.",
    "“We have patched this bridge for twenty years and called it maintenance,” said "
    "Councillor Aisha Rahman, who chairs the transport committee. “Tonight we stopped "
    "pretending.”",
    "The motion passed at 12.40 a.m.",
    "Engineers told the council in March that the bridge’s deck plates had lost a fifth of "
    "their thickness to rust, and that heavy lorries were already barred under an "
    "emergency order.",
    "Shop owners on Mill Street, who say a third of their customers arrive by car, were not "
    "persuaded. “They’re closing the front door to the whole street and calling it a safety "
    "measure,” said Tom Ellery, whose family has run the hardware shop there since 1962.",
    "The council’s own survey, published in June, found that 58 per cent of residents "
    "within a mile of the bridge supported closing it to through traffic, while 31 per "
    "cent opposed it.",
    "Opponents questioned the survey’s method. Only 412 households replied, and the "
    "questionnaire — sent by email — did not reach many older residents, said Margaret "
    "Doyle of the Mill Street Traders’ Association.",
    "The repairs will cost an estimated £6.2 million, two-thirds of it from a regional "
    "transport grant that requires the crossing to “prioritise sustainable modes of "
    "travel”.",
    "Councillor Peter Hask, who voted against, said the grant’s conditions had decided the "
    "matter before any debate began. “We were told what the answer was and then asked the "
    "question,” he said.",
    "A new signal-controlled junction at the northern end of the bridge will let buses "
    "turn without waiting for car traffic, cutting an average of four minutes from the "
    "route, according to the council’s figures.",
    "Work is expected to take eighteen months. During that time the number 4 bus will "
    "divert over the Station Road bridge, adding roughly ten minutes to journeys from the "
    "east side of town.",
    "The council will hold a public meeting at the Corn Exchange on 14 November at 7 p.m. "
    "to explain the plans. Residents can also send comments to the transport committee "
    "until the end of the year.",
    "Ms Rahman said the council would review the closure after two years. “If we are "
    "wrong, we will say so,” she said. “But I don’t think we are.”",
]

# Another article on the same site, for "a quotation from a different article".
OTHER_ARTICLE = [
    "Flood warnings along the lower valley were lifted on Sunday after the river fell "
    "below its banks for the first time in nine days.",
    "The Environment Agency said ground water would stay high into the new year and "
    "asked residents near the weir to keep sandbags in place until further notice.",
    "“The river has gone down, but the fields have not dried out,” said Dr Lena Moss, the "
    "agency’s area manager. “Another week of rain would put us back where we started.”",
]

COMMENTS = [
    (
        "RiversideResident",
        "I have lived on the east side for thirty years and I have never once seen the "
        "council listen to anyone who does not cycle to work. This closure will add twenty "
        "minutes to every trip my mother makes to the surgery, and nobody on the committee "
        "seems to care about people like her who cannot walk across a bridge in the rain.",
    ),
    (
        "MillStreetFan",
        "The bridge is falling apart and everyone knows it. Would you rather wait until a "
        "lorry goes through the deck? The shops will adapt the way shops in every other "
        "town with a pedestrian centre have adapted, and in five years we will wonder why "
        "we argued about it for so long.",
    ),
    (
        "J. Pemberton",
        "Has anyone actually read the grant conditions? They do not require closing the "
        "bridge to all cars, only giving buses priority at the junction. The council has "
        "chosen the most drastic reading and is now blaming the region for its own choice.",
    ),
]

BOILERPLATE = [
    "We use cookies",  # cookie banner
    "Manage preferences",
    "Sign in",  # header
    "Puzzles",  # navigation
    "Share on Facebook",  # share buttons
    "Most read",  # related links
    "Council tax to rise by 4.9 per cent",
    "Sign up for the Courier’s morning briefing",  # newsletter box inside the article
    "I have lived on the east side for thirty years",  # reader comments
    "Has anyone actually read the grant conditions",
    "All rights reserved",  # footer
    "Contact the newsroom",
    "window.dataLayer",  # scripts
]

MOST_READ = [
    "Council tax to rise by 4.9 per cent from April",
    "Flood warnings lifted along the lower valley",
    "Riverside Rovers sign striker from Dunmore",
    "New owners for the Corn Exchange café",
    "Police appeal after break-ins on Station Road",
]


def _paragraph_html(text, index):
    html = escape(text, quote=False)
    # What CMSs leave behind: a soft hyphen in a long word, a no-break space before "p.m."
    html = html.replace("maintenance", "main&shy;tenance").replace("7 p.m.", "7&nbsp;p.m.")
    if index == 4:
        html = html.replace("emergency order", '<a href="/news/lorry-ban">emergency order</a>')
    if index == 8:
        html = html.replace("regional", "<em>regional</em>")
    return html


def semantic_page(paragraphs=ARTICLE, title=TITLE):
    """A modern news page: HTML5 sections, article markup, JSON-LD."""
    body = []
    for index, text in enumerate(paragraphs):
        body.append(f"<p>{_paragraph_html(text, index)}</p>")
        if index == 3:
            body.append(
                '<figure><img src="/img/bridge.jpg" alt="The Old Mill Bridge at dusk">'
                "<figcaption>The bridge opened in 1885. Photograph: Courier staff"
                "</figcaption></figure>"
            )
        if index == 6:
            body.append(
                '<aside class="newsletter"><h3>Sign up for the Courier’s morning briefing'
                "</h3><p>The day’s news from the valley in your inbox at 7am.</p>"
                '<form><input type="email" placeholder="Email address">'
                "<button>Subscribe</button></form></aside>"
            )
    comments = "".join(
        f'<li class="comment"><div class="comment-author">{escape(name)}</div>'
        f'<div class="comment-body"><p>{escape(text)}</p></div>'
        '<a href="#" class="reply">Reply</a> <span class="likes">12 likes</span></li>'
        for name, text in COMMENTS
    )
    most_read = "".join(
        f'<li><a href="/news/{i}">{escape(t)}</a></li>' for i, t in enumerate(MOST_READ)
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{escape(title)} | The Riverside Courier</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{escape(title)}">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "news"}});</script>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{escape(title)}", "datePublished": "2025-10-22T06:00:00+01:00",
"author": {{"@type": "Person", "name": "Hannah Okafor"}}}}</script>
</head>
<body>
<div id="cookie-banner" class="cookie-consent" role="dialog">
  <p>We use cookies to give you the best experience on our site, to show you relevant
  adverts and to measure how you use it. By continuing to browse you agree to our use of
  cookies.</p>
  <button>Accept all</button> <button>Manage preferences</button>
</div>
<header class="site-header">
  <a href="/" class="logo">The Riverside Courier</a>
  <a href="/account" class="sign-in">Sign in</a> <a href="/subscribe">Subscribe</a>
  <nav class="primary"><ul>
    <li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
    <li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li>
    <li><a href="/whats-on">What’s on</a></li><li><a href="/puzzles">Puzzles</a></li>
  </ul></nav>
</header>
<main>
<nav class="breadcrumbs"><a href="/news">News</a> › <a href="/news/local">Local</a></nav>
<article class="story">
  <header>
    <h1>{escape(title)}</h1>
    <p class="byline">By <a href="/profile/hannah-okafor">Hannah Okafor</a>, Local
    democracy reporter</p>
    <time datetime="2025-10-22T06:00:00+01:00">22 October 2025</time>
    <ul class="share"><li><a href="#">Share on Facebook</a></li>
    <li><a href="#">Share on X</a></li><li><a href="#">Email</a></li></ul>
  </header>
  <div class="story-body">
  {"".join(body)}
  </div>
  <p class="tags">Topics: <a href="/t/transport">Transport</a>, <a href="/t/council">Council</a></p>
</article>
<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>
<section id="comments" class="comments">
  <h2>Comments (3)</h2>
  <p class="comment-policy">Comments are moderated. Be kind.</p>
  <ol class="comment-list">{comments}</ol>
</section>
</main>
<footer class="site-footer">
  <ul><li><a href="/contact">Contact the newsroom</a></li><li><a href="/terms">Terms</a></li>
  <li><a href="/privacy">Privacy</a></li><li><a href="/advertise">Advertise</a></li></ul>
  <p>© 2025 The Riverside Courier Ltd. All rights reserved.</p>
</footer>
<script src="/static/app.js"></script>
</body>
</html>"""


def legacy_page(paragraphs=ARTICLE, title=TITLE):
    """An older CMS's page: tables and divs, no HTML5 sections, comments as prose."""
    body = "".join(
        f'<p class="story-text">{_paragraph_html(text, index)}</p>'
        for index, text in enumerate(paragraphs)
    )
    comments = "".join(
        f'<div class="cmt"><div class="cmt-head"><b>{escape(name)}</b> wrote:</div>'
        f'<div class="cmt-text">{escape(text)}</div></div>'
        for name, text in COMMENTS
    )
    most_read = "<br>".join(
        f'<a href="/story/{i}">{escape(t)}</a>' for i, t in enumerate(MOST_READ)
    )
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(title)} - The Riverside Courier</title>
<script>var _gaq = _gaq || []; window.dataLayer = [];</script></head>
<body>
<div class="cookie-bar">We use cookies to give you the best experience. Manage preferences</div>
<table width="100%"><tr><td class="masthead">THE RIVERSIDE COURIER</td>
<td class="login"><a href="/login">Sign in</a> | <a href="/register">Register</a></td></tr></table>
<div class="menu"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a>
 | <a href="/puzzles">Puzzles</a> | <a href="/jobs">Jobs</a></div>
<div id="content">
  <div id="left">
    <div class="headline"><h2>{escape(title)}</h2></div>
    <div class="dateline">Hannah Okafor — 22/10/2025 06:00</div>
    <div class="sharebar"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div>
    <div class="story">{body}</div>
    <div class="signup">Sign up for the Courier’s morning briefing: <input name="e"> <input
    type="submit" value="Go"></div>
    <div class="comments-block"><div class="cmt-title">Readers’ comments</div>{comments}</div>
  </div>
  <div id="right"><div class="box"><div class="box-title">Most read</div>{most_read}</div></div>
</div>
<div class="footer"><a href="/contact">Contact the newsroom</a> | <a href="/terms">Terms</a>
<br>Copyright 2025 The Riverside Courier Ltd. All rights reserved.</div>
</body></html>"""


def long_page(words=5000):
    """A long article (about ``words`` words of the article's paragraphs, repeated with
    numbered variations) in the semantic layout: for timings."""
    paragraphs, count, round_ = [], 0, 0
    while count < words:
        for text in ARTICLE:
            varied = f"{text} (Part {round_}.)"
            paragraphs.append(varied)
            count += len(varied.split())
        round_ += 1
    return semantic_page(paragraphs)


def blocks_page(paragraphs=ARTICLE, title=TITLE):
    """A page built of components (as BBC- or Guardian-style sites are): each paragraph
    in its own text block, with related links, an advert slot and a pull quote between
    them, and a long comment thread below."""
    blocks = []
    for index, text in enumerate(paragraphs):
        blocks.append(
            f'<div data-component="text-block" class="block"><p>{_paragraph_html(text, index)}'
            "</p></div>"
        )
        if index == 2:
            blocks.append(
                '<div data-component="links-block" class="block related"><h2>Related</h2><ul>'
                f'<li><a href="/news/1">{escape(MOST_READ[0])}</a></li>'
                f'<li><a href="/news/2">{escape(MOST_READ[1])}</a></li></ul></div>'
            )
        if index == 5:
            blocks.append('<div class="ad-slot" data-ad="mpu"><span>Advertisement</span></div>')
        if index == 9:
            blocks.append(
                '<div data-component="links-block" class="block newsletter">'
                "<p>Sign up for the Courier’s morning briefing</p>"
                '<a href="/newsletters">Get the newsletter</a></div>'
            )
    most_read = enumerate(MOST_READ)
    # A busy comment thread: longer, together, than the article.
    comments = "".join(
        f'<div class="comment" id="c{i}"><span class="name">{escape(name)}</span>'
        f"<p>{escape(text)}</p><p>{escape(text)}</p>"
        '<div class="comment-actions"><a href="#">Reply</a> <a href="#">Report</a></div></div>'
        for i, (name, text) in enumerate(COMMENTS * 3)
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)} - Courier</title>
<script>window.dataLayer = [];</script></head>
<body>
<div class="consent-overlay"><p>We use cookies and similar technologies. You can change your
choices at any time. <button>Manage preferences</button> <button>OK</button></p></div>
<div class="top"><a href="/">Courier</a> <a href="/signin">Sign in</a>
<div class="nav-links"><a href="/news">News</a> <a href="/sport">Sport</a>
<a href="/puzzles">Puzzles</a> <a href="/weather">Weather</a></div></div>
<div id="main-content">
  <div class="article-wrapper">
    <div data-component="headline-block"><h1>{escape(title)}</h1></div>
    <div data-component="byline-block">Hannah Okafor, Local democracy reporter</div>
    <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
    {"".join(blocks)}
    <div data-component="tag-list">More on this story: Transport, Council</div>
  </div>
  <div class="sidebar"><h3>Most read</h3>
  {"".join(f'<div class="promo"><a href="/n/{i}">{escape(t)}</a></div>' for i, t in most_read)}
  </div>
  <div class="comments-area"><h3>Join the conversation</h3>{comments}</div>
</div>
<div class="page-footer"><a href="/contact">Contact the newsroom</a> ·
Copyright © 2025 Courier. All rights reserved.</div>
</body></html>"""


@contextmanager
def serving(bodies):
    """A local HTTP server answering each path of ``bodies`` (a dict of path -> bytes,
    which the test may change as it goes) with that page, anything else with 404.
    Yields its origin, ``http://127.0.0.1:<port>``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = bodies.get(self.path)
            self.send_response(404 if body is None else 200)
            if body is not None:
                self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
