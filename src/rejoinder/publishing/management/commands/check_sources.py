from django.core.management.base import BaseCommand, CommandError

from rejoinder.publishing import checking
from rejoinder.publishing.models import Post
from rejoinder.publishing.tasks import check_post_sources


class Command(BaseCommand):
    help = (
        "Archive the sources of published posts and check their quotations. Without "
        "--recheck only posts with unchecked quotations; run it with --recheck from cron "
        "(say weekly) to flag sources changed since they were quoted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recheck", action="store_true", help="Check every post again.")
        parser.add_argument("--post", type=int, help="Only the post with this id.")
        parser.add_argument(
            "--queue", action="store_true", help="Queue a task per post for the worker."
        )

    def handle(self, *args, recheck, post, queue, **options):
        if post is not None:
            posts = Post.objects.filter(pk=post)
            if not posts.exists():
                raise CommandError(f"--post: no post has the id {post}.")
        else:
            posts = checking.posts_to_check(recheck=recheck)
        done = 0
        for item in posts:
            if queue:
                check_post_sources.enqueue(item.pk)
            else:
                checking.check_post(item)
            done += 1
        verb = "Queued" if queue else "Checked"
        self.stdout.write(f"{verb} {done} post{'s' if done != 1 else ''}.")
