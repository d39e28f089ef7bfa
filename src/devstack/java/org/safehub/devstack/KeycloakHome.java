package org.safehub.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An unpacked Keycloak distribution shared by every dev stack on the machine. It holds the one
 * thing that several Keycloaks from one home must agree on: the realm in {@code data/import} and
 * the dev-mode build that the first {@code start-dev} writes into {@code lib/quarkus}.
 */
final class KeycloakHome {

  private static final ReentrantLock BUILD_LOCK_IN_THIS_JVM = new ReentrantLock();

  private final Path home;

  private KeycloakHome(Path home) {
    this.home = home;
  }

  /**
   * Checks the distribution, makes its scripts executable and installs {@code realmFile} for
   * import.
   */
  static KeycloakHome prepare(Path home, Path realmFile) {
    if (home == null || !Files.isRegularFile(home.resolve("bin/kc.sh"))) {
      throw new IllegalStateException(
          "Keycloak distribution not found: "
              + home
              + " has no bin/kc.sh."
              + " Run ./mvnw generate-test-resources, which unpacks Keycloak into ~/.cache/safehub,"
              + " or point -Dsafehub.keycloak.home at an unpacked Keycloak 26.5.6.");
    }
    if (realmFile == null || !Files.isRegularFile(realmFile)) {
      throw new IllegalStateException(
          "realm file not found: "
              + realmFile
              + " (expected deploy/keycloak/safehub-realm.json under the project root)");
    }
    KeycloakHome keycloak = new KeycloakHome(home.toAbsolutePath());
    keycloak.makeScriptsExecutable();
    keycloak.installRealm(realmFile);
    return keycloak;
  }

  Path path() {
    return home;
  }

  Path script() {
    return home.resolve("bin/kc.sh");
  }

  /**
   * True once a {@code start-dev} from this home has finished the dev-mode build it performs on
   * first use.
   */
  boolean devBuildRecorded() {
    try {
      return Files.isRegularFile(marker()) && Files.readString(marker()).equals(buildStamp());
    } catch (IOException e) {
      return false;
    }
  }

  void recordDevBuild() {
    try {
      Files.writeString(marker(), buildStamp());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + marker(), e);
    }
  }

  /**
   * Serializes Keycloak starts from this home, across JVMs too, while the dev-mode build may still
   * be pending: two first starts would otherwise rewrite {@code lib/quarkus} at the same time.
   */
  BuildLock lockForBuild() {
    BUILD_LOCK_IN_THIS_JVM.lock();
    try {
      Path lockFile = home.resolve("data/.safehub-build.lock");
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new BuildLock(channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      BUILD_LOCK_IN_THIS_JVM.unlock();
      throw new UncheckedIOException("could not lock the Keycloak home " + home, e);
    } catch (RuntimeException e) {
      BUILD_LOCK_IN_THIS_JVM.unlock();
      throw e;
    }
  }

  /** Held while a Keycloak start may be building; releases the file lock, then the in-JVM lock. */
  static final class BuildLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private BuildLock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("could not release the Keycloak build lock", e);
      } finally {
        BUILD_LOCK_IN_THIS_JVM.unlock();
      }
    }
  }

  private Path marker() {
    return home.resolve("data/.safehub-dev-build");
  }

  /** Identifies the build currently in lib/quarkus: any rebuild (dev or prod) changes it. */
  private String buildStamp() throws IOException {
    Path app = home.resolve("lib/quarkus/quarkus-application.dat");
    return "start-dev --db=dev-mem "
        + Files.size(app)
        + " "
        + Files.getLastModifiedTime(app).toMillis();
  }

  /** Unpacking with Maven may drop the executable bits. */
  private void makeScriptsExecutable() {
    try (DirectoryStream<Path> scripts = Files.newDirectoryStream(home.resolve("bin"), "*.sh")) {
      for (Path script : scripts) {
        if (!Files.isExecutable(script) && !script.toFile().setExecutable(true, false)) {
          throw new IllegalStateException("could not make " + script + " executable");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + home.resolve("bin"), e);
    }
  }

  /**
   * Copies the realm into {@code data/import}, where {@code --import-realm} reads it. The file is
   * only replaced when its content differs, and then atomically, so a Keycloak starting at the same
   * moment from this home never reads half a file.
   */
  private void installRealm(Path realmFile) {
    Path importDir = DataDirs.createDirectories(home.resolve("data/import"));
    Path target = importDir.resolve(realmFile.getFileName());
    try {
      byte[] wanted = Files.readAllBytes(realmFile);
      if (Files.isRegularFile(target) && Arrays.equals(wanted, Files.readAllBytes(target))) {
        return;
      }
      Path temp = Files.createTempFile(importDir, ".realm-", ".tmp");
      Files.write(temp, wanted);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy " + realmFile + " into " + importDir, e);
    }
  }

  @Override
  public String toString() {
    return home.toString();
  }
}
