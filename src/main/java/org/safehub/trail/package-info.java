/** Recording the hub's decisions: the audit log in PostgreSQL and the audit topic for a SIEM. Never carries message content. */
package org.safehub.trail;
