/**
 * Acknowledgement deadlines as data: deploy/config/deadlines.yaml and its bank-holiday calendar,
 * read and checked at start-up, and the clock arithmetic that turns (priority, type, recipient
 * agency type, accepted-at) into a deadline. Depends on nothing of the hub but config and envelope;
 * it neither stores nor escalates anything yet (issue 13).
 */
package org.safehub.deadlines;
