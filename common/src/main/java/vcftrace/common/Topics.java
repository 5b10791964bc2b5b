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

/**
 * The three topics of the pipeline and how they are created when missing. The values are validated
 * where their settings are declared, in {@link Setting}.
 */
public record Topics(String jobs, String results, String dlq, int partitions, short replication) {

  public Topics {
    requireNonNull(jobs, "jobs");
    requireNonNull(results, "results");
    requireNonNull(dlq, "dlq");
  }

  public static Topics fromEnv(Map<String, String> env) {
    return new Topics(
        Setting.JOBS_TOPIC.string(env),
        Setting.RESULTS_TOPIC.string(env),
        Setting.DLQ_TOPIC.string(env),
        Setting.TOPIC_PARTITIONS.integer(env),
        (short) Setting.TOPIC_REPLICATION.integer(env)); // validated to fit a short
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
