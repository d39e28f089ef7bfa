package org.safehub.testsupport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;

/**
 * A Kafka client login that presents whatever bearer token the test gives it (JAAS option {@code
 * token}), unchecked: an expired, forged or other-audience token reaches the broker, which must
 * refuse it.
 */
public final class FixedTokenLogin implements AuthenticateCallbackHandler {

  private String token;

  /** Client settings presenting {@code jwt} on the OAUTHBEARER listener at {@code bootstrap}. */
  public static Map<String, Object> config(String bootstrap, String jwt) {
    return Map.of(
        "bootstrap.servers",
        bootstrap,
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        "OAUTHBEARER",
        "sasl.login.callback.handler.class",
        FixedTokenLogin.class.getName(),
        "sasl.jaas.config",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required token=\""
            + jwt
            + "\";");
  }

  @Override
  public void configure(
      Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> entries) {
    token = (String) entries.get(0).getOptions().get("token");
  }

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback c : callbacks) {
      if (!(c instanceof OAuthBearerTokenCallback cb)) {
        throw new UnsupportedCallbackException(c);
      }
      long now = System.currentTimeMillis();
      String value = token;
      cb.token(
          new OAuthBearerToken() {
            @Override
            public String value() {
              return value;
            }

            @Override
            public Set<String> scope() {
              return Set.of();
            }

            @Override
            public long lifetimeMs() {
              return now + 3_600_000; // the client does not judge the token: the broker must
            }

            @Override
            public String principalName() {
              return "test";
            }

            @Override
            public Long startTimeMs() {
              return now;
            }
          });
    }
  }

  @Override
  public void close() {}
}
