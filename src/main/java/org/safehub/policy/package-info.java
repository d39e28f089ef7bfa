/**
 * Role-based redaction: the category map of a schema, the sharing policy file, the redactor and the safety guard that no policy can override.
 * Reads the schema catalogue and the agency directory; knows nothing of routing, consent, Kafka or keys, and never logs a value.
 */
package org.safehub.policy;
