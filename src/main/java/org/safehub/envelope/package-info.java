/**
 * The message envelope as the hub reads it: ids, type, case, area, priority, basis, subjects.
 * Depends on nothing else in Safehub.
 */
package org.safehub.envelope;
