package org.safehub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the hub's Java threads spent their CPU in the profiled pass (the peak's closed loop again,
 * after the measured passes, the only time the recorder is on), from the JDK Flight Recorder
 * execution samples: by thread, and by the innermost hub method on the stack together with the
 * library that was running.
 */
final class HubProfile {

  private static final List<String[]> LIBRARIES =
      List.of(
          new String[] {"org.bouncycastle.", "Bouncy Castle"},
          new String[] {"org.postgresql.", "PostgreSQL JDBC"},
          new String[] {"io.agroal.", "Agroal pool"},
          new String[] {"com.networknt.", "JSON Schema validator"},
          new String[] {"com.fasterxml.jackson.", "Jackson"},
          new String[] {"org.apache.kafka.", "Kafka client"},
          new String[] {"io.netty.", "Netty/Vert.x"},
          new String[] {"io.vertx.", "Netty/Vert.x"},
          new String[] {"io.quarkus.oidc", "OIDC/JWT"},
          new String[] {"io.smallrye.jwt", "OIDC/JWT"},
          new String[] {"org.jose4j.", "OIDC/JWT"},
          new String[] {"io.micrometer.", "Micrometer"},
          new String[] {"io.smallrye.reactive.messaging", "SmallRye Messaging"},
          new String[] {"io.quarkus.", "Quarkus"},
          new String[] {"io.smallrye.", "SmallRye"},
          new String[] {"org.jboss.", "JBoss (logging, threads, RESTEasy)"},
          new String[] {"org.safehub.", "hub code"});

  private HubProfile() {}

  static String analyze(Path recording, Instant from, Instant to, int top) {
    if (!Files.isRegularFile(recording)) {
      return "  (no flight recording at " + recording + ")\n";
    }
    Map<String, Integer> byThread = new HashMap<>();
    Map<String, Integer> byPlace = new HashMap<>();
    Map<String, Integer> pipelinePlaces = new HashMap<>();
    int total = 0;
    int pipelineTotal = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        if (!"jdk.ExecutionSample".equals(e.getEventType().getName())) {
          continue;
        }
        Instant at = e.getStartTime();
        if (at.isBefore(from) || !at.isBefore(to) || e.getStackTrace() == null) {
          continue;
        }
        String thread =
            e.getThread("sampledThread") == null
                ? "?"
                : String.valueOf(e.getThread("sampledThread").getJavaName());
        String group = thread.replaceAll("[0-9]+", "#");
        String place = place(e.getStackTrace().getFrames());
        byThread.merge(group, 1, Integer::sum);
        byPlace.merge(place, 1, Integer::sum);
        if (thread.equals("safehub-pipeline")) {
          pipelinePlaces.merge(place, 1, Integer::sum);
          pipelineTotal++;
        }
        total++;
      }
    } catch (IOException e) {
      return "  (flight recording unreadable: " + e.getMessage() + ")\n";
    }
    if (total == 0) {
      return "  (no execution samples in the profiled pass)\n";
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "  hub Java CPU samples in the profiled pass (JFR on, after the measured passes): %d (20 ms per running thread)%n",
            total));
    out.append("  by thread:\n");
    appendTop(out, byThread, total, top);
    out.append("  by innermost hub method > running library (all threads):\n");
    appendTop(out, byPlace, total, top);
    if (pipelineTotal > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "  the pipeline thread alone (%d samples, %.0f%% of all):%n",
              pipelineTotal,
              100.0 * pipelineTotal / total));
      appendTop(out, pipelinePlaces, pipelineTotal, top);
    }
    return out.toString();
  }

  private static void appendTop(
      StringBuilder out, Map<String, Integer> counts, int total, int top) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "    %5.1f%%  %s%n",
                        100.0 * e.getValue() / total,
                        e.getKey())));
  }

  /** "HubClass.method > Library" for a stack whose frames run from the top (innermost) down. */
  private static String place(List<RecordedFrame> frames) {
    String library = null;
    String hubMethod = null;
    for (RecordedFrame f : frames) {
      if (f.getMethod() == null || f.getMethod().getType() == null) {
        continue;
      }
      String cls = f.getMethod().getType().getName();
      if (library == null && !isJdk(cls)) {
        library = library(cls);
      }
      if (hubMethod == null && cls.startsWith("org.safehub.")) {
        hubMethod = cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
      }
      if (library != null && hubMethod != null) {
        break;
      }
    }
    if (library == null) {
      library =
          frames.isEmpty() || frames.get(0).getMethod() == null
              ? "JDK"
              : "JDK " + jdkArea(frames.get(0).getMethod().getType().getName());
    }
    return (hubMethod == null ? "(no hub frame)" : hubMethod) + " > " + library;
  }

  private static boolean isJdk(String cls) {
    return cls.startsWith("java.")
        || cls.startsWith("javax.")
        || cls.startsWith("jdk.")
        || cls.startsWith("sun.")
        || cls.startsWith("com.sun.");
  }

  private static String jdkArea(String cls) {
    if (cls.startsWith("sun.nio")
        || cls.startsWith("java.nio")
        || cls.startsWith("java.net")
        || cls.startsWith("sun.net")) {
      return "I/O";
    }
    if (cls.startsWith("sun.security")
        || cls.startsWith("javax.crypto")
        || cls.startsWith("com.sun.crypto")
        || cls.startsWith("java.security")) {
      return "crypto";
    }
    if (cls.startsWith("java.util.concurrent")) {
      return "concurrency";
    }
    return "(" + cls.substring(0, Math.max(0, cls.lastIndexOf('.'))) + ")";
  }

  private static String library(String cls) {
    for (String[] l : LIBRARIES) {
      if (cls.startsWith(l[0])) {
        return l[1];
      }
    }
    String[] parts = cls.split("\\.");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : cls;
  }
}
