package vcftrace.worker.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides whether a record's variant id is new within the job, in O(distinct ids) longs of
 * memory rather than strings: a 64-bit hash set answers "new" exactly; a "seen" answer is
 * confirmed against the ids at the current CHROM/POS while the input is sorted (duplicates of a
 * normalised record share CHROM and POS), which makes it exact for sorted input. For unsorted
 * input a hash hit is trusted (false-duplicate probability about n^2/2^65).
 */
final class VariantDedup {
  private final LongHashSet seen = new LongHashSet();
  private final Set<String> finishedChroms = new HashSet<>();
  private byte[] chrom = new byte[0];
  private long pos = -1;
  private boolean sorted = true;
  // ids seen at the current CHROM/POS, packed into one growable byte array
  private byte[] atPosition = new byte[1024];
  private int[] idEnds = new int[16];
  private int idsAtPosition;

  boolean firstOccurrence(VariantTsvReader in, byte[] id, int idLength) {
    trackPosition(in);
    boolean seenHere = seenAtPosition(id, idLength);
    rememberAtPosition(id, idLength);
    if (seen.add(in.variantIdHash())) {
      return true;
    }
    // hash hit: a real duplicate, or a 64-bit collision
    return sorted && !seenHere;
  }

  private boolean seenAtPosition(byte[] id, int idLength) {
    int start = 0;
    for (int i = 0; i < idsAtPosition; i++) {
      int end = idEnds[i];
      if (Arrays.equals(atPosition, start, end, id, 0, idLength)) {
        return true;
      }
      start = end;
    }
    return false;
  }

  private void rememberAtPosition(byte[] id, int idLength) {
    int start = idsAtPosition == 0 ? 0 : idEnds[idsAtPosition - 1];
    if (start + idLength > atPosition.length) {
      atPosition = Arrays.copyOf(atPosition, Math.max(atPosition.length * 2, start + idLength));
    }
    if (idsAtPosition == idEnds.length) {
      idEnds = Arrays.copyOf(idEnds, idEnds.length * 2);
    }
    System.arraycopy(id, 0, atPosition, start, idLength);
    idEnds[idsAtPosition++] = start + idLength;
  }

  private void trackPosition(VariantTsvReader in) {
    byte[] buf = in.buffer();
    int start = in.start(VariantTsvReader.CHROM);
    int end = in.end(VariantTsvReader.CHROM);
    long p = in.pos();
    if (!Arrays.equals(chrom, 0, chrom.length, buf, start, end)) {
      if (chrom.length > 0) {
        finishedChroms.add(new String(chrom, StandardCharsets.UTF_8));
      }
      chrom = Arrays.copyOfRange(buf, start, end);
      if (finishedChroms.contains(new String(chrom, StandardCharsets.UTF_8))) {
        sorted = false; // contig block not contiguous
      }
      pos = p;
      idsAtPosition = 0;
    } else if (p != pos) {
      if (p < pos) {
        sorted = false;
      }
      pos = p;
      idsAtPosition = 0;
    }
  }
}
