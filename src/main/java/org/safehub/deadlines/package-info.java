/**
 * Acknowledgement deadlines as data: deploy/config/deadlines.yaml and its bank-holiday calendar,
 * read and checked at start-up, and the clock arithmetic that turns (priority, type, recipient
 * agency type, accepted-at) into a deadline, and whom a miss is escalated to. Depends on nothing of
 * the hub but config and envelope; deadlines are stored by delivery and escalated by the pipeline's
 * DeadlineEscalator.
 */
package org.safehub.deadlines;
