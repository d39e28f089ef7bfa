/**
 * Role-based redaction: the category map of a schema, the sharing policy file, the redactor, its
 * stage, and the safety guard that no policy can override (one class, the pipeline's last stage
 * before sealing). Reads the schema catalogue and the agency directory, records guard alerts
 * through trail; knows nothing of routing, consent, Kafka or keys, and never logs a value.
 */
package org.safehub.policy;
