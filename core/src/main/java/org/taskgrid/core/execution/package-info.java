/**
 * Running parts of work on one node. {@link org.taskgrid.core.execution.PartProtocol} is the
 * spine of the system (a part asked for, and its one outcome); the {@link
 * org.taskgrid.core.execution.Executor} actor runs parts in lanes (blocking, CPU, async), each
 * with bounded slots and a bounded queue, and never blocks its own thread.
 */
package org.taskgrid.core.execution;
