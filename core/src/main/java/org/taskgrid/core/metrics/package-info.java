/**
 * A node's Micrometer registry ({@link org.taskgrid.core.metrics.NodeMetrics}) and the meters that
 * the executor, the router and the jobs write to: actors only update counters, timers and atomic
 * holders; gauges only read them when Prometheus scrapes.
 */
package org.taskgrid.core.metrics;
