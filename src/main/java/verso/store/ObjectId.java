package verso.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/** The SHA-256 of an object's bytes; written as 64 lower-case hex digits. */
public final class ObjectId implements Comparable<ObjectId> {
    public static final int LENGTH = 32;
    public static final int HEX_LENGTH = 64;
    /** Short ids shown to users: the first 10 hex digits (longer when ambiguous). */
    public static final int SHORT_LENGTH = 10;

    private static final HexFormat HEX = HexFormat.of();
    /** The value of each lower-case hex digit by its char, -1 for every other char below 128. */
    private static final byte[] DIGIT = new byte[128];

    static {
        Arrays.fill(DIGIT, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            DIGIT[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            DIGIT[c] = (byte) (c - 'a' + 10);
        }
    }

    private final byte[] bytes;
    private final int hash;

    private ObjectId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static ObjectId fromBytes(byte[] digest) {
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException("object id must be " + LENGTH + " bytes, got " + digest.length);
        }
        return new ObjectId(digest.clone());
    }

    /** Parses a full id; throws {@link IllegalArgumentException} on anything but 64 lower-case hex digits. */
    public static ObjectId fromHex(String hex) {
        ObjectId id = parseHex(hex);
        if (id == null) {
            throw new IllegalArgumentException("not an object id: '" + hex + "'");
        }
        return id;
    }

    /**
     * The id {@code hex} spells, or null if it is not 64 lower-case hex digits: checked and decoded in
     * one pass, as trees and pack indexes hold millions of ids.
     */
    public static ObjectId parseHex(String hex) {
        if (hex == null || hex.length() != HEX_LENGTH) {
            return null;
        }
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            int hi = digit(hex.charAt(2 * i));
            int lo = digit(hex.charAt(2 * i + 1));
            if ((hi | lo) < 0) {
                return null;
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return new ObjectId(b);
    }

    /** A lower-case hex digit's value, or -1. */
    private static int digit(char c) {
        return c < DIGIT.length ? DIGIT[c] : -1;
    }

    public static boolean isValidHex(String s) {
        return s != null && s.length() == HEX_LENGTH && isHexPrefix(s);
    }

    /** True if s is a non-empty run of lower-case hex digits no longer than a full id. */
    public static boolean isHexPrefix(String s) {
        if (s == null || s.isEmpty() || s.length() > HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (digit(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    public String shortHex() {
        return hex().substring(0, SHORT_LENGTH);
    }

    /** The object's key below an {@code objects/} directory: {@code ab/cdef...}. */
    public String fanoutPath() {
        String h = hex();
        return h.substring(0, 2) + "/" + h.substring(2);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The id held at {@code off} in {@code table} (ids laid end to end), copied out. */
    public static ObjectId fromTable(byte[] table, int off) {
        return new ObjectId(Arrays.copyOfRange(table, off, off + LENGTH));
    }

    /** The id held at {@code off} in {@code table} (ids laid end to end), copied out; reads absolutely. */
    public static ObjectId fromTable(ByteBuffer table, int off) {
        byte[] b = new byte[LENGTH];
        table.get(off, b);
        return new ObjectId(b);
    }

    /** The first four bytes, big-endian (ids are digests: spread evenly). */
    int leadingInt() {
        return leadingInt(bytes, 0);
    }

    /** The first four bytes of the id held at {@code off} in {@code table}, big-endian. */
    static int leadingInt(byte[] table, int off) {
        return (table[off] & 0xff) << 24 | (table[off + 1] & 0xff) << 16 | (table[off + 2] & 0xff) << 8
                | (table[off + 3] & 0xff);
    }

    /** Copies this id's bytes into {@code table} at {@code off}. */
    public void copyTo(byte[] table, int off) {
        System.arraycopy(bytes, 0, table, off, LENGTH);
    }

    /** Compares this id with the one at {@code off} in {@code table}, in the order of {@link #compareTo}. */
    int compareTo(byte[] table, int off) {
        return Arrays.compareUnsigned(bytes, 0, LENGTH, table, off, off + LENGTH);
    }

    /** As {@link #compareTo(byte[], int)}, in a buffer, reading it absolutely (so threads may share it). */
    int compareTo(ByteBuffer table, int off) {
        for (int i = 0; i < LENGTH; i++) {
            int c = Byte.compareUnsigned(bytes[i], table.get(off + i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public int compareTo(ObjectId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return hex();
    }
}
