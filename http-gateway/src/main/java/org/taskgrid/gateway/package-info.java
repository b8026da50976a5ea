/**
 * A gateway node: {@link org.taskgrid.gateway.GatewayMain} starts it, {@link
 * org.taskgrid.gateway.Gateway#init} joins the cluster, starts the executor, the router and the
 * jobs, and serves the HTTP API.
 */
package org.taskgrid.gateway;
