package vcftrace.worker.store;

/** Open-addressing set of non-zero-remapped longs; 8 bytes per entry at load factor <= 0.5. */
final class LongHashSet {
  private long[] table = new long[1 << 16];
  private int size;
  private boolean containsZero;

  /** Returns true if the value was not present. */
  boolean add(long value) {
    if (value == 0) {
      boolean added = !containsZero;
      containsZero = true;
      return added;
    }
    if ((size + 1) * 2 > table.length) {
      grow();
    }
    int mask = table.length - 1;
    int i = (int) VariantTsvReader.mix64(value) & mask;
    while (table[i] != 0) {
      if (table[i] == value) {
        return false;
      }
      i = (i + 1) & mask;
    }
    table[i] = value;
    size++;
    return true;
  }

  private void grow() {
    long[] old = table;
    table = new long[old.length * 2];
    int mask = table.length - 1;
    for (long v : old) {
      if (v != 0) {
        int i = (int) VariantTsvReader.mix64(v) & mask;
        while (table[i] != 0) {
          i = (i + 1) & mask;
        }
        table[i] = v;
      }
    }
  }
}
