/**
 * One recipient's copy of a message and the contract of a pipeline stage (consent gate, redaction,
 * guard). Lower floor: the stages and the pipeline depend on it, it depends only on envelope, agencies, routing.
 */
package org.safehub.copy;
