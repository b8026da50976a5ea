/**
 * The task SPI: a {@link org.taskgrid.core.task.Task} is a named handler found with {@link
 * java.util.ServiceLoader}; it says which modes it runs in, validates its JSON input and, when it
 * can, splits an input into parts and merges their results.
 */
package org.taskgrid.core.task;
