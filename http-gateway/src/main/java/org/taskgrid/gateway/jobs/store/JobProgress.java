package org.taskgrid.gateway.jobs.store;

import java.util.Map;
import java.util.Objects;

/**
 * What one job's coordinator has to record since the last flush: results of parts that succeeded,
 * and its counters as they stand.
 *
 * @param owner the gateway that runs the job: nothing is written unless it still owns it
 * @param results part index to the part's result as JSON text, for parts not recorded before (a
 *     part recorded again keeps its first result)
 * @param done the job's count of parts with a result, as it stands (not an increment)
 * @param failed the job's count of failed parts, as it stands (not an increment)
 * @param retried the job's count of parts that ran again, as it stands (not an increment)
 */
public record JobProgress(
    String jobId, String owner, Map<Integer, String> results, int done, int failed, int retried) {

  public JobProgress {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(owner, "owner");
    results = Map.copyOf(results);
    for (Map.Entry<Integer, String> entry : results.entrySet()) {
      if (entry.getKey() < 0) {
        throw new IllegalArgumentException("a part index is never negative: " + entry.getKey());
      }
      JobStore.requireStorableText(entry.getValue(), "result of part " + entry.getKey());
    }
    if (done < 0 || failed < 0 || retried < 0) {
      throw new IllegalArgumentException("done, failed and retried are never negative");
    }
  }
}
