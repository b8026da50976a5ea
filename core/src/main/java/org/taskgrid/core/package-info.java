/**
 * What every node shares: how its config is layered ({@link org.taskgrid.core.NodeConfig}), how
 * it stops on a signal, and the marker that makes a message travel between JVMs as CBOR.
 */
package org.taskgrid.core;
