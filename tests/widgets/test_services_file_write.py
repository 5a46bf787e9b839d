"""The snapshot files nginx serves: written whole or not at all, readable by the web server whatever the umask,
rewritten when their bytes differ in any way, and reached through WIDGET_ROOT/current."""

import os
from pathlib import Path

import pytest

from fundraising.widgets import services


def test_a_file_that_starts_with_the_right_bytes_but_goes_on_is_rewritten(tmp_path):
    path = tmp_path / "lights.json"
    path.write_bytes(b'{"raised":1}{"raised":2}')
    assert services.file_update(path, b'{"raised":1}') is True
    assert path.read_bytes() == b'{"raised":1}'
    assert services.file_update(path, b'{"raised":1}') is False  # the same bytes: left alone
    assert services.file_update(tmp_path / "new.json", b"{}") is True and (tmp_path / "new.json").read_bytes() == b"{}"


def test_a_written_file_is_readable_by_others_whatever_the_umask(tmp_path):
    path = tmp_path / "lights.svg"
    umask = os.umask(0o077)
    try:
        services.file_write(path, b"<svg/>")
    finally:
        os.umask(umask)
    assert (path.stat().st_mode & 0o777, path.read_bytes()) == (0o644, b"<svg/>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lights.svg"]  # no temporary file left


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "lights.json"
    path.mkdir()  # os.replace cannot put a file over a directory
    with pytest.raises(OSError):
        services.file_write(path, b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["lights.json"]


def test_current_points_at_this_releases_directory(transactional_db, widget_root):
    from tests.factories import SeedCampaignFactory

    root = Path(widget_root)
    (root / f"v{services.VERSION}").mkdir(parents=True)
    os.symlink("v1", root / "current")  # a previous release's
    SeedCampaignFactory()
    assert os.readlink(root / "current") == f"v{services.VERSION}"
    assert (root / "current" / "lights.json").is_file()
    services.current_link_update()  # already there: nothing changes
    assert os.readlink(root / "current") == f"v{services.VERSION}"
    assert sorted(p.name for p in root.iterdir()) == ["current", f"v{services.VERSION}"]
