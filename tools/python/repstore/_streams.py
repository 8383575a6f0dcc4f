"""Arrays from repstore's standard output, read straight into their final buffers (one copy of the data in memory,
never the whole stream as bytes first)."""

from __future__ import annotations

import json
import struct
from typing import IO

import numpy as np

_SAFETENSORS_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64}


def _read_exactly(stream: IO[bytes], count: int, what: str) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise ValueError(f"repstore's output ended early, in {what}")
    return data


def _fill(stream: IO[bytes], array: np.ndarray, what: str) -> np.ndarray:
    view = memoryview(array.reshape(-1).view(np.uint8))
    done = 0
    while done < len(view):
        count = stream.readinto(view[done:])
        if not count:
            raise ValueError(f"repstore's output ended early, in {what}")
        done += count
    return array


def read_npy(stream: IO[bytes]) -> np.ndarray:
    """One .npy (as `repstore export -o -` writes it: '<f4', C order) from a stream."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    array = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    return _fill(stream, array, "the array data")


def read_safetensors(stream: IO[bytes]) -> dict[str, np.ndarray]:
    """Every tensor of one .safetensors (as `repstore export -o - --format safetensors` writes it), in file order."""
    (length,) = struct.unpack("<Q", _read_exactly(stream, 8, "the safetensors header length"))
    header = json.loads(_read_exactly(stream, length, "the safetensors header"))
    header.pop("__metadata__", None)
    tensors: dict[str, np.ndarray] = {}
    position = 0
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        if begin != position:
            raise ValueError(f"safetensors from repstore: tensor {name!r} does not follow the one before it")
        array = np.empty(entry["shape"], dtype=_SAFETENSORS_DTYPES[entry["dtype"]])
        tensors[name] = _fill(stream, array, f"tensor {name!r}")
        position = end
    return {name: tensors[name] for name in header}


def write_npy(stream: IO[bytes], array: np.ndarray, chunk_bytes: int = 1 << 20) -> None:
    """`array` as a .npy on a stream that cannot seek (a pipe to `repstore import -`), in chunks: numpy's own
    `save` asks a real file for its position, which a pipe does not have."""
    array = np.ascontiguousarray(array)
    np.lib.format.write_array_header_1_0(stream, np.lib.format.header_data_from_array_1_0(array))
    data = memoryview(array.reshape(-1).view(np.uint8))
    for start in range(0, len(data), chunk_bytes):
        stream.write(data[start:start + chunk_bytes])
