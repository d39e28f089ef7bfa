package org.safehub.audit;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads which classes a compiled class names, from its constant pool (no library needed). */
final class ClassFileNames {

  /** A class in a field or method descriptor or a generic signature. */
  private static final Pattern DESCRIBED = Pattern.compile("L([A-Za-z0-9_/$]+)[;<]");

  private ClassFileNames() {}

  /**
   * Every class a class file names: its constant pool's class entries, and the classes in its
   * descriptors and signatures (which the JVM resolves when it links or reflects, not only when
   * code runs).
   */
  static Set<String> of(InputStream classFile) throws IOException {
    DataInputStream in = new DataInputStream(classFile);
    if (in.readInt() != 0xCAFEBABE) {
      throw new AssertionError("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> classEntries = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classEntries.add(in.readUnsignedShort());
        case 8, 16, 19, 20 -> in.readUnsignedShort();
        case 15 -> in.skipNBytes(3);
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // takes two entries
        }
        default -> throw new AssertionError("unknown constant pool tag " + tag);
      }
    }
    Set<String> named = new TreeSet<>();
    for (int index : classEntries) {
      String name = utf8[index];
      Matcher array = DESCRIBED.matcher(name);
      named.add(name.startsWith("[") && array.find() ? array.group(1) : name);
    }
    for (String text : utf8) {
      if (text != null) {
        for (Matcher m = DESCRIBED.matcher(text); m.find(); ) {
          named.add(m.group(1));
        }
      }
    }
    return named;
  }
}
