package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.otlp.ReceivedSpan;
import vcftrace.producer.ReplayCommand;

/** A dead-lettered job is replayed once its cause is fixed, in a new trace linked to the failed one. */
class ReplayTest {
  @TempDir Path tmp;

  @Test
  void aDeadLetterIsReplayedByJobIdAfterTheCauseIsFixed() throws Exception {
    try (KafkaTestKit kafka = new KafkaTestKit(); TestPipeline p = new TestPipeline(kafka.bootstrapServers(), tmp)) {
      p.startWorker("worker-replay");
      Path late = p.input.resolve("late.vcf.gz");
      p.send("vcf.jobs", "late-job".getBytes(StandardCharsets.UTF_8),
          JobRequest.of("late-job", "replay", late.toString(), null).toJson());
      JobResult failed = p.awaitResult("late-job", Duration.ofMinutes(2));
      assertEquals("INPUT_NOT_FOUND", failed.errorType());

      assertEquals(2, replay(p, "--job-id", "no-such-job"), "an unknown job id is a usage error");
      assertEquals(0, replay(p, "--all", "--dry-run"));
      assertTrue(lastOut.contains("late-job") && lastOut.contains(failed.traceId()), lastOut);

      VcfGenerator.write(VcfGenerator.Spec.builder().variants(500).samples(2).seed(8).bgzip(true).build(), late);
      assertEquals(0, replay(p, "--job-id", "late-job"));
      JobResult replayed = p.awaitResults("a successful replay",
          r -> r.containsKey("late-job") && r.get("late-job").status() == JobStatus.SUCCEEDED,
          Duration.ofMinutes(2)).get("late-job");
      assertNotEquals(failed.traceId(), replayed.traceId(), "a replay is a new trace");

      List<ReceivedSpan> trace = p.receiver.awaitSpans(
          s -> s.stream().anyMatch(x -> x.traceId().equals(replayed.traceId()) && x.name().equals("vcf.job")),
          Duration.ofSeconds(30)).stream().filter(s -> s.traceId().equals(replayed.traceId())).toList();
      ReceivedSpan root = PipelineContract.only(trace, "job.replay");
      assertTrue(root.isRoot());
      assertTrue(root.links().stream().anyMatch(l -> l.traceId().equals(failed.traceId())),
          "the replay links to the failed trace");
      assertEquals("late-job", root.attribute("job.id"));
    }
  }

  private String lastOut = "";

  private int replay(TestPipeline p, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      return new CommandLine(new ReplayCommand(p.env)).execute(args);
    } finally {
      System.setOut(old);
      lastOut = out.toString(StandardCharsets.UTF_8);
      old.print(lastOut);
    }
  }
}
