"""The kit every app's models are built from: the abstract bases for the bookkeeping fields records share
(timestamps, the 示例 flag, the search terms, an uploaded file, a code tree) and the field factories for the
references many records make (the acting user, the region, the industry). A field made here has exactly one
definition, so ``makemigrations`` sees the same field wherever it is used (docs/CONVENTIONS.md, Models).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def user_ref(verbose_name=None, *, blank: bool = True, **options) -> models.ForeignKey:
    """The user who did something to a record (created, uploaded, decided …): the record outlives the user
    (``SET_NULL``) and the user has no reverse accessor to it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class CreatedRecord(models.Model):
    """When a record was created."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Timestamped(CreatedRecord):
    """When a record was created and last saved."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class DemoFlag(models.Model):
    """A record ``load_demo`` may make: flagged ``is_demo`` (shown as 示例)."""

    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        abstract = True


class DemoCreatedRecord(DemoFlag, CreatedRecord):
    """``is_demo`` and the creation time (records not edited after they are made)."""

    class Meta:
        abstract = True


class DemoRecord(DemoFlag, Timestamped):
    """``is_demo`` with both timestamps."""

    class Meta:
        abstract = True


class SearchableRecord(DemoRecord):
    """A scoped record found by keyword: ``search_text`` holds its jieba terms (``core.search``), written by
    the services that save it; ``is_demo`` and the timestamps as ``DemoRecord``."""

    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True


class CodeTree(models.Model):
    """A classification whose code is the primary key, each node under its ``parent`` (regions, industries,
    ICS, CCS). A subclass defines ``code`` and ``level`` (its own ``Level`` choices)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UploadedFile(models.Model):
    """A file someone uploaded to a record; a subclass adds the ``file`` field (its ``upload_to``) and the
    owning record."""

    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(max_length=100)
    uploaded_by = user_ref(blank=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


IN_REGION = _("所在地区")


def region_ref(verbose_name=IN_REGION, *, db_column: str = "region_code", **options) -> models.ForeignKey:
    """A region a record names, stored as its GB/T 2260 code: by default the region the record is in
    (column ``region_code``, which scoping reads)."""
    return models.ForeignKey(
        "core.Region",
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        db_column=db_column,
        related_name="+",
        **options,
    )


def copied_region_ref() -> models.ForeignKey:
    """The region of the record's owner, copied on write (not edited in forms): the scoping key, a
    regulator's subtree being a prefix of it."""
    return region_ref(None, editable=False)


def industry_ref() -> models.ForeignKey:
    """The record's industry (GB/T 4754), optional."""
    return models.ForeignKey(
        "core.Industry",
        verbose_name=_("所属行业"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
