/**
 * Who may send what, and who receives it: the routing policy file and the router that applies it.
 * Knows nothing of consent, redaction or Kafka.
 */
package org.safehub.routing;
