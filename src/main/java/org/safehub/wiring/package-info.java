/**
 * Start-up (key files, demo keys, topics, then the pipeline), readiness checks and the demo-secrets refusal. Every
 * component is a CDI bean of its own package, built by constructor injection; nothing here builds one.
 */
package org.safehub.wiring;
