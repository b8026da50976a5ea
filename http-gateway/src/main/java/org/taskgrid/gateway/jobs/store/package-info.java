/**
 * The job store: every accepted job, its recorded part results and its end, in H2 (a file, the
 * default) or PostgreSQL, through plain JDBC over a HikariCP pool with Flyway migrations. Running
 * jobs name their owner gateway; an owner's writes are fenced by it, so that a job claimed by
 * another gateway (after its owner left the cluster) is written by that one alone.
 */
package org.taskgrid.gateway.jobs.store;
