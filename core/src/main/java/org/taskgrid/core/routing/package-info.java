/**
 * Where each part runs. The {@link org.taskgrid.core.routing.Router} actor keeps the life of each
 * part (attempts, deadlines, answers, failover); its {@link org.taskgrid.core.routing.ExecutorBook}
 * keeps what it knows of the cluster's executors (listing, reachability, capacity, draining).
 */
package org.taskgrid.core.routing;
