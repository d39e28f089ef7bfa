/**
 * Strict parsing and JSON Schema validation of incoming messages. Returns results, never throws for
 * bad input; knows nothing of agencies, routing or delivery.
 */
package org.safehub.validation;
