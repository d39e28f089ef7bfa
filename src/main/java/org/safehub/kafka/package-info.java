/** Topic names, record headers and Kafka client construction. No business rules. */
package org.safehub.kafka;
