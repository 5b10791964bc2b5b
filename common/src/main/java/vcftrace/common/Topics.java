package vcftrace.common;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** The three topics of the pipeline and how they are created when missing. */
public record Topics(String jobs, String results, String dlq, int partitions, short replication) {

  public Topics {
    requireNonNull(jobs, "jobs");
    requireNonNull(results, "results");
    requireNonNull(dlq, "dlq");
    if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
    if (replication < 1) throw new IllegalArgumentException("replication must be >= 1: " + replication);
  }

  public static Topics fromEnv(Map<String, String> env) {
    return new Topics(
        Setting.JOBS_TOPIC.fromOrDefault(env),
        Setting.RESULTS_TOPIC.fromOrDefault(env),
        Setting.DLQ_TOPIC.fromOrDefault(env),
        Integer.parseInt(Setting.TOPIC_PARTITIONS.fromOrDefault(env)),
        Short.parseShort(Setting.TOPIC_REPLICATION.fromOrDefault(env)));
  }

  /**
   * Creates whichever of the three topics do not exist. Racing creators are fine: a topic created by
   * someone else in between is as good as ours.
   */
  public void ensureExist(Admin admin) throws InterruptedException, ExecutionException {
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> missing =
        List.of(jobs, results, dlq).stream()
            .filter(t -> !existing.contains(t))
            .map(t -> new NewTopic(t, partitions, replication))
            .collect(Collectors.toList());
    if (missing.isEmpty()) return;
    try {
      admin.createTopics(missing).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }
}
