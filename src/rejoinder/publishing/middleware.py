from django.http import HttpResponsePermanentRedirect

from .models import PostAlias


class PostAliasMiddleware:
    """Redirect (301) an address a post used to have to where it lives now."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in {"GET", "HEAD"}:
            return response
        alias = PostAlias.objects.select_related("post").filter(old_path=request.path).first()
        if alias is None or not alias.post.is_public:
            return response
        return HttpResponsePermanentRedirect(alias.post.get_absolute_url())
