package org.safehub.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClassArchiveTest {

  @TempDir Path build;

  private Path jar() throws IOException {
    Path jar = build.resolve("quarkus-run.jar");
    Files.writeString(jar, "jar");
    Files.createDirectories(build.resolve("lib"));
    Files.writeString(build.resolve("lib").resolve("dependency.jar"), "dependency");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
    Files.setLastModifiedTime(
        build.resolve("lib").resolve("dependency.jar"),
        FileTime.from(Instant.now().minusSeconds(60)));
    return jar;
  }

  /** A stand-in for a hub: a process that exits with {@code code}. */
  private static Process exiting(int code) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "exit " + code).start();
    p.waitFor();
    return p;
  }

  private static Path trainingFile(List<String> options) {
    assertEquals(2, options.size(), options::toString);
    assertTrue(options.get(0).startsWith("-XX:ArchiveClassesAtExit="), options::toString);
    assertEquals("-Xlog:cds=error", options.get(1));
    return Path.of(options.get(0).substring("-XX:ArchiveClassesAtExit=".length()));
  }

  @Test
  void aBuildWithoutAnArchiveTrainsOneInAFileOfItsOwnBesideTheJar() throws Exception {
    // Given a build that no hub has run yet
    Path jar = jar();
    // When two starts ask for their options
    Path first = trainingFile(HubClassArchive.options(jar, List.of()));
    Path second = trainingFile(HubClassArchive.options(jar, List.of()));
    // Then each trains, writing a file of its own beside the jar, never the archive itself
    assertFalse(HubClassArchive.ready(jar));
    assertEquals(build.toAbsolutePath(), first.getParent());
    assertTrue(first.getFileName().toString().endsWith(".part"), first::toString);
    assertFalse(first.equals(second));
    assertFalse(first.equals(HubClassArchive.archive(jar)));
  }

  @Test
  void aHubThatStoppedOnASignalHasItsArchiveMovedIntoPlaceAndLaterStartsMapIt() throws Exception {
    for (int code : List.of(0, 130, 143)) {
      // Given a training start whose JVM wrote its archive and exited gracefully
      Path jar = jar();
      Files.deleteIfExists(HubClassArchive.archive(jar));
      List<String> options = HubClassArchive.options(jar, List.of());
      Path written = trainingFile(options);
      Files.writeString(written, "archive " + code);
      Process hub = exiting(code);
      // When the launcher follows it and it has exited
      HubClassArchive.watch(hub, options);
      HubClassArchive.settle(hub);
      // Then the archive is in place, the training file gone, and the next start maps it
      assertTrue(HubClassArchive.ready(jar), "exit " + code);
      assertFalse(Files.exists(written));
      assertEquals("archive " + code, Files.readString(HubClassArchive.archive(jar)));
      assertEquals(
          List.of("-XX:SharedArchiveFile=" + HubClassArchive.archive(jar)),
          HubClassArchive.options(jar, List.of()));
    }
  }

  @Test
  void aHubKilledOrCrashedLeavesNoArchive() throws Exception {
    for (int code : List.of(1, 3, 134, 137)) {
      // Given a training start that exited without its shutdown (killed, crashed, out of memory)
      Path jar = jar();
      List<String> options = HubClassArchive.options(jar, List.of());
      Path written = trainingFile(options);
      Files.writeString(written, "half an archive");
      Process hub = exiting(code);
      // When the launcher sees it exit
      HubClassArchive.watch(hub, options);
      HubClassArchive.settle(hub);
      // Then what it wrote is deleted and never used
      assertFalse(Files.exists(written), "exit " + code);
      assertFalse(HubClassArchive.ready(jar), "exit " + code);
    }
  }

  @Test
  void anArchiveOlderThanAnyFileOfTheBuildIsTrainedAgain() throws Exception {
    // Given an archive of the build
    Path jar = jar();
    Path archive = HubClassArchive.archive(jar);
    Files.writeString(archive, "archive");
    assertTrue(HubClassArchive.ready(jar));
    // When a dependency of the build is rebuilt after it
    Files.setLastModifiedTime(
        build.resolve("lib").resolve("dependency.jar"),
        FileTime.from(Instant.now().plusSeconds(5)));
    // Then the next start trains a new one instead of mapping the old
    assertFalse(HubClassArchive.ready(jar));
    trainingFile(HubClassArchive.options(jar, List.of()));
  }

  @Test
  void anEmptyArchiveIsNotUsed() throws Exception {
    Path jar = jar();
    Files.createFile(HubClassArchive.archive(jar));
    assertFalse(HubClassArchive.ready(jar));
  }

  /** A training file of {@code jar}'s archive, {@code ageSeconds} old. */
  private static Path trainingFileAged(Path jar, String name, long ageSeconds) throws IOException {
    Path archive = HubClassArchive.archive(jar);
    Path f = archive.resolveSibling(archive.getFileName() + "." + name + ".part");
    Files.writeString(f, name);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(ageSeconds)));
    return f;
  }

  @Test
  void onlyTrainingFilesOverAnHourOldAreDeletedAsLeftoversWhenTheNextStartTrains()
      throws Exception {
    // Given a training file two hours old (its launcher died before the hub exited), and one ten
    // minutes old (a launcher that may still be following its hub)
    Path jar = jar();
    Path leftover = trainingFileAged(jar, "old", 7200);
    Path recent = trainingFileAged(jar, "recent", 600);
    // When a start trains
    trainingFile(HubClassArchive.options(jar, List.of()));
    // Then the leftover is gone and the recent file left alone
    assertFalse(Files.exists(leftover));
    assertTrue(Files.exists(recent));
  }

  @Test
  void aCallerWhoChoosesClassSharingGetsNoArchiveOptions() throws Exception {
    // Given a build with a ready archive, and one without
    Path jar = jar();
    Files.writeString(HubClassArchive.archive(jar), "archive");
    // When the caller turns class sharing off, or names an archive of their own
    for (List<String> own :
        List.of(List.of("-Xshare:off"), List.of("-XX:SharedArchiveFile=/elsewhere.jsa"))) {
      // Then the launcher adds nothing (a training start with -Xshare:off would not start at all)
      assertEquals(List.of(), HubClassArchive.options(jar, own), own::toString);
      assertFalse(HubClassArchive.managed(own), own::toString);
    }
    // And with other options it maps the archive
    assertEquals(
        List.of("-XX:SharedArchiveFile=" + HubClassArchive.archive(jar)),
        HubClassArchive.options(jar, List.of("-Xmx512m")));
  }

  @Test
  void anArchiveOptionOfTheCallersOwnIsNeverMovedOrDeleted() throws Exception {
    // Given a hub started with an archive option of the caller's own (not one options() gave out)
    Path own = build.resolve("hub.jsa");
    Files.writeString(own, "the caller's archive");
    for (int code : List.of(0, 143, 137)) {
      Process hub = exiting(code);
      // When the launcher follows it and it has exited, gracefully or not
      HubClassArchive.watch(hub, List.of("-XX:ArchiveClassesAtExit=" + own));
      HubClassArchive.settle(hub);
      // Then the caller's file is where it was, untouched
      assertEquals("the caller's archive", Files.readString(own), "exit " + code);
    }
  }
}
