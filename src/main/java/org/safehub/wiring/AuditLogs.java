package org.safehub.wiring;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.security.PublicKey;
import javax.sql.DataSource;
import org.safehub.audit.AuditLog;
import org.safehub.audit.CheckpointSigner;
import org.safehub.config.SafehubConfig;
import org.safehub.crypto.HubKeys;
import org.safehub.crypto.HubSigningKey;
import org.safehub.crypto.SealedJustifications;
import org.safehub.trail.CheckpointSchedule;

/**
 * The hub's audit log, built here (a producer) because the audit package knows nothing of the hub's
 * keys or settings: checkpoints signed with the hub's signing key, justifications sealed with its
 * audit key ({@link CheckpointSchedule} signs them).
 */
@Singleton
public class AuditLogs {

  @Produces
  @Singleton
  AuditLog auditLog(DataSource dataSource, HubKeys keys, SafehubConfig config) {
    HubSigningKey signing = keys.signingKey();
    CheckpointSigner signer =
        new CheckpointSigner() {
          @Override
          public PublicKey publicKey() {
            return signing.certificate().getPublicKey();
          }

          @Override
          public byte[] sign(byte[] data) throws Exception {
            return signing.sign(data);
          }
        };
    return new AuditLog(
        dataSource,
        signer,
        new SealedJustifications(keys.auditKey()),
        new AuditLog.Settings(
            config.audit().checkpointEveryEvents(), config.audit().checkpointInterval()));
  }
}
