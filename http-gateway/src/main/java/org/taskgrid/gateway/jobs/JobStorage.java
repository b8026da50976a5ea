package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;

/**
 * What the jobs of a gateway use of the job store when it is on: its calls, the journal that
 * batches their part results into it, and the name this gateway owns its jobs by.
 *
 * @param owner this gateway's unique cluster address ({@link GatewayOwners#self})
 */
public record JobStorage(AsyncJobStore store, ActorRef<JobJournal.Command> journal, String owner) {}
