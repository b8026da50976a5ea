package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.taskgrid.gateway.admission.JsonSize;
import org.taskgrid.gateway.admission.MemoryBudget;

/**
 * What the results of one job hold while it runs, against {@code taskgrid.jobs.max-result-size}
 * (their JSON text) and the gateway's memory budget (their heap). The job's charge covers its
 * input and a small result per part from the start ({@code memory-per-part}); results larger than
 * that grow the charge as they arrive. Over either bound the job fails at once rather than fill the
 * heap: its error says which bound.
 */
final class ResultAccount {
  private final MemoryBudget.Charge charge;
  private final long maxTextBytes;
  /** The part of the charge that results may use before it must grow. */
  private long allowance;
  private long textBytes;
  private long heapBytes;

  ResultAccount(int parts, MemoryBudget.Charge charge, JobSettings settings) {
    this.charge = charge;
    this.maxTextBytes = settings.maxResultSize();
    this.allowance = (long) parts * settings.memoryPerPart();
  }

  /** Counts one part's result; empty when it fits, else the error that fails the job. */
  Optional<JobView.PartError> add(int part, JsonNode result) {
    JsonSize size = JsonSize.of(result);
    textBytes += size.textBytes();
    heapBytes += size.heapBytes();
    if (textBytes > maxTextBytes) {
      return Optional.of(
          new JobView.PartError(
              part, "too_large",
              "the results of the job are over taskgrid.jobs.max-result-size (" + maxTextBytes
                  + " bytes of JSON); split the work into smaller jobs"));
    }
    long over = heapBytes - allowance;
    if (over > 0) {
      try {
        charge.grow(over);
        allowance += over;
      } catch (MemoryBudget.Refused refused) {
        return Optional.of(
            new JobView.PartError(
                part, "overloaded",
                "the gateway's memory budget cannot hold this job's results now: "
                    + refused.getMessage()));
      }
    }
    return Optional.empty();
  }

  /** The job ended: its bytes go back to the budget. */
  void release() {
    charge.release();
  }
}
