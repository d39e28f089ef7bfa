package org.safehub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the benchmark ran on. */
final class Machine {

  private Machine() {}

  static String describe() {
    return String.format(
        Locale.ROOT,
        "machine:      %d cores (nproc), %.1f GiB memory, %s; %s %s; Java %s (%s)",
        Runtime.getRuntime().availableProcessors(),
        memTotalKib() / 1024.0 / 1024.0,
        cpuModel(),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"));
  }

  /** The 1, 5 and 15 minute load averages, as uptime shows them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+", -1);
      return "load average "
          + f[0]
          + ", "
          + f[1]
          + ", "
          + f[2]
          + " ("
          + f[3]
          + " runnable/total tasks)";
    } catch (IOException | RuntimeException e) {
      return "(load average unavailable)";
    }
  }

  private static String cpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      return lines.stream()
          .filter(l -> l.startsWith("model name"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .orElse("CPU model unknown");
    } catch (IOException e) {
      return "CPU model unknown";
    }
  }

  private static long memTotalKib() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:"))
          .findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .orElse(0L);
    } catch (IOException e) {
      return 0;
    }
  }
}
