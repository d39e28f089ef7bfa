package org.safehub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * CPU time, read before and after a measured window: this JVM's (OperatingSystemMXBean), other
 * processes' from /proc/&lt;pid&gt;/stat (utime + stime, 100 ticks a second), the whole machine's
 * from /proc/stat, and per thread, so a window's CPU can be split by process and by thread.
 */
final class Cpu {

  static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

  /**
   * Named groups of other processes whose CPU counts towards what is measured (pids looked up at
   * each snapshot).
   */
  private final Map<String, Supplier<List<Long>>> groups = new LinkedHashMap<>();

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private Long threadsOfPid; // one process whose threads are broken down too

  record Snapshot(
      long wallNanos,
      long selfNanos,
      Map<String, Long> groupNanos,
      long machineBusyTicks,
      long machineTotalTicks,
      Map<Long, ThreadTime> selfThreads,
      Map<Long, ThreadTime> otherThreads) {}

  /**
   * A thread's CPU time and, where the kernel reports it (/proc schedstat), its time spent runnable
   * but waiting for a CPU.
   */
  record ThreadTime(String name, long nanos, long waitNanos) {}

  /** CPU seconds used between two snapshots. */
  record Usage(
      double wallSeconds,
      double selfSeconds,
      Map<String, Double> groupSeconds,
      double machineBusy,
      Map<String, double[]> selfThreadSeconds,
      Map<String, double[]> otherThreadSeconds) {

    double totalSeconds() {
      return selfSeconds + groupSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  Cpu() {
    threads.setThreadCpuTimeEnabled(true);
  }

  void addGroup(String name, Supplier<List<Long>> pids) {
    groups.put(name, pids);
  }

  /** Also break down the threads of this process (its /proc task list). */
  void breakDownThreadsOf(long pid) {
    threadsOfPid = pid;
  }

  Snapshot take() {
    Map<String, Long> byGroup = new LinkedHashMap<>();
    groups.forEach(
        (name, pids) ->
            byGroup.put(name, pids.get().stream().mapToLong(Cpu::processTicks).sum() * TICK_NANOS));
    long[] machine = machineTicks();
    return new Snapshot(
        System.nanoTime(),
        os.getProcessCpuTime(),
        byGroup,
        machine[0],
        machine[1],
        selfThreads(),
        threadsOfPid == null ? Map.of() : procThreads(threadsOfPid));
  }

  static Usage between(Snapshot a, Snapshot b) {
    Map<String, Double> groups = new LinkedHashMap<>();
    b.groupNanos()
        .forEach(
            (name, nanos) ->
                groups.put(name, Math.max(0, nanos - a.groupNanos().getOrDefault(name, 0L)) / 1e9));
    long total = b.machineTotalTicks() - a.machineTotalTicks();
    double busy =
        total <= 0 ? Double.NaN : (double) (b.machineBusyTicks() - a.machineBusyTicks()) / total;
    return new Usage(
        (b.wallNanos() - a.wallNanos()) / 1e9,
        (b.selfNanos() - a.selfNanos()) / 1e9,
        groups,
        busy,
        threadDelta(a.selfThreads(), b.selfThreads()),
        threadDelta(a.otherThreads(), b.otherThreads()));
  }

  /** Utime + stime of one process, in ticks; 0 if it is gone. */
  static long processTicks(long pid) {
    return ticksOf(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** The pid and every descendant of it. */
  static List<Long> tree(long pid) {
    List<Long> out = new ArrayList<>();
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              out.add(p.pid());
              p.descendants().forEach(d -> out.add(d.pid()));
            });
    return out;
  }

  /**
   * This JVM's threads from ThreadMXBean (full names), plus its JIT compiler threads from /proc,
   * which ThreadMXBean does not list: the benchmark's own JIT competes with the hub for the cores.
   */
  private Map<Long, ThreadTime> selfThreads() {
    Map<Long, ThreadTime> out = new HashMap<>();
    long[] ids = threads.getAllThreadIds();
    java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long nanos = threads.getThreadCpuTime(ids[i]);
      if (infos[i] != null && nanos >= 0) {
        out.put(ids[i], new ThreadTime(infos[i].getThreadName(), nanos, -1));
      }
    }
    // /proc task ids are negated so that they never meet a ThreadMXBean id
    procThreads(ProcessHandle.current().pid())
        .forEach(
            (tid, t) -> {
              if (isCompiler(t.name())) {
                out.put(-tid, t);
              }
            });
    return out;
  }

  private static boolean isCompiler(String threadName) {
    return threadName.matches("C[12#] CompilerThre.*");
  }

  /**
   * Cores a window's JIT compiler threads used, from its breakdown by thread name: the hub's
   * ({@code self} false) or this JVM's.
   */
  static double compilerCores(Usage u, boolean self) {
    Map<String, double[]> byName = self ? u.selfThreadSeconds() : u.otherThreadSeconds();
    double seconds = 0;
    for (Map.Entry<String, double[]> e : byName.entrySet()) {
      if (isCompiler(e.getKey())) {
        seconds += e.getValue()[0];
      }
    }
    return seconds / Math.max(1e-9, u.wallSeconds());
  }

  private static Map<Long, ThreadTime> procThreads(long pid) {
    Map<Long, ThreadTime> out = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        Path stat = task.resolve("stat");
        String line = read(stat);
        if (line == null) {
          continue;
        }
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        String comm = open >= 0 && close > open ? line.substring(open + 1, close) : "?";
        out.put(
            Long.parseLong(task.getFileName().toString()),
            new ThreadTime(comm, ticksOf(line) * TICK_NANOS, runDelay(task)));
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone: no breakdown
    }
    return out;
  }

