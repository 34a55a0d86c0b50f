"""Files: nnmath's model format (safe to open: no pickle) and writes that never lose the old file."""
from nnmath.atomic import replace_atomically, writable_file
from nnmath.io.model import FORMAT, FORMAT_VERSION, META_KEY, load_model, save_model

__all__ = ["save_model", "load_model", "replace_atomically", "writable_file", "META_KEY", "FORMAT", "FORMAT_VERSION"]
