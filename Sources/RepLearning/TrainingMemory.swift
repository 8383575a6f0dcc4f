import CMalloc

/// glibc's allocator tuned for training, for the process that trains.
public enum TrainingMemory {
  /// Training allocates the same large activation buffers batch after batch; by default glibc serves each one with a
  /// fresh mmap and returns it on free, so every batch pays its page faults again. Serving them from the heap and not
  /// trimming it made `tools/bench/train_bench.py` 20–25% faster (6.6–7.0 → 5.3–5.5 s). Only `train` asks for this:
  /// other commands keep glibc's defaults and their measured memory bounds. Process-wide; call it before training.
  public static func keepFreedMemoryForReuse() {
    _ = mallopt(M_MMAP_MAX, 0)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
  }
}
