from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponsePermanentRedirect

from rejoinder.core.numbers import whole_number
from rejoinder.publishing.models import Post

from .models import ImportRecord


class WordPressAddressMiddleware:
    """Answer WordPress's plain addresses of imported posts: ``/?p=ID``, ``/?page_id=ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.method in {"GET", "HEAD"}:
            wordpress_id = request.GET.get("p") or request.GET.get("page_id")
            if whole_number(wordpress_id) is not None:
                post = self.imported_post(wordpress_id)
                if post is not None:
                    return HttpResponsePermanentRedirect(post.get_absolute_url())
        return self.get_response(request)

    @staticmethod
    def imported_post(wordpress_id):
        record = (
            ImportRecord.objects.filter(
                kind=ImportRecord.Kind.POST,
                source_id=wordpress_id,
                content_type=ContentType.objects.get_for_model(Post),
            )
            .order_by("-imported_at")
            .first()
        )
        if record is None:
            return None
        return Post.objects.published().filter(pk=record.object_id).first()
