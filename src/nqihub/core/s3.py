"""``STORAGE_BACKEND=s3``: a private bucket of any S3-compatible store (MinIO, Ceph RGW, Alibaba OSS, Tencent
COS …) through django-storages. Objects are written private and never given a URL (``core.files``); the
app reads them with its own credentials for the scoped download views."""

from storages.backends.s3 import S3Storage

from .files import no_url


class PrivateS3Storage(S3Storage):
    default_acl = "private"
    querystring_auth = True
    file_overwrite = False

    def url(self, name, parameters=None, expire=None, http_method=None):
        no_url(name)
