package org.safehub.devstack;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes a child process die with this JVM, however this JVM ends (kill -9 and Kafka's halt on a
 * lost log dir included), so no Keycloak or hub is left running: the child is run under a small
 * shell that sends it SIGTERM when its stdin - a pipe from this JVM - reaches end of file. The
 * shell also passes on SIGTERM and exits with the child's status, so the returned Process behaves
 * like the child itself.
 */
final class ChildWatchdog {

  private static final String SCRIPT =
      String.join(
          "\n",
          "exec 3<&0", // background jobs get /dev/null as fd 0, so the pipe is watched through fd 3
          "\"$@\" </dev/null 3<&- &",
          "child=$!",
          "trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT HUP",
          "(cat <&3 >/dev/null; kill -TERM \"$child\" 2>/dev/null) &",
          "while kill -0 \"$child\" 2>/dev/null; do wait \"$child\"; status=$?; done",
          "exit \"${status:-0}\"");

  private ChildWatchdog() {}

  /**
   * {@code command} wrapped in the watchdog; start it with stdin left as a pipe (the ProcessBuilder
   * default).
   */
  static List<String> wrap(List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "safehub-watchdog"));
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * A watchdog for a process this JVM did not start as a child (PostgreSQL daemonizes): on end of
   * file it sends SIGTERM to {@code pid}, but only if {@code pidFile} still names it. {@link
   * Process#destroy()} on the result disarms it.
   */
  static List<String> forDaemon(long pid, java.nio.file.Path pidFile) {
    return List.of(
        "/bin/sh",
        "-c",
        "cat >/dev/null; [ \"$(head -n 1 \"$1\" 2>/dev/null)\" = \"$2\" ] && kill -TERM \"$2\"",
        "safehub-watchdog",
        pidFile.toAbsolutePath().toString(),
        Long.toString(pid));
  }
}
