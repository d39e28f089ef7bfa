package org.safehub.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LegalBasisTest {

  @Test
  void theWireNamesAreExactlyTheEnvelopeSchemasBases() throws Exception {
    // Given the bases the envelope schema allows
    JsonNode schema =
        new ObjectMapper().readTree(Path.of("schemas/envelope/v1.schema.json").toFile());
    List<String> allowed = new ArrayList<>();
    schema.at("/properties/legalBasis/properties/basis/enum").forEach(b -> allowed.add(b.asText()));
    // Then each has exactly one basis, read back by its name
    assertEquals(allowed, Arrays.stream(LegalBasis.values()).map(LegalBasis::wire).toList());
    allowed.forEach(name -> assertEquals(name, LegalBasis.parse(name).wire()));
  }

  @Test
  void onlyConsentIsConsentAndAnUnknownBasisIsRefused() {
    assertTrue(LegalBasis.CONSENT.isConsent());
    assertEquals(1, Arrays.stream(LegalBasis.values()).filter(LegalBasis::isConsent).count());
    assertTrue(LegalBasis.find("Consent").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> LegalBasis.parse("legitimate-interests"));
  }
}
