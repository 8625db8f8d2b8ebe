"""Write the FOCUS rows: CSV on stdout or to a file, parquet when the output name ends in .parquet."""

from __future__ import annotations

import io
import sys
from pathlib import Path


def write_focus(results, output: str | None) -> Path | None:
    """The rows to `output` (or stdout); the backup of the file it replaced, if any (the caller names it)."""
    from tco.files import files_read, write_atomic
    from tco.report.focus import focus_frame

    frame = focus_frame(results)
    if output and output.lower().endswith(".parquet"):
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return write_atomic(Path(output), buffer.getvalue(), inputs=files_read())
    text = frame.write_csv()
    if output:
        return write_atomic(Path(output), text, inputs=files_read())
    sys.stdout.write(text)
    return None
