"""Roles are groups of permissions, created by migration and kept in step by this module.

* administrator: everything.
* editor: writes and publishes all posts and pages, manages categories and tags.
* author: writes and publishes their own posts (enforced in the admin's querysets), and
  edits or deletes the comments on them (as WordPress's authors may).
* moderator: comments only.
"""

ADMINISTRATOR, EDITOR, AUTHOR, MODERATOR = "administrator", "editor", "author", "moderator"

CONTENT = ["post", "page", "updatenote"]
TAXONOMY = ["category", "tag"]

# Naming the sources of a post's quotations (the post's own inline) and adding sources.
QUOTING = [
    "publishing.view_quotation",
    "publishing.change_quotation",
    "publishing.view_source",
    "publishing.add_source",
    "publishing.change_source",
]

ROLE_PERMISSIONS = {
    EDITOR: [
        *(f"publishing.{action}_{model}" for model in CONTENT + TAXONOMY
          for action in ("add", "change", "delete", "view")),
        "publishing.edit_others_posts",
        "publishing.view_revision",
        *QUOTING,
        "publishing.view_postalias",
        "publishing.change_postalias",
        "publishing.delete_postalias",
        # Other sites' pages' threads: made by comments, closed or removed here.
        *(f"publishing.{action}_externalthread" for action in ("change", "delete", "view")),
        "discussion.view_comment",
        "discussion.change_comment",
        "discussion.delete_comment",
        "discussion.view_commentedit",
        *(f"discussion.{action}_ban" for action in ("add", "change", "delete", "view")),
    ],
    AUTHOR: [
        *(f"publishing.{action}_{model}" for model in ("post", "updatenote")
          for action in ("add", "change", "delete", "view")),
        "publishing.view_category",
        "publishing.view_tag",
        "publishing.add_tag",
        "publishing.view_revision",
        *QUOTING,
        "discussion.moderate_own_posts",
    ],
    MODERATOR: [
        "discussion.view_comment",
        "discussion.change_comment",
        "discussion.delete_comment",
        "discussion.view_commentedit",
        *(f"discussion.{action}_ban" for action in ("add", "change", "delete", "view")),
        "publishing.view_post",
        "publishing.view_externalthread",
    ],
}  # fmt: skip


def sync_roles(apps):
    """Create the role groups and give them their permissions (idempotent)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; make them exist now.
    # Inside a migration the app configs are stubs without models_module, which
    # create_permissions() insists on: lend them one, and give it back.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            # A model migrated later has no permission yet; post_migrate adds it then.
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(Permission.objects.all())
