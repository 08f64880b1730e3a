from types import SimpleNamespace

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from rejoinder.core.bulk import allocate_ids, insert_rows
from rejoinder.discussion.models import Comment


class ImportRecord(models.Model):
    """What an object of ours was in the site it was imported from.

    Keyed on (source, kind, source id), so importing the same export again finds what it
    made the first time and creates nothing; WordPress's old ``?p=ID`` addresses are
    answered from here too.
    """

    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        POST = "post", "Post or page"
        COMMENT = "comment", "Comment"
        ATTACHMENT = "attachment", "Attachment"

    source = models.CharField(max_length=500, help_text="The site's address, e.g. its blog URL.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_id = models.CharField(max_length=100)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    # Attachments are recorded, not fetched: their file's address.
    url = models.URLField(max_length=2000, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="one_record_per_source_object"
            )
        ]
        indexes = [models.Index(fields=["kind", "source_id"], name="import_by_old_id")]

    def __str__(self):
        return f"{self.kind} {self.source_id} from {self.source}"

    @classmethod
    def imported_comments(cls, source, source_ids):
        """{source id: comment pk} of those ``source_ids`` imported before and still here.

        Records of comments deleted here since are dropped, so those comments import again.
        """
        records = cls.objects.filter(source=source, kind=cls.Kind.COMMENT, source_id__in=source_ids)
        known = {record.source_id: record.object_id for record in records}
        if not known:
            return {}
        alive = set(Comment.objects.filter(pk__in=known.values()).values_list("pk", flat=True))
        if len(alive) < len(known):
            records.exclude(object_id__in=alive).delete()
        return {source_id: pk for source_id, pk in known.items() if pk in alive}

    @classmethod
    def record_comments(cls, source, pairs):
        """Record many imported comments at once: ``pairs`` of (source id, comment)."""
        content_type = ContentType.objects.get_for_model(Comment)
        now = timezone.now()
        pairs = list(pairs)
        ids = allocate_ids(cls, len(pairs))
        records = [
            SimpleNamespace(
                id=pk,
                source=source,
                kind=cls.Kind.COMMENT,
                source_id=str(source_id),
                content_type_id=content_type.pk,
                object_id=comment.pk,
                url="",
                imported_at=now,
            )
            for pk, (source_id, comment) in zip(ids, pairs, strict=True)
        ]
        insert_rows(records, model=cls)
