package io.clymene.model;

import java.nio.charset.StandardCharsets;

/**
 * The mutable labels of the series a {@link SeriesBatch.Builder} is building, stored as byte ranges in one
 * reusable buffer. Scrapers, relabeling and decoders edit it in place (look up, set, rename, remove)
 * without allocating; {@link SeriesBatch.Builder#endSeries()} sorts and encodes it.
 */
public final class ScratchLabels {
  private byte[] buf = new byte[512];
  private int len;
  private int[] nameOff = new int[16];
  private int[] nameLen = new int[16];
  private int[] valueOff = new int[16];
  private int[] valueLen = new int[16];
  private int[] order = new int[16];
  private int count;

  void clear() {
    len = 0;
    count = 0;
  }

  /** Number of labels. */
  public int size() {
    return count;
  }

  /** The buffer the offsets below point into; valid until the next edit. */
  public byte[] buffer() {
    return buf;
  }

  public int nameOffset(int i) {
    return nameOff[i];
  }

  public int nameLength(int i) {
    return nameLen[i];
  }

  public int valueOffset(int i) {
    return valueOff[i];
  }

  public int valueLength(int i) {
    return valueLen[i];
  }

  /** Label {@code i}'s name as a string (allocates). */
  public String name(int i) {
    return new String(buf, nameOff[i], nameLen[i], StandardCharsets.UTF_8);
  }

  /** Label {@code i}'s value as a string (allocates). */
  public String value(int i) {
    return new String(buf, valueOff[i], valueLen[i], StandardCharsets.UTF_8);
  }

  /** Adds a label; an empty value is ignored. Duplicates are detected when the series ends. */
  public void add(byte[] name, int nOff, int nLen, byte[] value, int vOff, int vLen) {
    if (vLen == 0) {
      return;
    }
    ensureBuf(nLen + vLen);
    int no = len;
    System.arraycopy(name, nOff, buf, len, nLen);
    len += nLen;
    int vo = len;
    System.arraycopy(value, vOff, buf, len, vLen);
    len += vLen;
    push(no, nLen, vo, vLen);
  }

  /** Adds a label from strings; an empty value is ignored. */
  public void add(String name, String value) {
    if (value.isEmpty()) {
      return;
    }
    ensureBuf(Bytes.utf8Length(name) + Bytes.utf8Length(value));
    int no = len;
    len = Bytes.writeUtf8(name, buf, len);
    int vo = len;
    len = Bytes.writeUtf8(value, buf, len);
    push(no, vo - no, vo, len - vo);
  }

  /** Index of the label with this ASCII name, or -1. */
  public int indexOf(String asciiName) {
    for (int i = 0; i < count; i++) {
      if (Bytes.equalsAscii(buf, nameOff[i], nameLen[i], asciiName)) {
        return i;
      }
    }
    return -1;
  }

  /** Index of the label whose name equals the given bytes, or -1. */
  public int indexOf(byte[] name, int off, int nLen) {
    for (int i = 0; i < count; i++) {
      if (nameLen[i] == nLen && Bytes.equals(buf, nameOff[i], name, off, nLen)) {
        return i;
      }
    }
    return -1;
  }

  /** Sets a label's value, replacing an existing one; an empty value removes the label. */
  public void set(String name, String value) {
    int i = indexOf(name);
    if (i >= 0) {
      remove(i);
    }
    add(name, value);
  }

  /** Removes label {@code i} (the order of the others may change). */
  public void remove(int i) {
    int last = count - 1;
    nameOff[i] = nameOff[last];
    nameLen[i] = nameLen[last];
    valueOff[i] = valueOff[last];
    valueLen[i] = valueLen[last];
    count--;
  }

  /** Renames label {@code i} to {@code prefix + name}, as honor_labels: false does with "exported_". */
  public void prefixName(int i, String asciiPrefix) {
    int pLen = asciiPrefix.length();
    ensureBuf(pLen + nameLen[i]);
    int no = len;
    for (int k = 0; k < pLen; k++) {
      buf[len++] = (byte) asciiPrefix.charAt(k);
    }
    System.arraycopy(buf, nameOff[i], buf, len, nameLen[i]);
    len += nameLen[i];
    nameOff[i] = no;
    nameLen[i] = len - no;
  }

  /** Sorts by name; returns the first duplicated name, or null. */
  String sort() {
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    for (int i = 1; i < count; i++) {
      int cur = order[i];
      int j = i - 1;
      while (j >= 0 && compareNames(order[j], cur) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = cur;
    }
    for (int i = 1; i < count; i++) {
      if (compareNames(order[i - 1], order[i]) == 0) {
        return name(order[i]);
      }
    }
    return null;
  }

  /** Upper bound of the encoded size of the sorted labels. */
  int encodedSize() {
    int size = 0;
    for (int i = 0; i < count; i++) {
      size += 3 * 5 + 3 + nameLen[i] + valueLen[i];
    }
    return size;
  }

  /** Writes the sorted labels as protobuf {@code Label} messages of field 1; returns the new position. */
  int encodeTo(byte[] out, int pos) {
    for (int k = 0; k < count; k++) {
      int i = order[k];
      int nl = nameLen[i];
      int vl = valueLen[i];
      int inner = 1 + Varint.size(nl) + nl + 1 + Varint.size(vl) + vl;
      out[pos++] = 0x0A;
      pos = Varint.write(out, pos, inner);
      out[pos++] = 0x0A;
      pos = Varint.write(out, pos, nl);
      System.arraycopy(buf, nameOff[i], out, pos, nl);
      pos += nl;
      out[pos++] = 0x12;
      pos = Varint.write(out, pos, vl);
      System.arraycopy(buf, valueOff[i], out, pos, vl);
      pos += vl;
    }
    return pos;
  }

  private int compareNames(int a, int b) {
    return Bytes.compare(buf, nameOff[a], nameLen[a], buf, nameOff[b], nameLen[b]);
  }

  private void push(int no, int nl, int vo, int vl) {
    if (count == nameOff.length) {
      int n = count * 2;
      nameOff = java.util.Arrays.copyOf(nameOff, n);
      nameLen = java.util.Arrays.copyOf(nameLen, n);
      valueOff = java.util.Arrays.copyOf(valueOff, n);
      valueLen = java.util.Arrays.copyOf(valueLen, n);
      order = java.util.Arrays.copyOf(order, n);
    }
    nameOff[count] = no;
    nameLen[count] = nl;
    valueOff[count] = vo;
    valueLen[count] = vl;
    count++;
  }

  private void ensureBuf(int extra) {
    if (len + extra > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(len + extra, buf.length * 2));
    }
  }
}
