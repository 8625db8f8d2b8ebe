"""A `user_scores_file` that points at the wrong file: a clean error that never shows that file's bytes.

Issue 19: a scores path pointing at a non-CSV system file printed its first line in the error.
Devices and pipes must neither hang nor grow memory (read_text reads regular files only).
"""

from __future__ import annotations

import os
import signal

import pytest

from tco.errors import TcoUserError
from tco.load.quality import load_user_scores
from tco.load.yaml_source import read_text

SECRET = "root:x:0:0:root:/root:/bin/bash"


def messages(error: TcoUserError) -> str:
    return "\n".join(p.render() for p in error.problems)


def test_a_file_that_is_not_a_scores_csv_is_named_without_its_content(tmp_path):
    path = tmp_path / "passwd"
    path.write_text(SECRET + "\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
    with pytest.raises(TcoUserError) as e:
        load_user_scores(path)
    text = messages(e.value)
    assert "is not a scores CSV" in text and str(path) in text
    assert SECRET not in text and "root:x" not in text and "/bin/bash" not in text and "daemon" not in text


def test_a_scores_csv_with_one_misspelt_column_still_names_that_column(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("model,metric,scroe,date\nllama-3.3-70b-instruct,MMLU,80,2025-01-01\n")
    with pytest.raises(TcoUserError) as e:
        load_user_scores(path)
    assert "scroe: unknown column" in messages(e.value) and "did you mean `score`?" in messages(e.value)


def test_a_column_that_is_not_a_plain_name_is_not_echoed(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("model,metric,score,date,<script>secret-token-123</script>\n")
    with pytest.raises(TcoUserError) as e:
        load_user_scores(path)
    assert "secret-token" not in messages(e.value) and "not a plain name" in messages(e.value)


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_a_device_or_a_pipe_is_refused_without_reading_it(tmp_path, kind):
    if kind == "device":
        path = tmp_path / "zero.csv"
        path.symlink_to("/dev/zero")
    else:
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)

    def stuck(signum, frame):
        raise AssertionError("blocked reading a pipe")

    old = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)  # a guard against hanging, not a timing assertion
    try:
        with pytest.raises(TcoUserError) as e:
            read_text(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert messages(e.value) == f"{path}: is not a regular file (a device, pipe or socket)"
