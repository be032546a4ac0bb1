"""Start-up work of the command line that its commands share."""
import gc

import pytest

from genoseq.cli import _library_imports


def test_library_imports_freeze_their_objects_and_restore_the_collector():
    assert gc.isenabled()
    before = gc.get_freeze_count()
    try:
        with pytest.raises(ImportError):
            with _library_imports():
                assert not gc.isenabled()
                kept = [[] for _ in range(100)]
                import genoseq_no_such_module  # noqa: F401  (a failing import still restores the collector)
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(kept)
    finally:
        gc.unfreeze()
