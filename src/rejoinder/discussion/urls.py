from django.urls import path, re_path

from . import feeds, views

app_name = "discussion"

POST = r"(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)"
COMMENT = rf"{POST}/comment-(?P<comment>[0-9]+)"

urlpatterns = [
    path("comments/feed/", feeds.CommentFeed(), name="feed"),
    path("comments/feed/atom/", feeds.AtomCommentFeed(), name="feed_atom"),
    path("comments/stamp/", views.stamp, name="stamp"),
    re_path(rf"^{POST}/comments/$", views.post_comment, name="post_comment"),
    re_path(rf"^{POST}/comment-page-(?P<page>[0-9]+)/$", views.comment_page, name="comment_page"),
    re_path(rf"^{POST}/feed/$", feeds.PostCommentFeed(), name="post_feed"),
    re_path(rf"^{POST}/feed/atom/$", feeds.AtomPostCommentFeed(), name="post_feed_atom"),
    re_path(rf"^{COMMENT}/$", views.comment_detail, name="comment"),
    re_path(rf"^{COMMENT}/reply/$", views.reply, name="reply"),
    re_path(rf"^{COMMENT}/edit/$", views.edit, name="edit"),
]
