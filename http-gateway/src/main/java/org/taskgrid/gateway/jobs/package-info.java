/**
 * Jobs: a {@link org.taskgrid.gateway.jobs.JobCoordinator} actor per job fans its parts out
 * through the router and gathers them; the {@link org.taskgrid.gateway.jobs.JobManager} keeps the
 * jobs' views for queries and event streams, and forgets finished ones within bounds.
 */
package org.taskgrid.gateway.jobs;
