"""WXR files written by the tests, with the shapes real exports have."""

NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/1.2/"'
)


def cdata(text):
    """WordPress's own CDATA writing: ``]]>`` split across two sections (WXR 1.2)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(cid, content, parent=0, approved="1", kind="comment", author="Reader", user_id=0,
            date="2020-01-02 10:00:00", ip="192.0.2.1", url=""):  # fmt: skip
    return f"""<wp:comment>
  <wp:comment_id>{cid}</wp:comment_id>
  <wp:comment_author>{cdata(author)}</wp:comment_author>
  <wp:comment_author_email>{cdata("")}</wp:comment_author_email>
  <wp:comment_author_url>{url}</wp:comment_author_url>
  <wp:comment_author_IP>{cdata(ip)}</wp:comment_author_IP>
  <wp:comment_date>{cdata(date)}</wp:comment_date>
  <wp:comment_date_gmt>{cdata(date)}</wp:comment_date_gmt>
  <wp:comment_content>{cdata(content)}</wp:comment_content>
  <wp:comment_approved>{cdata(approved)}</wp:comment_approved>
  <wp:comment_type>{cdata(kind)}</wp:comment_type>
  <wp:comment_parent>{parent}</wp:comment_parent>
  <wp:comment_user_id>{user_id}</wp:comment_user_id>
</wp:comment>"""


def item(post_id, title, content="<p>Text</p>", status="publish", post_type="post",
         slug=None, date="2020-01-01 09:00:00", comments=(), terms=(), meta=(),
         link=None, sticky=0, password="", extra=""):  # fmt: skip
    slug = slug if slug is not None else f"post-{post_id}"
    link = (
        link
        if link is not None
        else f"https://old.example/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/"
    )
    term_xml = "".join(
        f'<category domain="{domain}" nicename="{nice}">{cdata(name)}</category>'
        for domain, nice, name in terms
    )
    meta_xml = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in meta
    )
    return f"""<item>
  <title>{cdata(title)}</title>
  <link>{link}</link>
  <dc:creator>{cdata("writer")}</dc:creator>
  <guid isPermaLink="false">https://old.example/?p={post_id}</guid>
  <content:encoded>{cdata(content)}</content:encoded>
  <excerpt:encoded>{cdata("")}</excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date>{cdata(date)}</wp:post_date>
  <wp:post_date_gmt>{cdata(date)}</wp:post_date_gmt>
  <wp:comment_status>{cdata("open")}</wp:comment_status>
  <wp:post_name>{cdata(slug)}</wp:post_name>
  <wp:status>{cdata(status)}</wp:status>
  <wp:post_parent>0</wp:post_parent>
  <wp:post_type>{cdata(post_type)}</wp:post_type>
  <wp:post_password>{cdata(password)}</wp:post_password>
  <wp:is_sticky>{sticky}</wp:is_sticky>
  {term_xml}{meta_xml}{extra}
  {"".join(comments)}
</item>"""


def wxr(*items, header="", channel_extra=""):
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
{header}<rss version="2.0" {NAMESPACES}>
<channel>
  <title>Old blog</title>
  <link>https://old.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example</wp:base_site_url>
  <wp:base_blog_url>https://old.example</wp:base_blog_url>
  <wp:author><wp:author_id>7</wp:author_id><wp:author_login>{cdata("writer")}</wp:author_login><wp:author_email>{cdata("w@old.example")}</wp:author_email><wp:author_display_name>{cdata("The Writer")}</wp:author_display_name><wp:author_first_name>{cdata("")}</wp:author_first_name><wp:author_last_name>{cdata("")}</wp:author_last_name></wp:author>
  <wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>{cdata("local")}</wp:category_nicename><wp:category_parent>{cdata("news")}</wp:category_parent><wp:cat_name>{cdata("Local")}</wp:cat_name></wp:category>
  <wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>{cdata("news")}</wp:category_nicename><wp:category_parent>{cdata("")}</wp:category_parent><wp:cat_name>{cdata("News")}</wp:cat_name></wp:category>
  <wp:tag><wp:term_id>3</wp:term_id><wp:tag_slug>{cdata("budget")}</wp:tag_slug><wp:tag_name>{cdata("Budget")}</wp:tag_name></wp:tag>
  {channel_extra}
  {"".join(items)}
</channel>
</rss>
"""
