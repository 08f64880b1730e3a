import pytest
from django.contrib.auth.models import Group, Permission

pytestmark = pytest.mark.django_db


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_roles_exist_after_migrating():
    """The four roles are groups made by migration."""
    names = set(Group.objects.values_list("name", flat=True))
    assert {"administrator", "editor", "author", "moderator"} <= names


def test_editor_may_edit_others_posts_and_author_may_not():
    """Editors handle every post; authors only write posts of their own."""
    assert {"edit_others_posts", "change_post", "add_page", "change_category"} <= codenames(
        "editor"
    )
    author = codenames("author")
    assert {"add_post", "change_post"} <= author
    assert "edit_others_posts" not in author and "add_page" not in author


def test_administrator_has_every_permission():
    """The administrator group holds all permissions."""
    assert Group.objects.get(name="administrator").permissions.count() == Permission.objects.count()
