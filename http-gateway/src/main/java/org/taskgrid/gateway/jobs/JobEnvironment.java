package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;
import java.util.Optional;
import org.taskgrid.core.routing.Router;
import org.taskgrid.gateway.admission.AdmissionControl;

/**
 * What every job coordinator of a gateway works with.
 *
 * @param storage the job store and its journal, or empty when the store is off (jobs live in
 *     memory only)
 */
public record JobEnvironment(
    ActorRef<Router.Command> router,
    AdmissionControl admission,
    ActorRef<JobManager.Command> manager,
    JobSettings settings,
    Optional<JobStorage> storage) {}
