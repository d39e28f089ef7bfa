package org.safehub.crypto;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes key and certificate files whole (temporary file, then rename), private ones readable by
 * the owner only.
 */
final class KeyFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private KeyFiles() {}

  /** Writes a file only its owner can read or write (0600), replacing any file of that name. */
  static void writePrivate(Path file, byte[] content) throws IOException {
    write(file, content, "rw-------");
  }

  /** Writes a public file (0644), replacing any file of that name. */
  static void writePublic(Path file, byte[] content) throws IOException {
    write(file, content, "rw-r--r--");
  }

  /** Creates the folder (0700 for the folders it creates) if it does not exist. */
  static void ensureFolder(Path dir) throws IOException {
    if (dir == null || Files.isDirectory(dir)) {
      return;
    }
    ensureFolder(dir.toAbsolutePath().getParent());
    if (POSIX) {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(dir);
    }
  }

  private static void write(Path file, byte[] content, String permissions) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    ensureFolder(dir);
    // createTempFile makes the file 0600 on POSIX file systems before a byte is written
    Path tmp = Files.createTempFile(dir, ".safehub-", ".tmp");
    try {
      Files.write(tmp, content);
      if (POSIX) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
