/**
 * A worker node: a JVM that joins the cluster and, once Up, lists its executor for the gateways'
 * routers; on SIGTERM it leaves the listing, drains its parts, then leaves the cluster.
 */
package org.taskgrid.worker;
