"""Shared piece of the runtime's post-import hooks (autoawait.py, display.py)."""
import sys


def spec_from_other_finders(skip, name, path, target=None):
    """The spec the rest of ``sys.meta_path`` finds for `name`, passing over finders that are
    instances of `skip` (the asking hook's own type), or None."""
    for finder in sys.meta_path:
        if isinstance(finder, skip) or not hasattr(finder, 'find_spec'):
            continue
        spec = finder.find_spec(name, path, target)
        if spec is not None:
            return spec
    return None
