package org.taskgrid.gateway.jobs.store;

/**
 * A running job whose owner is not a live gateway: to be claimed and resumed.
 *
 * @param owner the gateway that ran it (null if none ever did): what {@link JobStore#claim} expects
 */
public record Orphan(String jobId, String owner) {}
