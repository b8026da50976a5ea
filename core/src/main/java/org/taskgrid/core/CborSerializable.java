package org.taskgrid.core;

/**
 * Marker for every message that may cross JVMs. Bound to Akka's {@code jackson-cbor} serializer in
 * core's {@code reference.conf}, but for the messages that carry parts, which are bound by class to
 * {@link org.taskgrid.core.execution.PartSerializer}; Java serialization is off, so a message
 * without it cannot leave its JVM.
 */
public interface CborSerializable {}
