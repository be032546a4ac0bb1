"""Device selection and CPU thread settings.

torch is imported only by the functions that need it: a CPU run through ONNX Runtime
(see :mod:`genoseq.nn.onnx`) never pays its second of imports."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from genoseq.errors import GenoseqError

if TYPE_CHECKING:
    import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str = "auto") -> "torch.device":
    """``auto`` picks CUDA when available, else CPU; ``cuda`` without a GPU is an error."""
    import torch

    name = name.lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise GenoseqError("--device cuda was requested but no CUDA GPU is available")
        return torch.device(name)
    if name == "cpu":
        return torch.device("cpu")
    raise GenoseqError(f"unknown device {name!r} (choose from {', '.join(DEVICE_CHOICES)})")


def usable_threads(threads: int | None = None) -> int:
    """``threads``, or where it is None or 0 the number of cores this process may use."""
    if threads is None or threads <= 0:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return threads


def set_threads(threads: int | None) -> int:
    """Set torch's intra-op CPU threads (default: the number of usable cores)."""
    import torch

    threads = usable_threads(threads)
    torch.set_num_threads(threads)
    return threads


def cuda_driver_present() -> bool:
    """An NVIDIA driver reports at least one GPU. Asked through the driver library itself,
    so that choosing the device for ``--device auto`` does not import torch."""
    import ctypes

    try:
        driver = ctypes.CDLL("nvcuda.dll" if os.name == "nt" else "libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    try:
        return driver.cuInit(0) == 0 and driver.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0
    except AttributeError:
        return False


@contextmanager
def single_threaded_ops(active: bool = True) -> Iterator[None]:
    """Torch ops use one core each while active, for worker threads that run batches side
    by side: recurrent layers make many small calls, which split poorly across cores."""
    if not active:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def autocast(device: "torch.device", enabled: bool = True):
    """Mixed precision on CUDA (bfloat16 where supported, else float16); a no-op on CPU."""
    import torch

    if device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype, enabled=enabled)
    return torch.autocast("cpu", enabled=False)


def precision_autocast(device: "torch.device", precision: str):
    """The autocast of a resolved precision (see :func:`resolve_precision`): "mixed" on
    CUDA, bfloat16 on CPU for "bf16"; none for "fp32" and "int8" (a quantized model)."""
    if precision == "bf16":
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)
    return autocast(device, precision == "mixed")


def resolve_precision(precision: str, device: "torch.device", choices: tuple[str, ...], cpu_fallback: str) -> str:
    """The arithmetic a run uses for a ``--precision`` choice: on CPU "auto" is "bf16" where
    the CPU has native bfloat16, else ``cpu_fallback``; on CUDA "mixed" (autocast) or "fp32"."""
    if precision not in choices:
        raise GenoseqError(f"unknown precision {precision!r} (choose from {', '.join(choices)})")
    if device.type != "cpu":
        if precision not in ("auto", "fp32"):
            raise GenoseqError(f"--precision {precision} is for CPU runs; on {device.type} choose auto or fp32")
        return "fp32" if precision == "fp32" else "mixed"
    if precision == "auto":
        return "bf16" if cpu_has_native_bf16() else cpu_fallback
    return precision


def cpu_has_native_bf16() -> bool:
    """The CPU multiplies bfloat16 natively (AVX512-BF16 or AMX), so bfloat16 inference is
    fast; elsewhere it is emulated and slower than float32."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def keep_freed_memory(limit: int = 64 << 20) -> bool:
    """Ask glibc to serve blocks up to ``limit`` bytes from the heap and keep freed memory.

    Inference allocates and frees batch-sized buffers (tens of MB) over and over.
    By default glibc maps each one afresh and unmaps it on free, so every batch
    pays first-touch page faults again, which costs seconds per genome on virtual
    machines. Larger, contig-sized blocks are still mapped and returned on free, so
    peak memory does not grow with the input. Returns False where the C library is
    not glibc (nothing changes).
    """
    libc = _glibc()
    if libc is None:
        return False
    mallopt = libc.mallopt
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, limit)) and bool(mallopt(m_trim_threshold, 2 * limit))


def release_freed_memory() -> bool:
    """Give the pages of freed heap blocks back to the system (glibc ``malloc_trim``).

    Batches of proteins of every length leave the heap fragmented: freed space between
    live blocks is kept, so the resident size creeps up with the input (measured: 0.9 to
    1.7 GB over 20,000 proteins). Called between chunks of input, this keeps it flat.
    Returns False where the C library is not glibc (nothing happens).
    """
    libc = _glibc()
    return libc is not None and bool(libc.malloc_trim(0))


def _glibc():
    """The C library when it is glibc (it has the malloc tuning calls used here), else None."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
