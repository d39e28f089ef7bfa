package org.safehub.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.safehub.crypto.AtRestSealer;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.InboundRecord;

/** A decoded inbound record: what the pipeline's {@link MessageRun} processes. */
record Inbound(ConsumerRecord<String, byte[]> record, InboundRecord in, Envelope envelope) {

  /** Opens an inbound record sealed for the hub (topic and key are its associated data). */
  static Inbound open(ConsumerRecord<String, byte[]> r, AtRestSealer atRest, ObjectMapper mapper)
      throws Exception {
    byte[] key = r.key() == null ? new byte[0] : r.key().getBytes(StandardCharsets.UTF_8);
    InboundRecord in =
        InboundRecord.decode(atRest.open(r.value(), AtRestSealer.aad(r.topic(), key)), mapper);
    return new Inbound(r, in, Envelope.of(in.message()));
  }
}
