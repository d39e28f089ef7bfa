package org.safehub.audit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * One embedded PostgreSQL per test JVM; each caller gets a fresh database with the hub's migrations
 * applied.
 */
public final class AuditDatabase {

  private static EmbeddedPostgres postgres;
  private static final AtomicInteger NEXT = new AtomicInteger();

  private AuditDatabase() {}

  static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("embedded PostgreSQL did not start", e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      postgres.close();
                    } catch (IOException ignored) {
                      // the JVM is going anyway
                    }
                  }));
    }
    return postgres;
  }

  /** A new, migrated database (V1..V3 and whatever else the hub ships). */
  public static DataSource fresh() {
    return create("audit_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet());
  }

  /**
   * A justification sealer for tests: AES-256-GCM under a random key of its own, bound to the
   * message id.
   */
  public static JustificationSealer testSealer() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    javax.crypto.spec.SecretKeySpec aes = new javax.crypto.spec.SecretKeySpec(key, "AES");
    return new JustificationSealer() {
      @Override
      public byte[] seal(java.util.UUID messageId, String justification) {
        try {
          byte[] nonce = new byte[12];
          new java.security.SecureRandom().nextBytes(nonce);
          javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
          gcm.init(
              javax.crypto.Cipher.ENCRYPT_MODE,
              aes,
              new javax.crypto.spec.GCMParameterSpec(128, nonce));
          gcm.updateAAD(messageId.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          byte[] ct = gcm.doFinal(justification.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          byte[] out = java.util.Arrays.copyOf(nonce, 12 + ct.length);
          System.arraycopy(ct, 0, out, 12, ct.length);
          return out;
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public String open(java.util.UUID messageId, byte[] sealed) {
        try {
          javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
          gcm.init(
              javax.crypto.Cipher.DECRYPT_MODE,
              aes,
              new javax.crypto.spec.GCMParameterSpec(128, sealed, 0, 12));
          gcm.updateAAD(messageId.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          return new String(
              gcm.doFinal(sealed, 12, sealed.length - 12), java.nio.charset.StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  /** The JDBC URL of a new, migrated database (for a forked JVM). */
  public static String freshUrl() {
    String name = "audit_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
    create(name);
    return server().getJdbcUrl("postgres", name);
  }

  private static DataSource create(String name) {
    try (Connection c = server().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    DataSource dataSource = server().getDatabase("postgres", name);
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    return dataSource;
  }

  public static KeyPair p256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
