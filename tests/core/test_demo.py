import mf2py
import pytest

from rejoinder.discussion.models import Comment
from rejoinder.operations.demo import load_demo
from rejoinder.publishing.models import Post
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_demo_content_loads_with_its_discussion(client):
    """The demo: posts, an About page, a quoting post with a post script and a thread."""
    author = make_user("demo", first_name="Site", last_name="Editor")
    assert load_demo(author) == 6
    assert Post.objects.pages().get().slug == "about"
    flagship = Post.objects.get(slug="harbour-bridge-money")
    assert len(flagship.attributions) >= 8
    assert flagship.updates.get().label == "Post Script"
    assert flagship.comment_count == 6
    author_replies = Comment.objects.filter(post=flagship, user=author)
    assert author_replies.count() == 1
    assert max(Comment.objects.filter(post=flagship).values_list("depth", flat=True)) == 4
    html = client.get(flagship.get_absolute_url()).content.decode()
    parsed = mf2py.parse(doc=html, url="http://testserver/")
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]
    assert len(entry["properties"]["comment"]) == 1
