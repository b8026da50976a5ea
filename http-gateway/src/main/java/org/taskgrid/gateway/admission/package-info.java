/**
 * Admission control: how much work one gateway takes on at once, and who waits for a slot. Beyond
 * its bounds a call or job is refused at once with 503, never queued without bound.
 */
package org.taskgrid.gateway.admission;
