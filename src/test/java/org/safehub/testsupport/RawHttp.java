package org.safehub.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for the requests an HTTP client library will not send:
 * Content-Length that does not match the body, duplicate framing headers, malformed chunking,
 * broken request lines. Reads every response the server sends back on the connection (a smuggled
 * second request gets its own).
 */
public final class RawHttp {

  private RawHttp() {}

  /**
   * One response read off the wire. Header names are lower-cased; repeated headers are joined by ",
   * ".
   */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * What came back: the responses in order, whether the server closed the connection, and whether
   * it sent nothing at all (no response, no close) within the deadline, which is a hang.
   */
  public record Exchange(
      List<Response> responses, boolean closed, boolean hung, String writeError, long millis) {}

  /**
   * Sends {@code request} as is, optionally half-closes the connection (no more bytes from us), and
   * collects responses: the first within {@code deadline}, any further ones while they keep coming
   * (a quiet gap of {@code gap} ends the exchange).
   */
  public static Exchange exchange(
      String host, int port, byte[] request, boolean halfClose, Duration deadline, Duration gap) {
    long start = System.nanoTime();
    List<Response> responses = new ArrayList<>();
    boolean closed = false;
    boolean hung = false;
    String writeError = null;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) deadline.toMillis());
      socket.setSoTimeout((int) deadline.toMillis());
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
        if (halfClose) {
          socket.shutdownOutput();
        }
      } catch (IOException e) {
        // the server may answer (413) and close before it has read everything: still read its
        // answer
        writeError = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      long end = start + deadline.toNanos();
      while (true) {
        long left = responses.isEmpty() ? (end - System.nanoTime()) / 1_000_000 : gap.toMillis();
        if (left <= 0) {
          hung = responses.isEmpty();
          break;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        try {
          Response r = read(in, socket, end);
          if (r == null) {
            closed = true;
            break;
          }
          responses.add(r);
          if ("close".equalsIgnoreCase(r.header("connection"))) {
            closed = true;
            break;
          }
        } catch (SocketTimeoutException e) {
          hung = responses.isEmpty();
          break;
        } catch (IOException e) {
          // reset by peer and similar: the connection is gone
          closed = true;
          break;
        }
      }
    } catch (IOException e) {
      closed = true;
      writeError =
          writeError == null ? e.getClass().getSimpleName() + ": " + e.getMessage() : writeError;
    }
    return new Exchange(
        responses, closed, hung, writeError, (System.nanoTime() - start) / 1_000_000);
  }

  /** The next response, or null if the connection was closed before a status line. */
  private static Response read(InputStream in, Socket socket, long endNanos) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      return null;
    }
    if (statusLine.isEmpty()) {
      statusLine = line(in);
      if (statusLine == null) {
        return null;
      }
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1].trim());
    Map<String, String> headers = new LinkedHashMap<>();
    String h;
    while ((h = line(in)) != null && !h.isEmpty()) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        headers.merge(name, value, (a, b) -> a + ", " + b);
      }
    }
    if (status == 100) {
      // interim response: the real one follows
      return read(in, socket, endNanos);
    }
    byte[] body;
    String te = headers.get("transfer-encoding");
    String cl = headers.get("content-length");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        if (size == null) {
          break;
        }
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        if (n == 0) {
          while ((h = line(in)) != null && !h.isEmpty()) {
            // trailers
          }
          break;
        }
        buf.write(in.readNBytes(n));
        line(in);
      }
      body = buf.toByteArray();
    } else if (cl != null) {
      body = in.readNBytes(Integer.parseInt(cl.split(",", -1)[0].trim()));
    } else if ("close".equalsIgnoreCase(headers.get("connection"))) {
      body = in.readAllBytes();
    } else {
      body = new byte[0];
    }
    return new Response(status, headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int c;
    boolean any = false;
    while ((c = in.read()) != -1) {
      any = true;
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        buf.write(c);
      }
    }
    if (!any) {
      return null;
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  /** Concatenates byte arrays (request head and body). */
  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
