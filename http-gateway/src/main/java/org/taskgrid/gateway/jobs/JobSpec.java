package org.taskgrid.gateway.jobs;

import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Parts;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.gateway.admission.MemoryBudget;

/**
 * A validated job: the inputs of its parts (made as they are dispatched), whether their results
 * merge into one (a split input) or stay a list in input order (inputs), and what it holds of the
 * gateway's memory budget, which the job gives back when it ends (or is refused).
 */
public record JobSpec(
    RegisteredTask<?> task, Mode mode, Parts inputs, boolean merge, MemoryBudget.Charge charge) {}
