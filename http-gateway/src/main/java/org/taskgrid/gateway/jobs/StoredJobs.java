package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.util.List;
import org.taskgrid.gateway.jobs.store.JobEnd;
import org.taskgrid.gateway.jobs.store.StoredJob;

/**
 * Between a job as this gateway holds it ({@link JobView}, result trees) and as the job store
 * holds it (rows of JSON text): what any gateway shows of a job it does not run, and what a
 * gateway that resumes a job reads back.
 */
public final class StoredJobs {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final TypeReference<List<JobView.PartError>> ERRORS = new TypeReference<>() {};

  private StoredJobs() {}

  /** The job as {@code GET /v1/jobs/{id}} shows it, from its row. */
  public static JobView view(StoredJob job) {
    return new JobView(
        job.id(), job.task(), job.mode(), job.state(), job.parts(), job.done(), job.failed(),
        job.retried(), CompactResult.ofText(job.result()), errors(job.errors()),
        job.createdAt().toString(), job.finishedAt() == null ? null : job.finishedAt().toString());
  }

  /** A value as compact JSON text. */
  static String text(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** A finished job's result (compact, or any tree) as its text; null stays null. */
  static String resultText(JsonNode result) {
    if (result == null) {
      return null;
    }
    String compact = CompactResult.text(result);
    return compact != null ? compact : text(result);
  }

  /** A part result read back from the store. */
  static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the job store holds a part result that is not JSON", e);
    }
  }

  private static List<JobView.PartError> errors(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    try {
      return MAPPER.readValue(text, ERRORS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the job store holds errors that are not JSON", e);
    }
  }

  /** A finished job's end, as the store writes it. */
  static JobEnd end(JobView view) {
    return new JobEnd(
        view.state(), view.done(), view.failed(), view.retried(), resultText(view.result()),
        view.errors().isEmpty() ? null : text(view.errors()), Instant.parse(view.finishedAt()));
  }

  /** An end without result: a job that could not be resumed, or whose cancel was asked. */
  static JobEnd end(StoredJob job, JobState state, List<JobView.PartError> errors) {
    return new JobEnd(
        state, job.done(), job.failed(), job.retried(), null,
        errors.isEmpty() ? null : text(errors), Instant.now());
  }
}
