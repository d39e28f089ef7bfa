package org.safehub.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds the bearer tokens an attacker would try: unsigned ({@code alg: none}), signed by a key the
 * test made up, key-confusion (HS256 keyed with the realm's public key), expired, for another
 * issuer, tampered genuine tokens; and fetches what the real Keycloak hands out (its public key,
 * key ids, ID tokens, whose audience is the client and not the hub).
 */
public final class ForgedTokens {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final KeyPair rsa;
  private final KeyPair ec;

  /**
   * Key pairs made from {@code seed} so the corpus is the same on every run (signatures need not
   * be).
   */
  public ForgedTokens(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
      r.initialize(2048, random);
      this.rsa = r.generateKeyPair();
      KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
      e.initialize(new ECGenParameterSpec("secp256r1"), random);
      this.ec = e.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  public static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  public static String b64(JsonNode node) {
    try {
      return b64(JSON.writeValueAsBytes(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode header(String alg) {
    ObjectNode h = JSON.createObjectNode();
    h.put("alg", alg);
    h.put("typ", "JWT");
    return h;
  }

  /** The decoded header of a compact JWS. */
  public static ObjectNode headerOf(String jwt) {
    return decode(jwt.split("\\.", -1)[0]);
  }

  /** The decoded payload of a compact JWS. */
  public static ObjectNode payloadOf(String jwt) {
    return decode(jwt.split("\\.", -1)[1]);
  }

  public static String signatureOf(String jwt) {
    String[] p = jwt.split("\\.", -1);
    return p.length > 2 ? p[2] : "";
  }

  private static ObjectNode decode(String part) {
    try {
      return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(part));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** header.payload. with no signature at all. */
  public static String unsigned(JsonNode header, JsonNode payload) {
    return b64(header) + "." + b64(payload) + ".";
  }

  public String rs256(JsonNode header, JsonNode payload) {
    return sign(header, payload, "SHA256withRSA", rsa.getPrivate());
  }

  public String es256(JsonNode header, JsonNode payload) {
    return sign(header, payload, "SHA256withECDSAinP1363Format", ec.getPrivate());
  }

  /**
   * HS256 with an arbitrary secret (e.g. the realm's public key: the classic key-confusion attack).
   */
  public static String hs256(JsonNode header, JsonNode payload, byte[] secret) {
    String input = b64(header) + "." + b64(payload);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(JsonNode header, JsonNode payload, String alg, PrivateKey key) {
    String input = b64(header) + "." + b64(payload);
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The test's own RSA public key as a JWK (for the embedded-{@code jwk} header attack). */
  public ObjectNode rsaJwk(String kid) {
    RSAPublicKey pub = (RSAPublicKey) rsa.getPublic();
    ObjectNode jwk = JSON.createObjectNode();
    jwk.put("kty", "RSA");
    jwk.put("kid", kid);
    jwk.put("use", "sig");
    jwk.put("alg", "RS256");
    jwk.put("n", b64(unsigned(pub.getModulus().toByteArray())));
    jwk.put("e", b64(unsigned(pub.getPublicExponent().toByteArray())));
    return jwk;
  }

  private static byte[] unsigned(byte[] twosComplement) {
    if (twosComplement.length > 1 && twosComplement[0] == 0) {
      byte[] out = new byte[twosComplement.length - 1];
      System.arraycopy(twosComplement, 1, out, 0, out.length);
      return out;
    }
    return twosComplement;
  }

  /**
   * Claims that look like a genuine agency token of {@code issuer} (roles, agency, audience), valid
   * now.
   */
  public static ObjectNode agencyClaims(
      String issuer, String agency, long nowSeconds, Random random) {
    ObjectNode c = JSON.createObjectNode();
    c.put("exp", nowSeconds + 600);
    c.put("iat", nowSeconds - 5);
    c.put("jti", new java.util.UUID(random.nextLong(), random.nextLong()).toString());
    c.put("iss", issuer);
    c.put("aud", "safehub-hub");
    c.put("sub", new java.util.UUID(random.nextLong(), random.nextLong()).toString());
    c.put("typ", "Bearer");
    c.put("azp", agency);
    c.putObject("realm_access").putArray("roles").add("publisher").add("subscriber");
    c.put("scope", "profile email");
    c.put("clientId", agency);
    c.put("agency", agency);
    return c;
  }

  /** GET a JSON document (realm info, JWKS). */
  public static JsonNode getJson(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + url + " -> " + r.statusCode());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The realm's RSA signing key as Keycloak publishes it (base64 SubjectPublicKeyInfo), from {@code
   * GET <issuer>}.
   */
  public static String realmPublicKey(String issuer) {
    return getJson(issuer).path("public_key").asText();
  }

  /** The key id of the realm's RS256 signing key. */
  public static String realmKid(String issuer) {
    for (JsonNode k : getJson(issuer + "/protocol/openid-connect/certs").path("keys")) {
      if ("RS256".equals(k.path("alg").asText()) && "sig".equals(k.path("use").asText("sig"))) {
        return k.path("kid").asText();
      }
    }
    throw new IllegalStateException("no RS256 key at " + issuer);
  }

  /**
   * The full token response of a client-credentials grant with {@code scope=openid} (Keycloak then
   * also issues an ID token, whose audience is the client itself).
   */
  public static JsonNode tokenResponseWithOpenidScope(String issuer, String clientId) {
    String form =
        "grant_type=client_credentials&scope=openid"
            + "&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(clientId + "-demo-secret", StandardCharsets.UTF_8);
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(form))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("token request -> " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