  /**
   * By thread-name pattern (digits folded to '#'), largest CPU first: {CPU seconds, seconds
   * runnable but waiting for a CPU (NaN if unknown), number of threads}.
   */
  private static Map<String, double[]> threadDelta(
      Map<Long, ThreadTime> a, Map<Long, ThreadTime> b) {
    Map<String, double[]> byName = new HashMap<>();
    b.forEach(
        (id, t) -> {
          ThreadTime before = a.get(id);
          long cpu = t.nanos() - (before == null ? 0 : before.nanos());
          double wait =
              t.waitNanos() < 0
                  ? Double.NaN
                  : (t.waitNanos() - (before == null ? 0 : before.waitNanos())) / 1e9;
          double[] sum =
              byName.computeIfAbsent(t.name().replaceAll("[0-9]+", "#"), k -> new double[3]);
          sum[0] += Math.max(0, cpu) / 1e9;
          sum[1] += wait;
          sum[2]++;
        });
    return byName.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, LinkedHashMap::new));
  }

  /**
   * Nanoseconds a thread has spent runnable but not running (second field of /proc/.../schedstat),
   * or -1.
   */
  private static long runDelay(Path task) {
    String line = read(task.resolve("schedstat"));
    if (line == null) {
      return -1;
    }
    String[] f = line.trim().split("\\s+", -1);
    return f.length >= 2 ? Long.parseLong(f[1]) : -1;
  }

  private static long ticksOf(Path stat) {
    String line = read(stat);
    return line == null ? 0 : ticksOf(line);
  }

  private static long ticksOf(String statLine) {
    // fields after the parenthesised command name: state ppid ... utime (14th field) stime (15th)
    String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ", -1);
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** {busy, total} ticks of all CPUs since boot. */
  private static long[] machineTicks() {
    String line = read(Path.of("/proc/stat"));
    if (line == null) {
      return new long[] {0, 0};
    }
    String[] f = line.split("\n", 2)[0].trim().split("\\s+", -1);
    long total = 0;
    for (int i = 1; i <= 8 && i < f.length; i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {total - idle, total};
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Takes a snapshot at the start and at the end of a window, from a thread of its own. */
  static final class Window {
    private final Thread thread;
    private volatile Snapshot first;
    private volatile Snapshot last;

    Window(Cpu cpu, long startNanos, long endNanos) {
      thread =
          new Thread(
              () -> {
                CryptoPhase.parkUntil(startNanos);
                first = cpu.take();
                CryptoPhase.parkUntil(endNanos);
                last = cpu.take();
              },
              "bench-cpu-window");
      thread.setDaemon(true);
      thread.start();
    }

    /** The window's usage, once it has ended (waits for it). */
    Usage usage() {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (first == null || last == null) {
        throw new IllegalStateException("the CPU window was not measured");
      }
      return between(first, last);
    }
  }
}
