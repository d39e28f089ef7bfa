package org.safehub.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A copy sealed by the hub opens with the real openssl CLI: {@code openssl cms -decrypt} with the
 * agency's key, then {@code openssl cms -verify} against the hub certificate, with openssl's
 * default verification purpose (S/MIME signing). Fails, never skips, if openssl is missing.
 */
class OpensslInteropTest {
  // line ends of both kinds and non-ASCII: openssl must hand back the very bytes the hub signed
  static final byte[] CONTENT =
      "{\n  \"messageId\": \"0b5e\",\r\n  \"summary\": \"canary 9001 caf\u00e9\"\n}\n"
          .getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static String openssl;
  static HubKeys hub;
  static Path hubCert;

  @BeforeAll
  static void setUp() throws Exception {
    openssl = findOnPath("openssl");
    hub = TestCerts.hub(dir, "hub");
    hubCert = dir.resolve("hub.cert.pem");
    Files.writeString(hubCert, hub.signingCertificatePem());
  }

  @ParameterizedTest
  @EnumSource(RecipientKeyType.class)
  void opensslDecryptsWithTheAgencyKeyAndVerifiesTheHubSignature(RecipientKeyType type)
      throws Exception {
    // Given: an agency key pair written as an agency would have it, and a copy sealed for it
    Path work = Files.createDirectories(dir.resolve(type.name().toLowerCase(Locale.ROOT)));
    String agencyId = "demo-" + type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    AgencyCertificate agency = AgencyKeyGenerator.generate(agencyId, type, work);
    Path key = AgencyKeyGenerator.keyFile(work, agencyId);
    Path cert = AgencyKeyGenerator.certificateFile(work, agencyId);
    Path copy = work.resolve("copy.der");
    Files.write(copy, new CopySealer(hub.signingKey()).seal(CONTENT, agency));

    // When
    Result decrypt =
        run(
            work,
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            copy.toString(),
            "-recip",
            cert.toString(),
            "-inkey",
            key.toString(),
            "-out",
            "signed.der");
    Result verify =
        run(
            work,
            openssl,
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            "signed.der",
            "-CAfile",
            hubCert.toString(),
            "-out",
            "content.json");

    // Then
    assertEquals(0, decrypt.exit, "openssl cms -decrypt failed: " + decrypt.output);
    assertEquals(0, verify.exit, "openssl cms -verify failed: " + verify.output);
    assertTrue(verify.output.contains("Verification successful"), verify.output);
    assertArrayEquals(CONTENT, Files.readAllBytes(work.resolve("content.json")));
  }

  @Test
  void opensslRejectsACopyWhoseCiphertextWasAltered() throws Exception {
    // Given
    Path work = Files.createDirectories(dir.resolve("tampered"));
    AgencyCertificate agency =
        AgencyKeyGenerator.generate("demo-tamper", RecipientKeyType.EC_P256, work);
    byte[] sealed = new CopySealer(hub.signingKey()).seal(CONTENT, agency);
    sealed[sealed.length - 40] ^= 0x01; // inside the ciphertext, before the 16-byte tag
    Files.write(work.resolve("copy.der"), sealed);
    // When
    Result decrypt =
        run(
            work,
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "copy.der",
            "-recip",
            AgencyKeyGenerator.certificateFile(work, "demo-tamper").toString(),
            "-inkey",
            AgencyKeyGenerator.keyFile(work, "demo-tamper").toString(),
            "-out",
            "signed.der");
    // Then
    assertNotEquals(0, decrypt.exit, "openssl accepted a tampered copy: " + decrypt.output);
  }

  @Test
  void opensslRefusesACopyVerifiedAgainstAnotherHubCertificate() throws Exception {
    // Given
    Path work = Files.createDirectories(dir.resolve("other-hub"));
    AgencyCertificate agency =
        AgencyKeyGenerator.generate("demo-other", RecipientKeyType.RSA, work);
    Files.write(work.resolve("copy.der"), new CopySealer(hub.signingKey()).seal(CONTENT, agency));
    HubKeys otherHub = TestCerts.hub(work, "other-hub");
    Files.writeString(work.resolve("other-hub.cert.pem"), otherHub.signingCertificatePem());
    Result decrypt =
        run(
            work,
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "copy.der",
            "-recip",
            AgencyKeyGenerator.certificateFile(work, "demo-other").toString(),
            "-inkey",
            AgencyKeyGenerator.keyFile(work, "demo-other").toString(),
            "-out",
            "signed.der");
    assertEquals(0, decrypt.exit, decrypt.output);
    // When
    Result verify =
        run(
            work,
            openssl,
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            "signed.der",
            "-CAfile",
            "other-hub.cert.pem",
            "-out",
            "content.json");
    // Then
    assertNotEquals(0, verify.exit, "openssl verified against the wrong hub: " + verify.output);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"rsa", "ec"})
  void opensslOpensTheVersion1GoldenCopies(String kind) throws Exception {
    // Given: the files as an agency would hold them
    Path work = Files.createDirectories(dir.resolve("golden-" + kind));
    for (String name :
        new String[] {
          "copy-v1-" + kind + ".der",
          "agency-" + kind + ".test-only.key.pem",
          "agency-" + kind + ".cert.pem",
          "hub.cert.pem"
        }) {
      Files.write(work.resolve(name), SealedFormatGoldenTest.resource(name));
    }
    // When
    Result decrypt =
        run(
            work,
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "copy-v1-" + kind + ".der",
            "-recip",
            "agency-" + kind + ".cert.pem",
            "-inkey",
            "agency-" + kind + ".test-only.key.pem",
            "-out",
            "signed.der");
    // -attime: the golden hub certificate runs out two years after it was made; verify as of its
    // start
    long validFrom =
        PemKeys.readCertificate(SealedFormatGoldenTest.text("hub.cert.pem"))
            .getNotBefore()
            .toInstant()
            .plusSeconds(3600)
            .getEpochSecond();
    Result verify =
        run(
            work,
            openssl,
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            "signed.der",
            "-CAfile",
            "hub.cert.pem",
            "-attime",
            Long.toString(validFrom),
            "-out",
            "content.json");
    // Then
    assertEquals(0, decrypt.exit, decrypt.output);
    assertEquals(0, verify.exit, verify.output);
    assertTrue(verify.output.contains("Verification successful"), verify.output);
    assertArrayEquals(
        SealedFormatGoldenTest.resource("copy-content.json"),
        Files.readAllBytes(work.resolve("content.json")));
  }

  record Result(int exit, String output) {}

  static Result run(Path workDir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + String.join(" ", command));
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  static String findOnPath(String program) {
    String path = System.getenv("PATH");
    List<String> looked = new ArrayList<>();
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        Path candidate = Path.of(d, program);
        looked.add(d);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    fail(
        "the openssl CLI is required for this interoperability test and was not found on PATH ("
            + String.join(":", looked)
            + "); install OpenSSL 3 (Debian: apt-get install openssl)");
    return null;
  }
}
