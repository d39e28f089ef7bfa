/**
 * Start-up (key files, demo keys, topics, then the pipeline), readiness checks, the demo-secrets
 * refusal, and the audit log's producer (the audit package knows nothing of the hub's keys). Every
 * other component is a CDI bean of its own package, built by constructor injection.
 */
package org.safehub.wiring;
