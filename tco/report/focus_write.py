"""Write the FOCUS rows: CSV on stdout or to a file, parquet when the output name ends in .parquet."""

from __future__ import annotations

import io
import sys
from pathlib import Path


def write_focus(results, output: str | None) -> None:
    from tco.files import files_read, write_atomic
    from tco.report.focus import focus_frame

    frame = focus_frame(results)
    if output and output.lower().endswith(".parquet"):
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        write_atomic(Path(output), buffer.getvalue(), inputs=files_read())
        return
    text = frame.write_csv()
    if output:
        write_atomic(Path(output), text, inputs=files_read())
    else:
        sys.stdout.write(text)
