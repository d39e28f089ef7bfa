package org.safehub.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.safehub.validation.ValidationCost;

/**
 * No request of the hostile-input corpus costs more than 50 ms of validation CPU (strict parse and
 * schema validation, as the ingress runs them). Timing is noisy, so each body is measured as the
 * best of several runs after a warm-up pass over the whole corpus; a body over the budget is one
 * the validator really spends that long on (the 64 KiB pathological email cost about 6 s before the
 * maxLength pre-check), not a descheduled thread.
 */
class HostileInputCostTest {

  @Test
  void noHostileRequestCostsMoreThan50MsOfValidationCpu() {
    List<Map.Entry<String, byte[]>> bodies = HostileBodies.publishBodies();
    assertTrue(bodies.size() > 500, "the corpus yields its publish bodies: " + bodies.size());
    assertTrue(
        bodies.stream().anyMatch(b -> b.getKey().contains("64 KiB pathological email")),
        "the pathological email is in the corpus");
    ValidationCost cost = new ValidationCost(Path.of("schemas"));
    bodies.forEach(
        b -> cost.check(b.getValue())); // warm-up: the JIT compiles the parser and validator
    List<ValidationCost.Cost> costs = cost.measure(bodies, 3);
    String top =
        costs.stream()
            .limit(10)
            .map(c -> String.format("%8.3f ms  %s", c.millis(), c.label()))
            .collect(Collectors.joining("\n  "));
    System.out.println(
        "HostileInputCostTest: the ten most expensive of "
            + costs.size()
            + " publish bodies (validation CPU, best of 3):\n  "
            + top);
    List<ValidationCost.Cost> over =
        costs.stream().filter(c -> c.nanos() > ValidationCost.BUDGET_NANOS).toList();
    assertTrue(over.isEmpty(), "over the 50 ms validation budget: " + over);
  }
}
