/**
 * The built-in tasks, each small and real, chosen to show the three modes: {@code echo}, {@code
 * sleep}, {@code primes}, {@code sha256} and {@code wordcount}.
 */
package org.taskgrid.core.task.builtin;
