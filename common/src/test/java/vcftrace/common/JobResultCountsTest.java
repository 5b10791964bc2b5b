package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JobResultCountsTest {
  @Test
  void countsAreTakenByComponentNameAndUnknownNamesAreLeftOut() {
    JobResult.Counts c = JobResult.Counts.of(Map.of("records", 10L, "lanceRows", 12L, "kuzuRelationships", 7L,
        "recordsRead", 10L, "stagesStarted", 3L));
    assertEquals(new JobResult.Counts(0, 10, 0, 0, 0, 0, 12, 0, 0, 7), c);
    assertEquals(JobResult.Counts.NONE, JobResult.Counts.of(Map.of()));
  }
}
