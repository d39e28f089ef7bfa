/**
 * The pipeline: {@code Stages}, the stages in order (route, suspension, consent, redaction, safety
 * guard, seal), and the consumer that runs them for each copy inside one Kafka transaction per
 * batch. The only place that knows the order.
 */
package org.safehub.pipeline;
