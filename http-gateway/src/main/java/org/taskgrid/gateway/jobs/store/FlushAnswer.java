package org.taskgrid.gateway.jobs.store;

/**
 * What the store answers a job's coordinator after a flush.
 *
 * @param owned false: another gateway runs the job now (or it finished, or was pruned), and nothing
 *     of this flush was written for it: stop quietly
 * @param cancelRequested a {@code DELETE} reached another gateway: cancel as on a local one
 * @param done parts with a recorded result, after this flush
 */
public record FlushAnswer(String jobId, boolean owned, boolean cancelRequested, int done) {}
