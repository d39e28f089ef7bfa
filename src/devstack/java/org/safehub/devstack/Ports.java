package org.safehub.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback port helpers: every component of the dev stack listens on 127.0.0.1 only. */
public final class Ports {

  private Ports() {}

  /**
   * A port that was free on 127.0.0.1 a moment ago (the usual small race with other programs
   * applies).
   */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find a free loopback port", e);
    }
  }

  /** {@code port} itself when it is not 0, otherwise a free port. */
  public static int orFree(int port) {
    return port == 0 ? free() : port;
  }

  /** Whether something can bind {@code port} on 127.0.0.1 right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
