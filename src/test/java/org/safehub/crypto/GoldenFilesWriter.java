package org.safehub.crypto;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Writes the golden files under src/test/resources/crypto/ that pin the sealed-copy and at-rest
 * formats (version 1). Run by hand only when a format version is added, never to "fix" a failing
 * golden test: {@code java -cp target/classes:target/test-classes:CLASSPATH
 * org.safehub.crypto.GoldenFilesWriter src/test/resources/crypto} The keys written are test-only
 * keys.
 */
public final class GoldenFilesWriter {
  static final String CONTENT =
      "{\"messageId\":\"4d7b0c1e-golden\",\"type\":\"attendance\",\"message\":{\"attended\":true}}\n";
  static final String TOPIC = "safehub.retry";
  static final String RECORD_KEY = "4d7b0c1e-golden";

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Path work = Files.createTempDirectory("golden");
    HubKeys hub = HubKeys.loadOrCreate(work.resolve("hub.p12"), "golden".toCharArray());
    Files.writeString(dir.resolve("hub.cert.pem"), hub.signingCertificatePem());
    CopySealer sealer = new CopySealer(hub.signingKey());
    for (RecipientKeyType type : RecipientKeyType.values()) {
      String name = "agency-" + (type == RecipientKeyType.RSA ? "rsa" : "ec");
      AgencyCertificate cert = AgencyKeyGenerator.generate(name, type, work);
      Files.copy(AgencyKeyGenerator.keyFile(work, name), dir.resolve(name + ".test-only.key.pem"));
      Files.copy(AgencyKeyGenerator.certificateFile(work, name), dir.resolve(name + ".cert.pem"));
      Files.write(
          dir.resolve("copy-v1-" + (type == RecipientKeyType.RSA ? "rsa" : "ec") + ".der"),
          sealer.seal(CONTENT.getBytes(StandardCharsets.UTF_8), cert));
    }
    Files.writeString(dir.resolve("copy-content.json"), CONTENT);

    KeyEncryptionKey kek = KeyEncryptionKey.generate();
    byte[] kekBytes = kek.secretKey().getEncoded();
    Files.writeString(
        dir.resolve("at-rest-kek.test-only.hex"), HexFormat.of().formatHex(kekBytes) + "\n");
    byte[] sealed =
        new AtRestSealer(kek, AtRestSealer.DekPolicy.DEFAULT)
            .seal(
                CONTENT.getBytes(StandardCharsets.UTF_8),
                AtRestSealer.aad(TOPIC, RECORD_KEY.getBytes(StandardCharsets.UTF_8)));
    Files.write(dir.resolve("at-rest-v1.bin"), sealed);
    System.out.println("golden files written to " + dir);
  }
}
