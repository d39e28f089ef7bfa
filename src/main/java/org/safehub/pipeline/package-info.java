/**
 * The pipeline: the consumer that runs each stage in order (route, consent, redaction, guard, seal)
 * inside one Kafka transaction. The only place that knows the order of the stages.
 */
package org.safehub.pipeline;
