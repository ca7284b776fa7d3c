"""The text task's data: `load_text` (the standard library's sources joined, or a named file) and
`stdlib_sources`."""

import os

import numpy as np
import pytest

from purejax.data import load_text, stdlib_sources
from purejax.data.tasks import text


def test_load_text_is_the_stdlib_sources_joined():
    text = load_text(max_bytes=50_000)
    assert text.dtype == np.uint8 and text.shape == (50_000,)
    joined = b""
    for path in stdlib_sources():
        with open(path, "rb") as file:
            joined += file.read()
        if len(joined) >= 50_000:
            break
    assert text.tobytes() == joined[:50_000]
    np.testing.assert_array_equal(load_text(max_bytes=50_000), text)  # deterministic
    np.testing.assert_array_equal(load_text(max_bytes=1000), text[:1000])  # max_bytes honoured


def test_load_text_default_size():
    assert load_text().shape == (2_000_000,)


def test_load_text_reads_the_named_file(tmp_path):
    path = tmp_path / "book.txt"
    path.write_bytes(b"hello, world\n\xff")
    assert load_text(str(path)).tobytes() == b"hello, world\n\xff"
    assert load_text(str(path), max_bytes=5).tobytes() == b"hello"
    text = load_text(str(path))
    text[0] = 0  # a writable copy, not a view of the file's bytes
    assert load_text(str(path))[0] == ord("h")


def test_load_text_empty_file_names_it(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=rf"load_text: .*{path.name} is empty"):
        load_text(str(path))


def test_load_text_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_text(str(tmp_path / "nosuch.txt"))


def test_stdlib_sources():
    paths = stdlib_sources()
    assert paths == sorted(paths) and len(paths) > 100
    assert all(p.endswith(".py") and os.path.isfile(p) for p in paths)
    for path in paths:
        folders = path.split(os.sep)[:-1]
        assert not {"test", "tests", "site-packages", "idlelib"} & set(folders), path
    assert any(p.endswith(os.sep + "os.py") for p in paths)


def test_load_data_refuses_a_text_too_short_naming_both_models_and_the_file(tmp_path):
    path = tmp_path / "short.txt"
    path.write_bytes(b"x" * 100)
    with pytest.raises(ValueError, match=r"lstm_lm and transformer_lm.*short\.txt has 100 bytes; it needs at least"):
        text.load_data(str(path))
