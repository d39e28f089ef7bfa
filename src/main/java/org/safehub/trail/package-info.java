/**
 * Recording the hub's decisions: the audit log in PostgreSQL and the audit topic for a SIEM. Never
 * carries message content. Ground floor: depends only on audit and kafka; the floors above record
 * through it.
 */
package org.safehub.trail;
