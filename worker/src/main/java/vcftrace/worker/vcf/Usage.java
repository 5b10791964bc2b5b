package vcftrace.worker.vcf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What records use that the header does not declare (contigs, FILTERs, INFO and FORMAT keys), each with
 * the first line that uses it, and the counts a job is checked against: records read, and rows expected
 * after {@code bcftools norm -m-any} (one per ALT allele; one for a record whose ALT is {@code .}).
 * One instance per batch of records; batches are merged in file order.
 */
public final class Usage {
  public enum Kind { CONTIG, FILTER, INFO, FORMAT }

  /** An undeclared name, the line first using it, and for INFO whether it was ever given a value. */
  public record Undeclared(Kind kind, String id, long firstLine, boolean hasValue) {}

  /** A record-level warning: the record is kept as it is. */
  public record Note(long line, String message) {}

  private static final int MAX_NOTES = 50;

  private final Map<String, Undeclared> undeclared = new LinkedHashMap<>();
  private final List<Note> notes = new ArrayList<>();
  private long notesTotal;
  private long records;
  private long expectedRows;

  void record(int altAlleles) {
    records++;
    expectedRows += Math.max(1, altAlleles);
  }

  void use(Kind kind, String id, long line, boolean hasValue) {
    String key = kind.name() + ':' + id;
    Undeclared old = undeclared.get(key);
    if (old == null) {
      undeclared.put(key, new Undeclared(kind, id, line, hasValue));
    } else if (hasValue && !old.hasValue()) {
      undeclared.put(key, new Undeclared(kind, id, old.firstLine(), true));
    }
  }

  void note(long line, String message) {
    notesTotal++;
    if (notes.size() < MAX_NOTES) notes.add(new Note(line, message));
  }

  /** The first record-level warnings, in file order; {@link #notesTotal} counts them all. */
  public List<Note> notes() {
    return notes;
  }

  public long notesTotal() {
    return notesTotal;
  }

  boolean known(Kind kind, String id) {
    return undeclared.containsKey(kind.name() + ':' + id);
  }

  /** Adds a later batch's usage (first lines stay the earliest). */
  public void merge(Usage later) {
    records += later.records;
    notesTotal += later.notesTotal;
    for (Note n : later.notes) if (notes.size() < MAX_NOTES) notes.add(n);
    expectedRows += later.expectedRows;
    for (Undeclared u : later.undeclared.values()) {
      Undeclared old = undeclared.get(u.kind().name() + ':' + u.id());
      if (old == null) {
        undeclared.put(u.kind().name() + ':' + u.id(), u);
      } else if (u.hasValue() && !old.hasValue()) {
        undeclared.put(u.kind().name() + ':' + u.id(), new Undeclared(u.kind(), u.id(), old.firstLine(), true));
      }
    }
  }

  public long records() {
    return records;
  }

  public long expectedRows() {
    return expectedRows;
  }

  /** In order of first use within each batch, batches in file order. */
  public Iterable<Undeclared> undeclared() {
    return undeclared.values();
  }

  public boolean complete() {
    return undeclared.isEmpty();
  }
}
