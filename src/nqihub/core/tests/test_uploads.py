"""Stale import uploads are swept; fresh ones (a job may still read them) stay."""

import os
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from nqihub.core.uploads import sweep_stale_imports


def test_stale_uploads_are_deleted_and_fresh_ones_kept(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    old = default_storage.save("imports/scope/old.csv", ContentFile(b"a,b\n"))
    nested = default_storage.save("imports/standards/x/old.xlsx", ContentFile(b"zz"))
    fresh = default_storage.save("imports/scope/fresh.csv", ContentFile(b"a,b\n"))
    outside = default_storage.save("reports/keep.pdf", ContentFile(b"%PDF"))
    day_and_a_half = (timezone.now() - timedelta(hours=36)).timestamp()
    for name in (old, nested):
        os.utime(default_storage.path(name), (day_and_a_half, day_and_a_half))

    assert sweep_stale_imports() == 2
    assert not default_storage.exists(old) and not default_storage.exists(nested)
    assert default_storage.exists(fresh) and default_storage.exists(outside)
    # Nothing left to do the second time.
    assert sweep_stale_imports() == 0


def test_the_command_runs_without_an_imports_folder(db, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = str(tmp_path / "empty")
    call_command("sweep_imports")
    assert "deleted 0" in capsys.readouterr().out
